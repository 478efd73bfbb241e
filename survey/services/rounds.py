"""Survey rounds: create (and draw), open, close, release reserves; the current round; tokens per round.

Guarantees, each held by the database so that every worker agrees:

* one current round: ``survey_round.is_current`` is true on one row, NULL elsewhere (unique);
* a closed round accepts no answer: an answer's transaction checks the round's status after its own writes,
  under a share lock of the round row (:func:`check_accepting`), and closing takes the row's write lock, so an
  answer either commits before the close or is refused; never stored into a closed round, never lost silently;
* a draw is seeded and replayable: the seed, the generator, the parameters and the frame it saw are stored, and
  releasing a reserve replicate replays the draw to recompute the probabilities (``analysis``).
"""

from __future__ import annotations

import secrets
from datetime import date

import numpy as np
from sqlalchemy import select, update

from ..errors import RoundClosed, RoundError
from ..extensions import db
from ..models import Action, Community, Round, RoundCommunity, RoundStatus, SampledHousehold, Token
from ..models._common import utcnow
from ..models.tokens import HOUSEHOLD
from . import audit, versions
from ._bulk import insert_rows
from ._draw import GENERATOR, DrawSpec, draw, frame_counts, read_frame
from .tokens import new_secret

FIRST_ROUND = "R1"
MAX_SEED = 2**63 - 1


def _well_formed(code: str) -> bool:
    """1 to 32 printable characters without spaces (PostgreSQL would refuse a NUL before the query ran)."""
    return 0 < len(code) <= 32 and code.isprintable() and not any(ch.isspace() for ch in code)


def get(code: str, *, lock: bool = False) -> Round:
    if not _well_formed(code or ""):
        raise RoundError(f"there is no round {code!r}")
    query = select(Round).filter_by(code=code).execution_options(populate_existing=True)
    round_ = db.session.scalar(query.with_for_update() if lock else query)
    if round_ is None:
        raise RoundError(f"there is no round {code!r}")
    return round_


def current() -> Round:
    """The current round; the first one (``R1``, take-all, in the field) is created when there is none."""
    round_ = ensure_current()
    db.session.commit()
    return round_


def ensure_current() -> Round:
    """:func:`current` inside the caller's transaction (flushed, not committed)."""
    round_ = db.session.scalar(select(Round).where(Round.is_current.is_(True)))
    if round_ is None:
        round_ = db.session.scalar(select(Round).order_by(Round.id.desc()).limit(1))
        if round_ is None:
            round_ = _create(FIRST_ROUND, DrawSpec("take-all"), seed=0, name="第一轮 First round",
                             version_id=versions.latest_id())
            round_.status = RoundStatus.IN_FIELD
        _make_current(round_)
    return round_


def create(code: str, spec: DrawSpec, *, seed: int | None = None, name: str = "", questionnaire: str | None = None,
           field_start: date | None = None, field_end: date | None = None) -> Round:
    """Create a round (status planned) and draw its sample; tokens are issued for the main sample."""
    version = versions.for_round(questionnaire)
    try:
        round_ = _create(code, spec, seed=seed, name=name, version_id=version.id)
        round_.field_start, round_.field_end = field_start, field_end
        audit.record(Action.ROUND_CREATED, detail={"round": round_.code, "design": spec.design,
                                                   "seed": round_.seed})
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return round_


def _create(code: str, spec: DrawSpec, *, seed: int | None, name: str, version_id: int | None) -> Round:
    code = (code or "").strip()
    if not _well_formed(code):
        raise RoundError(f"round code {code!r}: 1 to 32 characters, no spaces or control characters")
    if db.session.scalar(select(Round.id).filter_by(code=code)) is not None:
        raise RoundError(f"round {code} exists already")
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise RoundError(f"seed {seed} is not a whole number from 0 to {MAX_SEED}")
    spec.check()
    seed = secrets.randbelow(MAX_SEED) if seed is None else seed
    frame = read_frame()
    round_ = Round(code=code, name=name or code, questionnaire_version_id=version_id, design=spec.design,
                   parameters={**spec.parameters(), "frame_max_household": frame.max_id}, seed=seed,
                   generator=GENERATOR, status=RoundStatus.PLANNED)
    db.session.add(round_)
    if db.session.scalar(select(Round.id).where(Round.is_current.is_(True))) is None:
        round_.is_current = True
    db.session.flush()
    if spec.design != "take-all" or frame.household.shape[0]:
        _store_draw(round_, frame, *draw(frame, spec, seed))
    return round_


def _community_ids() -> dict[str, int]:
    return dict(db.session.execute(select(Community.code, Community.id)).all())


def _store_draw(round_: Round, frame, result, asked: dict | None) -> None:
    ids = _community_ids()
    released = result.replicate == 1
    pi = result.probabilities(1)
    for code in sorted(result.community_size):
        short = result.shortfall.get(code)
        mine = result.replicate[result.community == code]
        note = (f"只有 {short[1]} 户，少于要求的 {short[0]} 户，已全部抽取。 Only {short[1]} households where "
                f"{short[0]} were asked: all taken." if short else "")
        db.session.add(RoundCommunity(
            round_id=round_.id, community_id=ids[code], households=result.community_size[code],
            buildings=result.building_count.get(code, 0), asked=None if asked is None else asked[code],
            replicates=int(mine.max(initial=1)), released=1, note=note))
    households = frame.household[result.rows].tolist()
    rows = [(round_.id, hid, rep, bool(rel), None if np.isnan(p) else p, bp) for hid, rep, rel, p, bp in zip(
        households, result.replicate.tolist(), released.tolist(), pi.tolist(),
        result.building_probability.tolist(), strict=True)]
    db.session.flush()
    insert_rows(SampledHousehold.__table__, ("round_id", "household_id", "replicate", "released", "probability",
                                             "building_probability"), rows)
    community_of = dict(zip(frame.household.tolist(), (ids[c] for c in frame.community.tolist()), strict=True))
    issue_tokens(round_.id, [(hid, community_of[hid]) for hid, rel in zip(households, released.tolist(),
                                                                         strict=True) if rel])


def issue_tokens(round_id: int, households: list[tuple[int, int]]) -> int:
    """A single-use token of round ``round_id`` for each (household id, community id)."""
    now = utcnow()
    insert_rows(Token.__table__, ("token", "kind", "community_id", "household_id", "round_id", "created_at"),
                [(new_secret(), HOUSEHOLD, cid, hid, round_id, now) for hid, cid in households])
    return len(households)


def open_round(code: str) -> Round:
    """Put a round in the field and make it the current round."""
    round_ = get(code, lock=True)
    if round_.status == RoundStatus.CLOSED:
        db.session.rollback()
        raise RoundError(f"round {code} is closed; a closed round is never reopened")
    round_.status = RoundStatus.IN_FIELD
    _make_current(round_)
    audit.record(Action.ROUND_OPENED, detail={"round": round_.code})
    db.session.commit()
    return round_


def _make_current(round_: Round) -> None:
    db.session.execute(update(Round).where(Round.is_current.is_(True), Round.id != round_.id)
                       .values(is_current=None))
    db.session.flush()
    round_.is_current = True
    db.session.flush()


def close_round(code: str) -> Round:
    """Close a round: it accepts no answer from now on (answers being saved land first, under the row lock)."""
    round_ = get(code, lock=True)
    round_.status = RoundStatus.CLOSED
    round_.changed_at = utcnow()
    audit.record(Action.ROUND_CLOSED, detail={"round": round_.code})
    db.session.commit()
    return round_


def check_accepting(round_id: int, *, lock: bool) -> Round:
    """The round, if it accepts answers; :class:`RoundClosed` otherwise.  With ``lock``, called after the
    answer's writes and before its commit: PostgreSQL holds a share lock of the round row until the commit
    (a close waits for it); SQLite serialises writers, so the status read is the one the commit sees."""
    # populate_existing: the row read now, not the copy an earlier query of this request left in the session
    query = select(Round).where(Round.id == round_id).execution_options(populate_existing=True)
    round_ = db.session.scalar(query.with_for_update(read=True) if lock else query)
    if round_ is None or not round_.accepts_answers:
        if lock:
            db.session.rollback()
        closed = round_ is not None and round_.is_closed
        raise RoundClosed("this round is closed" if closed else "this round has not started", closed=closed)
    return round_


def release(code: str, community_code: str) -> int:
    """Release the next reserve replicate of a community; probabilities recomputed; return households released."""
    round_ = get(code, lock=True)
    try:
        return _release(round_, community_code)
    except BaseException:
        db.session.rollback()
        raise


def _release(round_: Round, community_code: str) -> int:
    if round_.design == "take-all":
        raise RoundError(f"round {round_.code} is take-all: it has no reserve households")
    if round_.status == RoundStatus.CLOSED:
        raise RoundError(f"round {round_.code} is closed")
    rows = {c.community.code: c for c in db.session.scalars(select(RoundCommunity).filter_by(round_id=round_.id))}
    target = rows.get(community_code)
    if target is None:
        raise RoundError(f"community {community_code!r} is not in round {round_.code}")
    if target.released >= target.replicates:
        raise RoundError(f"community {community_code} of round {round_.code} has no reserve replicate left "
                         f"({target.released} of {target.replicates} released)")
    target.released += 1
    frame = read_frame(round_.parameters["frame_max_household"])
    result, _asked = draw(frame, DrawSpec.from_round(round_.design, round_.parameters), round_.seed)
    pi = result.probabilities({code: row.released for code, row in rows.items()})
    mine = result.community == community_code
    households = frame.household[result.rows[mine]].tolist()
    stored = dict(db.session.execute(
        select(SampledHousehold.household_id, SampledHousehold.id)
        .where(SampledHousehold.round_id == round_.id, SampledHousehold.household_id.in_(households))).all())
    if len(stored) != len(households):
        raise RoundError(f"round {round_.code}: the draw no longer replays on the frame; nothing was released")
    replicate = result.replicate[mine].tolist()
    db.session.execute(update(SampledHousehold), [
        {"id": stored[hid], "released": rep <= target.released, "probability": None if np.isnan(p) else p}
        for hid, rep, p in zip(households, replicate, pi[mine].tolist(), strict=True)])
    new = [(hid, target.community_id) for hid, rep in zip(households, replicate, strict=True)
           if rep == target.released]
    issue_tokens(round_.id, new)
    round_.changed_at = utcnow()
    audit.record(Action.ROUND_CHANGED, detail={"round": round_.code, "released": community_code,
                                               "replicate": target.released, "households": len(new)})
    db.session.commit()
    return len(new)


def join_take_all(households: list[tuple[int, int]]) -> int:
    """Households just added to the frame (household id, community id) join the current round's sample and
    get their tokens, when that round is take-all and not closed; return the tokens issued."""
    round_ = ensure_current()
    if round_.design != "take-all" or round_.status == RoundStatus.CLOSED or not households:
        return 0
    insert_rows(SampledHousehold.__table__, ("round_id", "household_id", "replicate", "released", "probability",
                                             "building_probability"),
                [(round_.id, hid, 1, True, 1.0, 1.0) for hid, _cid in households])
    touched = sorted({cid for _hid, cid in households})
    counts = frame_counts(touched)
    have = {r.community_id: r for r in db.session.scalars(
        select(RoundCommunity).where(RoundCommunity.round_id == round_.id,
                                     RoundCommunity.community_id.in_(touched)))}
    for cid in touched:
        row = have.get(cid) or RoundCommunity(round_id=round_.id, community_id=cid, replicates=1, released=1,
                                              note="")
        row.households, row.buildings = counts[cid]
        db.session.add(row)
    round_.changed_at = utcnow()
    return issue_tokens(round_.id, households)

