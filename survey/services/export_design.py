"""The sampling-design columns of an export: one function, the one place the export reads them from.

``final_weight``, ``stratum``, ``psu`` and ``fpc`` of every response of a sampled household: the final weight of
the round's stored weight chain (recomputed first when out of date, as every page that needs weights does), and
the variance design of the round's sample design (``RoundArrays.design_columns``: strata = community; PSU =
household, or building for two-stage; fpc = N_c, or B_c). Open-link answers, and rounds whose weights cannot be
computed yet (no complete interview), have no final weight; a non-respondent has none either.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from sqlalchemy import select

from ..errors import WeightsError
from ..extensions import db
from ..models import HouseholdWeight, Round, SampledHousehold

DESIGN = ("final_weight", "stratum", "psu", "fpc")
EMPTY: Mapping[str, Any] = {name: None for name in DESIGN}


def design_columns(round_id: int | None, connection) -> Mapping[int, Mapping[str, Any]]:
    """Response id -> {final_weight, stratum, psu, fpc} of the responses of round ``round_id`` (None: every
    round). Read through the application's session before the export's snapshot streams (``connection`` is that
    snapshot; the weights may have to be computed, which writes)."""
    from . import weights
    from .round_data import read_round

    query = select(Round).where(Round.id.in_(select(SampledHousehold.round_id).distinct()))
    if round_id is not None:
        query = query.where(Round.id == round_id)
    out: dict[int, dict[str, Any]] = {}
    for round_ in db.session.scalars(query).all():
        try:
            run = weights.fresh(round_)
        except WeightsError:
            db.session.rollback()
            run = None
        arrays = read_round(round_)
        strata, psu, fpc = arrays.design_columns()
        finals = {} if run is None else dict(db.session.execute(
            select(HouseholdWeight.sampled_household_id, HouseholdWeight.final_weight)
            .where(HouseholdWeight.run_id == run.id)).all())
        for i in np.flatnonzero(arrays.response_pk >= 0).tolist():
            out[int(arrays.response_pk[i])] = {
                "final_weight": finals.get(int(arrays.sample_id[i])), "stratum": str(strata[i]),
                "psu": str(psu[i]), "fpc": float(fpc[i])}
    return out
