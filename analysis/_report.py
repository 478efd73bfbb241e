"""Report cards: every indicator and every scored item of a round at every level (city, district, street, community).

The rules are those of rounds-and-weights.md, "What reports may claim": rates with code 9 ("can't say") in the
denominator, also without it, and the share of code 9; indicators as the (item-weighted) mean of their item
estimates, each item over its valid answers (:func:`analysis.composite`); domain estimation on the whole design,
one pass per level; the NCHS reliability mark of :func:`nchs_marks`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ._checks import AnalysisError, as_factor, as_numeric, check_level
from ._design import Design
from ._estimators import code_rate, code_score, composite, mean, proportion
from ._frames import Factor
from ._intervals import rate_interval
from ._marks import nchs_marks
from ._results import DomainEstimates

__all__ = ["CANT_SAY", "CardEntry", "IndicatorDefinition", "ItemDefinition", "ReportCard", "report_card"]

CANT_SAY = 9  # the answer code "can't say" of every item


@dataclass(frozen=True)
class ItemDefinition:
    """A scored item: reported as a rate when ``positive`` is given (the answer codes counted as "yes"),
    else as a 0-100 score through ``scores`` (answer code -> score; codes without a score, such as 9, are
    missing for the score). An item may have both: the rate is reported, the scores serve score indicators."""

    code: str
    positive: tuple = ()
    scores: Mapping | None = None

    @property
    def kind(self) -> str:
        return "rate" if self.positive else "score"


@dataclass(frozen=True)
class IndicatorDefinition:
    """An indicator: ``kind`` 'rate' (the mean of its items' rates) or 'score' (of their 0-100 scores),
    ``items`` the item codes and ``weights`` their weights a_k (default equal)."""

    code: str
    kind: str
    items: tuple
    weights: tuple | None = None


@dataclass(frozen=True, eq=False)
class CardEntry:
    """One indicator or item at one level: estimates for every unit of the level, in ``estimates.levels`` order.

    ``marks`` / ``reasons``: the NCHS mark ('suppress', 'review', 'ok') and its reason per unit.
    For rates, ``without_9`` is the rate with code 9 out of the denominator and ``share_9`` the share of code 9
    among the answers (both None for scores and indicators).
    """

    level: str
    code: str
    kind: str
    indicator: bool
    estimates: DomainEstimates
    marks: tuple
    reasons: tuple
    without_9: DomainEstimates | None = None
    share_9: DomainEstimates | None = None

    @property
    def name(self) -> str:
        """The estimate's name in exports: the indicator code, or ``item:<code>``."""
        return self.code if self.indicator else f"item:{self.code}"


@dataclass(frozen=True, eq=False)
class ReportCard:
    """Every entry of a round's report card; ``get(level, name)`` gives one (``name`` as :attr:`CardEntry.name`)."""

    entries: tuple
    levels: tuple
    _index: dict = field(init=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "_index", {(e.level, e.name): e for e in self.entries})

    def get(self, level: str, name: str) -> CardEntry:
        try:
            return self._index[(level, name)]
        except KeyError:
            raise AnalysisError(f"report card: no {name!r} at level {level!r}") from None

    def records(self) -> Iterator[dict]:
        """One dict per (level, unit, estimate): level, code (the unit), indicator, estimate, se, ci_low, ci_high,
        df, n, n_eff, deff, reliability (the export columns of issue 9 but ``name``)."""
        for e in self.entries:
            est = e.estimates
            for i, unit in enumerate(est.labels):
                yield {"level": e.level, "code": unit, "indicator": e.name, "estimate": float(est.estimate[i]),
                       "se": float(est.se[i]), "ci_low": float(est.ci_low[i]), "ci_high": float(est.ci_high[i]),
                       "df": int(est.df[i]), "n": int(est.n[i]), "n_eff": float(est.n_eff[i]),
                       "deff": float(est.deff[i]), "reliability": e.marks[i]}


def report_card(
    design: Design, answers: Mapping, items: Sequence[ItemDefinition], indicators: Sequence[IndicatorDefinition],
    levels: Mapping, *, level: float = 0.95,
) -> ReportCard:
    """Every indicator and every item at the city level and at every level of ``levels``.

    Parameters
    ----------
    design : Design
        The round's variance design over its respondents (final weights, strata, PSUs, fpc, calibration).
    answers : mapping item code -> array_like, shape (n,)
        Answer codes aligned with the design's rows; NaN where not answered (skip logic, no answer).
    items : sequence of ItemDefinition
    indicators : sequence of IndicatorDefinition
        Their items must be among ``items`` (with ``positive`` codes for a rate indicator, ``scores`` for a
        score indicator).
    levels : mapping level name -> array_like, shape (n,)
        E.g. ``{"district": ..., "street": ..., "community": ...}``; the city (one unit, ``"city"``) is added
        first.
    level : float
        Confidence level.

    Returns
    -------
    ReportCard

    Notes
    -----
    Every estimate is a domain estimate on the whole design (:func:`analysis.proportion`, :func:`analysis.mean`,
    :func:`analysis.composite`; Lumley 2010, sec. 2.3): one call per (estimate, level) covers every unit.
    Rates: logit interval expit(logit p +/- t_df se / (p(1-p))), R's ``svyciprop(method="logit")``; the NCHS
    mark uses the Korn-Graubard interval (Parker et al. 2017). Scores: Wald interval with the design df
    (R's ``confint(svymean(...), df=degf(design))``).
    """
    if not isinstance(design, Design):
        raise AnalysisError(f"design: expected a Design, got {type(design).__name__}")
    check_level(level)
    _check_definitions(items, indicators, answers)
    coded = {d.code: _coded(d, answers[d.code], design.n) for d in items}
    # each level factorised once (a Factor goes through the estimators as it is); missing labels: no unit
    units = {"city": Factor(np.zeros(design.n, dtype=np.int64), np.array(["city"], dtype=object))}
    for name, values in levels.items():
        if name == "city":
            raise AnalysisError("levels: 'city' is added by report_card; do not pass it")
        units[name] = Factor(*as_factor(values, f"levels[{name!r}]", design.n))
    entries = []
    for name, units_of in units.items():
        for ind in indicators:
            entries.append(_indicator(design, ind, coded, name, units_of, level))
        for d in items:
            entries.append(_item(design, d, coded[d.code], name, units_of, level))
    return ReportCard(tuple(entries), tuple(units))


def _check_definitions(items, indicators, answers) -> dict:
    defined = {}
    for d in items:
        if d.code in defined:
            raise AnalysisError(f"items: {d.code!r} is defined twice")
        if not d.positive and not d.scores:
            raise AnalysisError(f"items: {d.code!r} has neither positive codes nor scores")
        if d.code not in answers:
            raise AnalysisError(f"answers: no answers for item {d.code!r}")
        defined[d.code] = d
    for ind in indicators:
        if ind.kind not in ("rate", "score"):
            raise AnalysisError(f"indicators: {ind.code!r} has kind {ind.kind!r}, not 'rate' or 'score'")
        if not ind.items:
            raise AnalysisError(f"indicators: {ind.code!r} has no items")
        for code in ind.items:
            d = defined.get(code)
            if d is None:
                raise AnalysisError(f"indicators: {ind.code!r} uses item {code!r}, which is not defined")
            if (ind.kind == "rate" and not d.positive) or (ind.kind == "score" and not d.scores):
                what = "positive codes" if ind.kind == "rate" else "scores"
                raise AnalysisError(f"indicators: {ind.code!r} is a {ind.kind} but item {code!r} has no {what}")
    return defined


def _coded(d: ItemDefinition, values, n: int) -> dict:
    """The item's coded columns: rate (9 in the denominator), rate without 9, code 9, score."""
    y = as_numeric(values, f"answers[{d.code!r}]", n)
    out = {}
    if d.positive:
        out["rate"] = code_rate(y, list(d.positive))
        out["without_9"] = np.where(y == CANT_SAY, np.nan, out["rate"])
        out["share_9"] = code_rate(y, CANT_SAY)
    if d.scores:
        out["score"] = code_score(y, d.scores)
    return out


def _item(design, d, coded, name, units, level) -> CardEntry:
    if d.kind == "rate":
        est = proportion(coded["rate"], design, domain=units, level=level)
        without = proportion(coded["without_9"], design, domain=units, level=level)
        share = proportion(coded["share_9"], design, domain=units, level=level)
        marks, reasons = _marks(design, est, "rate", level)
        return CardEntry(name, d.code, "rate", False, est, marks, reasons, without, share)
    est = mean(coded["score"], design, domain=units, level=level)
    marks, reasons = _marks(design, est, "score", level)
    return CardEntry(name, d.code, "score", False, est, marks, reasons)


def _indicator(design, ind, coded, name, units, level) -> CardEntry:
    columns = [coded[c]["rate" if ind.kind == "rate" else "score"] for c in ind.items]
    est = composite(columns, design, item_weights=ind.weights, kind=ind.kind, domain=units, level=level)
    marks, reasons = _marks(design, est, ind.kind, level)
    return CardEntry(name, ind.code, ind.kind, True, est, marks, reasons)


def _marks(design, est: DomainEstimates, kind: str, level: float) -> tuple[tuple, tuple]:
    if kind == "rate":
        n_rows = np.full(len(est), design.n) if design.calibration is not None else est.n
        low, high = rate_interval(est.estimate, est.se, est.df, n_rows, method="beta", level=level)
    else:
        low, high = est.ci_low, est.ci_high
    return nchs_marks(est.estimate, low, high, est.n_eff, est.df, kind=kind)
