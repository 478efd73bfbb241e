"""Diagnostics of a weight chain: per community and overall (design page, "Diagnostics")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ._checks import as_vector, factorize, label
from ._errors import AnalysisError

__all__ = ["ChainDiagnostics", "WeightSummary", "diagnostics"]


@dataclass(frozen=True)
class WeightSummary:
    """Final weights of the respondents of one community (or of the city).

    ``deff`` is Kish's design effect of unequal weighting 1 + CV^2 = n sum w^2 / (sum w)^2 (Kish 1965,
    sec. 11.7); ``population`` is NaN when not given.
    """

    respondents: int
    weight_sum: float
    population: float
    min: float
    max: float
    ratio: float
    deff: float


@dataclass(frozen=True)
class ChainDiagnostics:
    """Per community (label -> :class:`WeightSummary`), overall, the margins achieved vs targets, the merges."""

    communities: dict
    overall: WeightSummary
    margins: tuple  # (scope, variable, category, target, achieved)
    merges: tuple


def _summary(w: np.ndarray, population: float) -> WeightSummary:
    if w.size == 0:
        return WeightSummary(0, 0.0, population, np.nan, np.nan, np.nan, np.nan)
    total = float(w.sum())
    return WeightSummary(int(w.size), total, population, float(w.min()), float(w.max()),
                         float(w.max() / w.min()) if w.min() > 0 else np.inf,
                         float(w.size * np.sum(w * w) / total**2))


def diagnostics(chain, community, population: Mapping | None = None) -> ChainDiagnostics:
    """Respondents, sum of final weights (vs ``population``: community -> total), min, max, max/min and Kish's
    deff per community of ``community`` (aligned with the chain's rows) and overall."""
    comm = as_vector(community, "community", chain.final_weight.shape[0])
    codes, levels = factorize(comm)
    names = [label(v) for v in levels.tolist()]
    if population is not None:
        pop = {label(k): float(v) for k, v in population.items()}
        unknown = sorted(set(pop) - set(names))
        if unknown:
            raise AnalysisError(f"population: community {unknown[0]!r} has no sampled household")
    else:
        pop = {}
    r = chain.respondent
    order = np.argsort(codes[r], kind="stable")
    w = chain.final_weight[r][order]
    parts = np.split(w, np.cumsum(np.bincount(codes[r], minlength=len(names)))[:-1])
    per = {c: _summary(p, pop.get(c, np.nan)) for c, p in zip(names, parts, strict=True)}
    total = sum(pop.values()) if population is not None else np.nan
    return ChainDiagnostics(per, _summary(w, total), chain.margin_table, chain.merges)
