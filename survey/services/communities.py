"""What administrators see of the frame: progress per community, household lists, QR sheets and posters."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, and_, case, func, select

from ..errors import NotFound
from ..extensions import db
from ..models import Community, District, Household, Mode, Response, SampledHousehold, Status, Street, Token
from ..models.tokens import HOUSEHOLD
from . import qr, rounds
from ._frame_file import CODE_SHAPE, MAX_LENGTH
from .tokens import community_token, url_for_token

POSTER_BOX = 20  # pixels per module: a poster PNG of about 800 px, sharp when printed on A4


@dataclass(frozen=True)
class Counts:
    households: int = 0  # released sampled households of the current round
    tokens_used: int = 0
    complete: int = 0
    partial: int = 0
    ineligible: int = 0
    open_link: int = 0
    household_complete: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(a + b for a, b in zip(self.astuple(), other.astuple(), strict=True)))

    def astuple(self) -> tuple[int, ...]:
        return (self.households, self.tokens_used, self.complete, self.partial, self.ineligible,
                self.open_link, self.household_complete)

    @property
    def household_rate(self) -> float | None:
        """Completed household questionnaires per released sampled household of the current round."""
        return self.household_complete / self.households if self.households else None


@dataclass(frozen=True)
class CommunityRow:
    code: str
    name: str
    counts: Counts


@dataclass
class Group:
    """A street (with its communities) or a district (with its streets), with totals."""

    code: str
    name: str
    children: list = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)


@dataclass(frozen=True)
class Card:
    """One household's card on the printed QR sheet (no address: the card hangs on a door)."""

    building: str
    unit: str
    label: str
    url: str
    png_data_uri: str


def _counts_query() -> Select:
    """Per community: its geography and every progress count of the current round, in one query (grouped
    subqueries)."""
    round_id = rounds.current().id
    households = (select(Household.community_id.label("cid"), func.count().label("n"))
                  .join(SampledHousehold, SampledHousehold.household_id == Household.id)
                  .where(SampledHousehold.round_id == round_id, SampledHousehold.released)
                  .group_by(Household.community_id).subquery())
    used = (select(Token.community_id.label("cid"), func.count().label("n"))
            .where(Token.kind == HOUSEHOLD, Token.used_at.is_not(None), Token.round_id == round_id)
            .group_by(Token.community_id).subquery())

    def tally(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    responses = (
        select(Response.community_id.label("cid"),
               tally(Response.status == Status.COMPLETE).label("complete"),
               tally(Response.is_open).label("partial"),
               tally(Response.status == Status.INELIGIBLE).label("ineligible"),
               tally(Response.mode == Mode.QR_COMMUNITY).label("open_link"),
               tally(and_(Response.status == Status.COMPLETE, Response.household_id.is_not(None)))
               .label("household_complete"))
        .where(Response.round_id == round_id)
        .group_by(Response.community_id).subquery()
    )
    zero = 0
    return (
        select(District.code, District.name, Street.code, Street.name, Community.code, Community.name,
               func.coalesce(households.c.n, zero), func.coalesce(used.c.n, zero),
               func.coalesce(responses.c.complete, zero), func.coalesce(responses.c.partial, zero),
               func.coalesce(responses.c.ineligible, zero), func.coalesce(responses.c.open_link, zero),
               func.coalesce(responses.c.household_complete, zero))
        .join(Street, Street.id == Community.street_id)
        .join(District, District.id == Street.district_id)
        .outerjoin(households, households.c.cid == Community.id)
        .outerjoin(used, used.c.cid == Community.id)
        .outerjoin(responses, responses.c.cid == Community.id)
        .order_by(District.code, Street.code, Community.code)
    )


def overview() -> tuple[list[Group], Counts]:
    """Districts -> streets -> communities with their counts, and the city total."""
    districts: dict[str, Group] = {}
    streets: dict[str, Group] = {}
    total = Counts()
    for dcode, dname, scode, sname, ccode, cname, *numbers in db.session.execute(_counts_query()):
        counts = Counts(*(int(n) for n in numbers))
        district = districts.setdefault(dcode, Group(dcode, dname))
        if scode not in streets:
            streets[scode] = Group(scode, sname)
            district.children.append(streets[scode])
        streets[scode].children.append(CommunityRow(ccode, cname, counts))
        streets[scode].counts += counts
        district.counts += counts
        total += counts
    return list(districts.values()), total


def get(code: str) -> Community:
    """The community ``code``; :class:`NotFound` (without a query for a code no frame file can hold: NUL or
    a too long code would fail on PostgreSQL)."""
    if len(code) > MAX_LENGTH["community_code"] or not CODE_SHAPE.match(code):
        raise NotFound(f"there is no community {code!r}")
    community = db.session.scalar(select(Community).filter_by(code=code))
    if community is None:
        raise NotFound(f"there is no community {code!r}")
    return community


def counts(community: Community) -> Counts:
    row = db.session.execute(_counts_query().where(Community.id == community.id)).one()
    return Counts(*(int(n) for n in row[6:]))


@dataclass(frozen=True)
class HouseholdRow:
    id: int
    building: str
    unit: str
    token_used_at: datetime | None
    status: Status | None  # the household's response status, None before any answer


def households(community: Community) -> list[HouseholdRow]:
    """The community's households in building/unit order, with their link and response state in the current
    round."""
    round_id = rounds.current().id
    query = (
        select(Household.id, Household.building, Household.unit, Token.used_at, Response.status)
        .outerjoin(Token, and_(Token.household_id == Household.id, Token.round_id == round_id))
        .outerjoin(Response, and_(Response.household_id == Household.id, Response.round_id == round_id))
        .where(Household.community_id == community.id)
    )
    rows = [HouseholdRow(*row[:4], Status(row[4]) if row[4] else None) for row in db.session.execute(query)]
    return sorted(rows, key=lambda r: (natural_key(r.building), natural_key(r.unit)))


def qr_cards(community: Community) -> list[Card]:
    """A card per household token of the community in the current round (its released sampled households),
    in building/unit order."""
    query = (
        select(Household.building, Household.unit, Token.token)
        .join(Token, Token.household_id == Household.id)
        .where(Household.community_id == community.id, Token.round_id == rounds.current().id)
    )
    cards = []
    for building, unit, secret in sorted(db.session.execute(query),
                                         key=lambda r: (natural_key(r[0]), natural_key(r[1]))):
        url = url_for_token(secret)
        image = base64.b64encode(qr.png(url, box_size=6)).decode("ascii")
        cards.append(Card(building, unit, dwelling_label(building, unit), url, f"data:image/png;base64,{image}"))
    return cards


def poster(code: str, fmt: str) -> bytes:
    """The community's open-link QR code as ``png`` or ``svg`` bytes."""
    url = url_for_token(community_token(get(code)))
    return qr.png(url, box_size=POSTER_BOX) if fmt == "png" else qr.svg(url)


def open_link(community: Community) -> str:
    return url_for_token(community_token(community))


def dwelling_label(building: str, unit: str) -> str:
    """``3号楼 1-302`` for a numbered building, else the building as written."""
    return f"{building}{'号楼' if building.isdigit() else ''} {unit}"


def natural_key(text: str) -> tuple:
    """Sort "2" before "10" (and "2-101" before "10-101") as people expect."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text) if part)
