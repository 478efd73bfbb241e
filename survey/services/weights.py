"""A round's weights: the weight chain of ``rounds-and-weights.md`` run on the round's rows, stored per household.

:func:`compute` reads the round (:func:`~survey.services.round_data.read_round`, the one place rows become
arrays), hands the arrays to :func:`analysis.weight_chain` (steps 1-5: base weight, unknown eligibility,
non-response within classes, the adult in the household, raking to the round's margins, optional trimming), and
stores every household's factors with the parameters that produced them and a timestamp. :func:`fresh` gives the
stored weights, recomputing them when they are older than the round's last change (a draw, a release, margins,
loaded or saved answers) or were made with other parameters.
"""

from __future__ import annotations

import csv
import math
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TextIO

import numpy as np
from sqlalchemy import delete, func, select

import analysis

from ..errors import WeightsError
from ..extensions import db
from ..models import HouseholdWeight, Response, Round, WeightRun
from ..models._common import utcnow
from . import margins as round_margins
from ._bulk import insert_columns
from .round_data import RoundArrays, read_round

ADULTS = "H1"  # the item that counts the household's eligible adults (step 4)
WEIGHT_COLUMNS = ("community_code", "building", "unit", "outcome", "response_id", "base_weight", "unknown_factor",
                  "nonresponse_factor", "adults", "person_factor", "calibration_factor", "final_weight",
                  "weight_class")


@dataclass(frozen=True)
class WeightParameters:
    """What a run of the chain depends on besides the data (stored with the run)."""

    cap: int = 4  # most adults counted in the person factor
    min_class: int = 5  # fewest respondents in a non-response class before it is merged
    trim: tuple[float, float] | None = None  # bounds as multiples of the median weight, then re-raked

    def as_dict(self) -> dict:
        data = asdict(self)
        data["trim"] = list(self.trim) if self.trim else None
        return data

    @classmethod
    def from_dict(cls, data: dict) -> WeightParameters:
        trim = data.get("trim")
        return cls(int(data.get("cap", 4)), int(data.get("min_class", 5)), tuple(trim) if trim else None)


def compute(round_: Round, parameters: WeightParameters | None = None) -> WeightRun:
    """Run the chain on the round as it is now; store the result (replacing earlier runs) and return it."""
    parameters = parameters or WeightParameters()
    stamp = utcnow()
    chain, arrays = _chain(round_, parameters)
    report = analysis.diagnostics(chain, arrays.community)
    db.session.execute(delete(WeightRun).where(WeightRun.round_id == round_.id))
    run = WeightRun(round_id=round_.id, parameters=parameters.as_dict(), created_at=stamp,
                    diagnostics=_diagnostics_json(report, arrays, chain, round_))
    db.session.add(run)
    db.session.flush()
    _store(run, arrays, chain)
    db.session.commit()
    return run


def fresh(round_: Round, parameters: WeightParameters | None = None) -> WeightRun:
    """The round's stored weights if they are up to date (and made with ``parameters`` when given); else
    computed now."""
    run = latest(round_)
    if run is not None and not stale(round_, run) and (parameters is None or parameters.as_dict() == run.parameters):
        return run
    return compute(round_, parameters or (WeightParameters.from_dict(run.parameters) if run else None))


def latest(round_: Round) -> WeightRun | None:
    return db.session.scalar(select(WeightRun).where(WeightRun.round_id == round_.id)
                             .order_by(WeightRun.id.desc()).limit(1))


def stale(round_: Round, run: WeightRun) -> bool:
    """Whether anything the weights read changed after ``run`` was made."""
    answered = db.session.scalar(select(func.max(Response.updated_at)).where(Response.round_id == round_.id))
    made = _utc(run.created_at)
    return any(moment is not None and _utc(moment) > made for moment in (round_.changed_at, answered))


@dataclass(frozen=True, eq=False)
class WeightedRound:
    """A round ready for estimates: the variance design over its respondents (final weights, the design's
    strata/PSU/fpc, the raking's calibration) and the respondents' rows (``rows`` indexes ``arrays``)."""

    design: analysis.Design
    arrays: RoundArrays
    rows: np.ndarray
    chain: analysis.WeightChain

    def answers(self, item: str) -> np.ndarray:
        """The respondents' answers to ``item`` (NaN where unanswered), aligned with the design."""
        return self.arrays.answers[item][self.rows]

    def column(self, values: np.ndarray) -> np.ndarray:
        """A column of the round's rows (community codes …) restricted to the respondents."""
        return values[self.rows]


def weighted_design(round_: Round, items=(), parameters: WeightParameters | None = None,
                    lonely_psu: str = "adjust") -> WeightedRound:
    """The chain run on the round as it is now and its design for estimates of ``items`` (rates-and-weights
    page: strata = community; PSU = household, or building for two-stage; fpc = N_c, or B_c)."""
    chain, arrays = _chain(round_, parameters or WeightParameters(), items)
    strata, psu, fpc = arrays.design_columns()
    design = chain.design(strata=strata, psu=psu, fpc=fpc, lonely_psu=lonely_psu)
    return WeightedRound(design, arrays, np.flatnonzero(chain.respondent), chain)


def _chain(round_: Round, parameters: WeightParameters,
           extra=()) -> tuple[analysis.WeightChain, RoundArrays]:
    margins = round_margins.of_round(round_)
    variables = sorted({m.variable for m in margins})
    items = [ADULTS, *variables] if _asks(round_, ADULTS) else variables
    arrays = read_round(round_, sorted({*items, *extra}))
    if len(arrays) == 0:
        raise WeightsError(f"round {round_.code} has no released sampled household")
    outcome = arrays.outcomes()
    if not (outcome == "I").any():
        raise WeightsError(f"round {round_.code} has no complete interview yet: there is nobody to weight")
    try:
        chain = analysis.weight_chain(
            base_weight=1.0 / arrays.probability, outcome=outcome, community=arrays.community,
            street=arrays.street, district=arrays.district,
            adults=arrays.answers[ADULTS] if ADULTS in items else None,
            values={v: arrays.answers[v] for v in variables}, margins=margins, cap=parameters.cap,
            min_respondents=parameters.min_class, trim=parameters.trim)
    except analysis.AnalysisError as err:
        raise WeightsError(f"round {round_.code}: the weights cannot be computed: {err}") from None
    return chain, arrays


def _asks(round_: Round, item: str) -> bool:
    from . import versions

    return round_.version is not None and item in {q.code for q in versions.definition(round_.version).items}


def _store(run: WeightRun, arrays: RoundArrays, chain: analysis.WeightChain) -> None:
    adults = arrays.answers.get(ADULTS)
    n = len(arrays)
    insert_columns(HouseholdWeight.__table__, {
        "run_id": np.full(n, run.id, dtype=np.int64), "sampled_household_id": arrays.sample_id,
        "base_weight": chain.base_weight, "unknown_factor": chain.unknown_factor,
        "nonresponse_factor": chain.nonresponse_factor,
        "adults": [None] * n if adults is None else _whole(np.where(chain.respondent, adults, np.nan)),
        "person_factor": chain.person_factor, "calibration_factor": chain.calibration_factor,
        "final_weight": chain.final_weight, "weight_class": chain.weight_class.astype(str)})


def _whole(values: np.ndarray) -> list:
    """Whole numbers as Python ints, NaN as None (an integer column)."""
    return [None if not math.isfinite(v) else int(v) for v in values.tolist()]


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _diagnostics_json(report, arrays: RoundArrays, chain: analysis.WeightChain, round_: Round) -> dict:
    households = dict(zip(arrays.community.tolist(), arrays.community_households.tolist(), strict=True))
    return {
        "communities": {c: {**_summary(s), "households": int(households[c])} for c, s in report.communities.items()},
        "overall": {**_summary(report.overall), "households": int(sum(households.values()))},
        "margins": [list(row) for row in report.margins],
        "merges": [{"level": m.level, "classes": list(m.classes), "respondents": m.respondents}
                   for m in report.merges],
        "outcomes": {code: int(n) for code, n in zip(*np.unique(arrays.outcomes(), return_counts=True), strict=True)},
    }


def _summary(s) -> dict:
    return {key: (None if isinstance(v, float) and not math.isfinite(v) else v) for key, v in asdict(s).items()}


def write_weights(round_: Round, out: TextIO, parameters: WeightParameters | None = None) -> int:
    """Write one row per released sampled household (header :data:`WEIGHT_COLUMNS`); return the row count.

    Factors are empty where a step does not apply; ``final_weight`` is empty for everyone who is not a
    respondent. Weights are computed first when the stored ones are out of date."""
    run = fresh(round_, parameters)
    writer = csv.writer(out)
    writer.writerow(WEIGHT_COLUMNS)
    count = 0
    for row in weight_rows(round_, run):
        writer.writerow(row)
        count += 1
    return count


def weight_rows(round_: Round, run: WeightRun):
    """The cells of :data:`WEIGHT_COLUMNS` for every household of ``run``, in (community, building, unit) order."""
    arrays = read_round(round_, ordered=True)
    t = HouseholdWeight.__table__.c
    query = select(t.sampled_household_id, t.base_weight, t.unknown_factor, t.nonresponse_factor, t.adults,
                   t.person_factor, t.calibration_factor, t.final_weight, t.weight_class).where(t.run_id == run.id)
    stored = {row[0]: row[1:] for row in db.session.execute(query)}
    empty = (None,) * 8
    for i, (sid, outcome) in enumerate(zip(arrays.sample_id.tolist(), arrays.outcomes().tolist(), strict=True)):
        *numbers, weight_class = stored.get(sid, empty)
        yield [arrays.community[i], arrays.building[i], arrays.unit[i], outcome, arrays.response_id[i],
               *("" if v is None else repr(v) for v in numbers), weight_class or ""]
