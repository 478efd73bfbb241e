"""The one place in ``survey/`` that turns a round's rows into arrays for ``analysis/``.

:func:`read_round` reads, for every released sampled household of a round, its geography, building and unit,
selection probability, response (if any) with its status, and the answers to the items asked for, in two
streaming queries, and returns them as numpy columns aligned row by row (households in (community, building,
unit) order, so every run sees them alike). The variance design of each design (strata, PSU, fpc) is declared
here once, from the design page's table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import and_, select

from ..extensions import db
from ..models import Answer, Community, District, Household, Response, Round, SampledHousehold, Street
from .outcomes import RESPONSE_OUTCOMES


@dataclass(frozen=True, eq=False)
class RoundArrays:
    """Columns of a round's released sample, one row per sampled household (numpy arrays, same length)."""

    round: Round
    sample_id: np.ndarray  # sampled_household.id
    community: np.ndarray  # community codes (text)
    street: np.ndarray
    district: np.ndarray
    building: np.ndarray
    unit: np.ndarray
    probability: np.ndarray  # pi of the released sample
    building_probability: np.ndarray
    community_households: np.ndarray  # N_c of the household's community, at the draw
    community_buildings: np.ndarray  # B_c
    response_id: np.ndarray  # response.public_id, '' without a response
    status: np.ndarray  # the response's status, '' without a response
    answers: dict[str, np.ndarray] = field(default_factory=dict)  # item -> numbers (NaN: no answer)

    def __len__(self) -> int:
        return int(self.sample_id.shape[0])

    def outcomes(self) -> np.ndarray:
        """Each household's AAPOR outcome, as :func:`survey.services.outcomes.outcome_of` derives it."""
        from .outcomes import outcome_of

        by_status = {status: outcome_of(status or None) for status in ("", *RESPONSE_OUTCOMES)}
        return np.array([by_status[s] for s in self.status.tolist()], dtype="<U2")

    def design_columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(stratum, PSU, fpc) of the variance design of the round's sample design (rounds-and-weights.md):
        take-all and srs: strata = community, PSU = household, fpc = N_c; two-stage: PSU = building,
        fpc = B_c (first stage only, as R)."""
        if self.round.design == "two-stage":
            psu = np.char.add(np.char.add(self.community.astype(str), "/"), self.building.astype(str))
            return self.community, psu, self.community_buildings.astype(float)
        return self.community, self.sample_id.astype(str), self.community_households.astype(float)


def read_round(round_: Round, items: Sequence[str] = ()) -> RoundArrays:
    """Every released sampled household of ``round_`` with the numeric answers to ``items``."""
    from ..models import RoundCommunity

    response = and_(Response.round_id == SampledHousehold.round_id,
                    Response.household_id == SampledHousehold.household_id)
    query = (
        select(SampledHousehold.id, Community.code, Street.code, District.code, Household.building, Household.unit,
               SampledHousehold.probability, SampledHousehold.building_probability, RoundCommunity.households,
               RoundCommunity.buildings, Response.id, Response.public_id, Response.status)
        .join(Household, Household.id == SampledHousehold.household_id)
        .join(Community, Community.id == Household.community_id)
        .join(Street, Street.id == Community.street_id)
        .join(District, District.id == Street.district_id)
        .join(RoundCommunity, and_(RoundCommunity.round_id == SampledHousehold.round_id,
                                   RoundCommunity.community_id == Community.id))
        .outerjoin(Response, response)
        .where(SampledHousehold.round_id == round_.id, SampledHousehold.released.is_(True))
        .order_by(Community.code, Household.building, Household.unit)
    )
    rows = db.session.execute(query).all()
    columns = list(zip(*rows, strict=True)) if rows else [()] * 13
    text = [np.array(c, dtype=object) for c in columns[1:6]]
    response_ids = np.array([-1 if r is None else r for r in columns[10]], dtype=np.int64)
    return RoundArrays(
        round=round_,
        sample_id=np.array(columns[0], dtype=np.int64),
        community=text[0], street=text[1], district=text[2], building=text[3], unit=text[4],
        probability=np.array([np.nan if p is None else p for p in columns[6]], dtype=float),
        building_probability=np.array(columns[7], dtype=float),
        community_households=np.array(columns[8], dtype=np.int64),
        community_buildings=np.array(columns[9], dtype=np.int64),
        response_id=np.array(["" if p is None else p for p in columns[11]], dtype=object),
        status=np.array(["" if s is None else s for s in columns[12]], dtype=object),
        answers=_answers(round_, response_ids, items),
    )


def _answers(round_: Round, response_ids: np.ndarray, items: Sequence[str]) -> dict[str, np.ndarray]:
    """item -> the answer of each row's response as a number (NaN when absent or not a number)."""
    out = {item: np.full(response_ids.shape[0], np.nan) for item in items}
    if not items or response_ids.size == 0:
        return out
    position = {int(rid): i for i, rid in enumerate(response_ids.tolist()) if rid >= 0}
    query = (select(Answer.response_id, Answer.item, Answer.value)
             .join(Response, Response.id == Answer.response_id)
             .where(Response.round_id == round_.id, Response.household_id.is_not(None), Answer.item.in_(items)))
    for response_id, item, value in db.session.execute(query.execution_options(yield_per=50_000)):
        row = position.get(response_id)
        if row is not None:
            out[item][row] = _number(value)
    return out


def _number(cell: str) -> float:
    try:
        return float(cell)
    except ValueError:
        return np.nan
