"""What a round's sample looks like: counts of each outcome per round and per community, and the sample list.

Every outcome comes from :func:`survey.services.outcomes.outcome_of`; the queries only group households by
what it reads (the response status), so the counts and the lists always agree with it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TextIO

from sqlalchemy import and_, func, select

from ..extensions import db
from ..models import Community, Household, Response, Round, RoundCommunity, SampledHousehold, Token
from .communities import natural_key
from .outcomes import PRIORITY, outcome_of
from .tokens import url_for_token

SAMPLE_COLUMNS = ("community_code", "building", "unit", "replicate", "probability", "outcome", "url")


@dataclass
class Tally:
    """Sampled households (all replicates), released ones, and released ones by outcome code."""

    sampled: int = 0
    released: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PRIORITY, 0))

    def add(self, released: bool, status: str | None, n: int) -> None:
        self.sampled += n
        if released:
            self.released += n
            self.outcomes[outcome_of(status)] += n


@dataclass(frozen=True)
class RoundSummary:
    round: Round
    tally: Tally
    open_link: int  # answers through community posters: not part of the sample


@dataclass(frozen=True)
class CommunitySummary:
    code: str
    name: str
    row: RoundCommunity
    tally: Tally


def _grouped(*keys):
    """Sampled households grouped by ``keys``, released flag and response status, with their number."""
    response = and_(Response.round_id == SampledHousehold.round_id,
                    Response.household_id == SampledHousehold.household_id)
    return (select(*keys, SampledHousehold.released, Response.status, func.count())
            .outerjoin(Response, response).group_by(*keys, SampledHousehold.released, Response.status))


def summaries() -> list[RoundSummary]:
    """Every round, newest first, with its counts."""
    tallies: dict[int, Tally] = {}
    for round_id, released, status, n in db.session.execute(_grouped(SampledHousehold.round_id)):
        tallies.setdefault(round_id, Tally()).add(released, status, n)
    open_link = dict(db.session.execute(
        select(Response.round_id, func.count()).where(Response.household_id.is_(None)).group_by(Response.round_id)
    ).all())
    rounds = db.session.scalars(select(Round).order_by(Round.id.desc()))
    return [RoundSummary(r, tallies.get(r.id, Tally()), open_link.get(r.id, 0)) for r in rounds]


def summary(round_: Round) -> RoundSummary:
    return next(s for s in summaries() if s.round.id == round_.id)


def communities(round_: Round) -> list[CommunitySummary]:
    """The communities of a round's draw with N_c, B_c, n asked, replicates and their counts."""
    tallies: dict[int, Tally] = {}
    query = _grouped(Household.community_id).join(Household, Household.id == SampledHousehold.household_id) \
        .where(SampledHousehold.round_id == round_.id)
    for community_id, released, status, n in db.session.execute(query):
        tallies.setdefault(community_id, Tally()).add(released, status, n)
    rows = db.session.execute(
        select(Community.code, Community.name, RoundCommunity).join(RoundCommunity)
        .where(RoundCommunity.round_id == round_.id).order_by(Community.code))
    return [CommunitySummary(code, name, row, tallies.get(row.community_id, Tally())) for code, name, row in rows]


def sample_rows(round_: Round) -> Iterator[tuple]:
    """The released sampled households of a round in community/building/unit order, as ``SAMPLE_COLUMNS``."""
    query = (
        select(Community.code, Household.building, Household.unit, SampledHousehold.replicate,
               SampledHousehold.probability, Response.status, Token.token)
        .join(Household, Household.id == SampledHousehold.household_id)
        .join(Community, Community.id == Household.community_id)
        .outerjoin(Response, and_(Response.round_id == round_.id, Response.household_id == Household.id))
        .outerjoin(Token, and_(Token.round_id == round_.id, Token.household_id == Household.id))
        .where(SampledHousehold.round_id == round_.id, SampledHousehold.released)
    )
    rows = sorted(db.session.execute(query), key=lambda r: (r[0], natural_key(r[1]), natural_key(r[2])))
    for code, building, unit, replicate, probability, status, secret in rows:
        yield (code, building, unit, replicate, repr(float(probability)), outcome_of(status),
               url_for_token(secret) if secret else "")


def write_sample(round_: Round, out: TextIO) -> int:
    """``export-sample``: the CSV of :func:`sample_rows` under ``SAMPLE_COLUMNS``; return rows written."""
    writer = csv.writer(out)
    writer.writerow(SAMPLE_COLUMNS)
    count = 0
    for row in sample_rows(round_):
        writer.writerow(row)
        count += 1
    return count
