"""A round's AAPOR outcome rates, live: overall and per district, street and community (issue #10).

One grouped query counts the round's released sampled households by community and response status; each status
becomes its outcome through :func:`survey.services.outcomes.outcome_of` (so the counts agree with the sample list
and the weights), numpy sums communities into streets, districts and the whole round, and
``analysis.outcome_rates`` gives every rate. AAPOR's e is estimated once, over the whole round
(``analysis.eligibility_share``), and used at every level. The ``interviewer`` level needs interviewer visits and
comes with them.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from typing import TextIO

import numpy as np
from sqlalchemy import and_, func, select

from analysis import RATES, eligibility_share, outcome_rates

from ..extensions import db
from ..models import Community, District, Household, Response, Round, RoundCommunity, SampledHousehold, Street
from .outcomes import OUTCOMES, outcome_of

__all__ = ["COLUMNS", "LEVELS", "RateRow", "RoundRates", "compute", "write_rates"]

#: The outcome counts of a row, in the CSV's order.
CODES = tuple(OUTCOMES)
#: The levels of the CSV, in its order (``overall`` has an empty code).
LEVELS = ("overall", "district", "street", "community")
#: The CSV header of ``flask --app wsgi response-rates``: a contract.
COLUMNS = ("level", "code", *CODES, "e", *RATES)


@dataclass(frozen=True)
class RateRow:
    """One unit's counts (outcome code -> households), the round's e, and its rates (NaN: denominator 0)."""

    level: str
    code: str
    counts: dict[str, int]
    e: float
    rates: dict[str, float]


@dataclass(frozen=True)
class RoundRates:
    """Every row of a round: overall first, then districts, streets and communities, each by code."""

    round: Round
    e: float
    rows: tuple[RateRow, ...]

    @property
    def overall(self) -> RateRow:
        return self.rows[0]

    def level(self, level: str) -> dict[str, RateRow]:
        """The rows of one level by code."""
        return {row.code: row for row in self.rows if row.level == level}


def _geography(round_: Round) -> list[tuple[int, str, str, str]]:
    """(community id, community code, street code, district code) of the round's communities, by community code."""
    query = (select(Community.id, Community.code, Street.code, District.code)
             .join(Street, Street.id == Community.street_id).join(District, District.id == Street.district_id)
             .join(RoundCommunity, RoundCommunity.community_id == Community.id)
             .where(RoundCommunity.round_id == round_.id).order_by(Community.code))
    return [tuple(row) for row in db.session.execute(query)]


def _community_counts(round_: Round, ids: list[int]) -> np.ndarray:
    """Released sampled households per (community of ``ids``, outcome of ``CODES``): one grouped query."""
    response = and_(Response.round_id == SampledHousehold.round_id,
                    Response.household_id == SampledHousehold.household_id)
    query = (select(Household.community_id, Response.status, func.count())
             .select_from(SampledHousehold).join(Household, Household.id == SampledHousehold.household_id)
             .outerjoin(Response, response)
             .where(SampledHousehold.round_id == round_.id, SampledHousehold.released.is_(True))
             .group_by(Household.community_id, Response.status))
    rows = db.session.execute(query).all()
    counts = np.zeros((len(ids), len(CODES)), dtype=np.int64)
    if rows:
        where = {community_id: k for k, community_id in enumerate(ids)}
        column = {code: k for k, code in enumerate(CODES)}
        outcome = {status: column[outcome_of(status)] for status in {status for _, status, _ in rows}}
        np.add.at(counts, ([where[c] for c, _, _ in rows], [outcome[s] for _, s, _ in rows]),
                  [n for _, _, n in rows])
    return counts


def _summed(counts: np.ndarray, keys: list[str]) -> tuple[list[str], np.ndarray]:
    """Rows of ``counts`` summed by ``keys`` (one per row): the distinct keys in order and their sums."""
    codes, inverse = np.unique(np.array(keys, dtype=str), return_inverse=True)
    sums = np.zeros((len(codes), counts.shape[1]), dtype=np.int64)
    np.add.at(sums, inverse.reshape(-1), counts)
    return codes.tolist(), sums


def compute(round_: Round) -> RoundRates:
    """Counts and rates of ``round_`` at every level of :data:`LEVELS`, e estimated once over the round."""
    geography = _geography(round_)
    ids = [row[0] for row in geography]
    communities = _community_counts(round_, ids)
    districts, by_district = _summed(communities, [row[3] for row in geography])
    streets, by_street = _summed(communities, [row[2] for row in geography])
    labels = ([("overall", "")] + [("district", c) for c in districts] + [("street", c) for c in streets]
              + [("community", row[1]) for row in geography])
    counts = np.vstack([communities.sum(axis=0, keepdims=True), by_district, by_street, communities])
    columns = {code: counts[:, k] for k, code in enumerate(CODES)}
    e = float(eligibility_share({code: values[0] for code, values in columns.items()}))
    rates = outcome_rates(columns, e)
    rows = tuple(
        RateRow(level, code, {c: int(columns[c][k]) for c in CODES}, e, {name: float(rates[name][k]) for name in RATES})
        for k, (level, code) in enumerate(labels))
    return RoundRates(round_, e, rows)


def _cell(value: float) -> str:
    return "" if math.isnan(value) else repr(value)


def write_rates(rates: RoundRates, out: TextIO) -> int:
    """``response-rates``: the CSV of ``rates`` under :data:`COLUMNS`, a rate with a 0 denominator (or e with no
    case of known eligibility) empty; return the rows written."""
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rates.rows:
        writer.writerow([row.level, row.code, *(row.counts[c] for c in CODES), _cell(row.e),
                         *(_cell(row.rates[name]) for name in RATES)])
    return len(rates.rows)
