"""Loading the sampling frame (district -> street -> community -> household) from a CSV file.

A file is checked whole before anything is stored: every problem is collected with its row number
(row 1 is the header, as a spreadsheet numbers them) and the file is refused as a whole with
:class:`~survey.errors.FrameError`.  A good file is applied in one transaction with bulk statements
(a handful of queries whatever the number of rows), so loading 100 000 households takes seconds.

Loading is idempotent: a household is identified by (community code, building, unit); loading the
same file again changes nothing, a later file adds households and updates names and addresses.
Households missing from a later file are kept (their tokens may already be printed).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import FrameError
from ..extensions import db
from ..models import Action, Community, District, Household, HouseholdContact, Street, Token
from ..models.tokens import COMMUNITY
from . import audit, rounds
from ._bulk import insert_rows, insert_rows_returning_ids
from ._frame_file import COLUMNS, MAX_LENGTH, Frame, check_rows, read_rows
from .tokens import new_secret

__all__ = ["COLUMNS", "MAX_LENGTH", "FrameReport", "import_frame"]
CHUNK = 500  # ids per IN (...) list


@dataclass(frozen=True)
class FrameReport:
    """What a load did.  ``districts``/``streets``/``communities`` count those named in the file."""

    districts: int
    streets: int
    communities: int
    households_added: int
    households_updated: int
    households_unchanged: int
    tokens_issued: int
    communities_added: int = 0
    names_updated: int = 0
    source: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.households_added or self.households_updated or self.tokens_issued
                    or self.communities_added or self.names_updated)


def import_frame(data: bytes, *, source: str) -> FrameReport:
    """Check ``data`` (a CSV file's bytes) whole, then store it in one transaction.

    Raises :class:`FrameError` listing every problem (nothing is stored) when the file is malformed
    or contradicts the geography already in the database.
    """
    problems: list[tuple[int, str]] = []
    rows = read_rows(data, problems)
    frame = check_rows(rows, problems)
    existing = _load_geography()
    _check_against_database(frame, existing, problems)
    if problems:
        raise FrameError(sorted(problems, key=lambda p: p[0]))
    try:
        report = _store(frame, existing, source)
        audit.record(Action.FRAME_LOADED, detail={"file": source, "households_added": report.households_added,
                                                  "households_updated": report.households_updated})
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise FrameError([(0, "another load changed the frame at the same time; load the file again")]) \
            from None
    except BaseException:
        db.session.rollback()
        raise
    return report


# -- comparing with and writing to the database ------------------------------------------------------

@dataclass
class _Existing:
    districts: dict[str, District]
    streets: dict[str, Street]
    communities: dict[str, Community]
    community_codes_before: set[str]


def _load_geography() -> _Existing:
    communities = {c.code: c for c in db.session.scalars(select(Community))}
    return _Existing(
        districts={d.code: d for d in db.session.scalars(select(District))},
        streets={s.code: s for s in db.session.scalars(select(Street))},
        communities=communities,
        community_codes_before=set(communities),
    )


def _check_against_database(frame: Frame, existing: _Existing, problems: list) -> None:
    """A file may rename areas but not move a street or community to another parent."""
    district_code = {d.id: d.code for d in existing.districts.values()}
    street_code = {s.id: s.code for s in existing.streets.values()}
    for code, (_name, parent) in frame.streets.items():
        stored = existing.streets.get(code)
        if stored and district_code[stored.district_id] != parent:
            problems.append((frame.first_row[("street", code)],
                             f"street {code} belongs to district {district_code[stored.district_id]} in the "
                             f"database; a frame file cannot move it to district {parent}"))
    for code, (_name, parent) in frame.communities.items():
        stored = existing.communities.get(code)
        if stored and street_code[stored.street_id] != parent:
            problems.append((frame.first_row[("community", code)],
                             f"community {code} belongs to street {street_code[stored.street_id]} in the "
                             f"database; a frame file cannot move it to street {parent}"))


def _store(frame: Frame, existing: _Existing, source: str) -> FrameReport:
    rounds.ensure_current()  # before the households are added: a first round R1 draws the frame as it was
    renamed = _upsert_geography(frame, existing)
    communities = existing.communities
    known = _existing_households([communities[c].id for c in frame.communities if communities[c].id])
    new_rows, contact_updates, contact_inserts = [], [], []
    for (ccode, building, unit), (_row, address) in frame.households.items():
        community_id = communities[ccode].id
        found = known.get((community_id, building, unit))
        if found is None:
            new_rows.append({"community_id": community_id, "building": building, "unit": unit,
                             "address": address})
        elif found[1] is None:
            if address:
                contact_inserts.append({"household_id": found[0], "address": address})
        elif found[1] != address:
            contact_updates.append({"household_id": found[0], "address": address})
    tokens = _issue_community_tokens([c.id for c in communities.values() if c.code in frame.communities])
    tokens += _add_households(new_rows)
    if contact_inserts:
        db.session.execute(insert(HouseholdContact), contact_inserts)
    if contact_updates:
        db.session.execute(update(HouseholdContact), contact_updates)
    updated = len(contact_inserts) + len(contact_updates)
    return FrameReport(
        districts=len(frame.districts), streets=len(frame.streets), communities=len(frame.communities),
        households_added=len(new_rows), households_updated=updated,
        households_unchanged=len(frame.households) - len(new_rows) - updated, tokens_issued=tokens,
        communities_added=len(set(frame.communities) - existing.community_codes_before),
        names_updated=renamed, source=source,
    )


def _upsert_geography(frame: Frame, existing: _Existing) -> int:
    """Add new areas, rename changed ones; return how many names changed.  Areas are few: ORM is fine."""
    renamed = 0
    levels = (
        (frame.districts, existing.districts, District, lambda v: (v[0], {})),
        (frame.streets, existing.streets, Street,
         lambda v: (v[0], {"district": existing.districts[v[1]]})),
        (frame.communities, existing.communities, Community,
         lambda v: (v[0], {"street": existing.streets[v[1]]})),
    )
    for wanted, stored, model, unpack in levels:
        for code, value in wanted.items():
            name, parent = unpack(value)
            row = stored.get(code)
            if row is None:
                row = model(code=code, name=name, **parent)
                db.session.add(row)
                stored[code] = row
            elif row.name != name:
                row.name = name
                renamed += 1
        db.session.flush()
    return renamed


def _existing_households(community_ids: list[int]) -> dict[tuple[int, str, str], tuple[int, str | None]]:
    """(community id, building, unit) -> (household id, address or None without a contact row)."""
    found = {}
    for start in range(0, len(community_ids), CHUNK):
        query = (
            select(Household.id, Household.community_id, Household.building, Household.unit,
                   HouseholdContact.address)
            .outerjoin(HouseholdContact, HouseholdContact.household_id == Household.id)
            .where(Household.community_id.in_(community_ids[start:start + CHUNK]))
        )
        for hid, cid, building, unit, address in db.session.execute(query):
            found[(cid, building, unit)] = (hid, address)
    return found


def _issue_community_tokens(community_ids: list[int]) -> int:
    have = set()
    for start in range(0, len(community_ids), CHUNK):
        have.update(db.session.scalars(
            select(Token.community_id).where(Token.kind == COMMUNITY,
                                             Token.community_id.in_(community_ids[start:start + CHUNK]))
        ))
    missing = [cid for cid in community_ids if cid not in have]
    if missing:
        db.session.execute(insert(Token), [
            {"token": new_secret(), "kind": COMMUNITY, "community_id": cid, "household_id": None}
            for cid in missing
        ])
    return len(missing)


def _add_households(rows: list[dict]) -> int:
    """Insert households and their contact rows; while the current round is take-all they join its sample
    with a single-use token each.  Return the tokens issued."""
    ids = insert_rows_returning_ids(Household.__table__, ("community_id", "building", "unit"),
                                    [(r["community_id"], r["building"], r["unit"]) for r in rows])
    insert_rows(HouseholdContact.__table__, ("household_id", "address"),
                [(hid, r["address"]) for hid, r in zip(ids, rows, strict=True)])
    return rounds.join_take_all([(hid, r["community_id"]) for hid, r in zip(ids, rows, strict=True)])
