"""Population margins of the weight chain: checked and turned into raking margins over the respondents."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from numbers import Real

import numpy as np

from ._checks import factorize, label, missing_mask
from ._errors import AnalysisError, WeightingError

__all__ = ["Margin", "raking_margins"]


@dataclass(frozen=True)
class Margin:
    """Adult population per category of one variable, in one scope (``"*"`` = the city, or a district code)."""

    scope: str
    variable: str
    totals: Mapping = field(hash=False)


@dataclass(frozen=True, eq=False)
class _Raking:
    """One raking margin: levels over the respondents (text), their totals, and where each level came from."""

    name: str
    groups: np.ndarray = field(repr=False)
    totals: dict = field(repr=False)
    origin: dict = field(repr=False)  # level -> (scope, variable, category)

    def triple(self):
        return (self.name, self.groups, self.totals)

    def achieved(self, weights) -> tuple:
        """(scope, variable, category, target, achieved) for every level of this margin."""
        sums = np.bincount(self.groups, weights=weights, minlength=max(self.totals) + 1)
        return tuple((*self.origin[k], self.totals[k], float(sums[k])) for k in sorted(self.totals))


def _totals(margin: Margin) -> dict:
    if not isinstance(margin.totals, Mapping) or not margin.totals:
        raise AnalysisError(f"margins: {margin.scope}/{margin.variable}: totals must be a non-empty mapping")
    out = {}
    for category, total in margin.totals.items():
        if isinstance(total, bool) or not isinstance(total, Real) or not np.isfinite(total) or total < 0:
            raise AnalysisError(f"margins: {margin.scope}/{margin.variable}, category {category!r}: total "
                                f"{total!r} is not a non-negative number")
        out[label(category)] = float(total)
    return out


def _answers(values, variable, resp, n):
    """Codes of the respondents' answers and the category label of each code."""
    if not isinstance(values, Mapping) or variable not in values:
        raise AnalysisError(f"values: no answers for margin variable {variable!r}")
    arr = np.asarray(values[variable])
    if arr.ndim != 1 or arr.shape[0] != n:
        raise AnalysisError(f"values[{variable!r}]: expected {n} rows, got shape {arr.shape}")
    mine = arr[resp]
    gone = missing_mask(mine)
    if gone.any():
        row = int(np.flatnonzero(resp)[np.flatnonzero(gone)[0]]) + 1
        raise WeightingError(f"values[{variable!r}]: respondent at row {row} has no answer")
    codes, levels = factorize(mine)
    return codes, [label(v) for v in levels.tolist()]


def _level_checks(scope, variable, present, totals):
    for category in sorted(present):
        if category not in totals:
            raise WeightingError(f"margin {scope}/{variable}: category {category!r} has respondents but no "
                                 "population total")
    for category, total in totals.items():
        if total > 0 and category not in present:
            raise WeightingError(f"margin {scope}/{variable}: category {category!r} (total {total:g}) has no "
                                 "respondent; raking cannot meet it, collapse it with a neighbouring category")
        if total == 0 and category in present:
            raise WeightingError(f"margin {scope}/{variable}: category {category!r} has respondents but a "
                                 "population total of 0")


def _city(variable, totals, codes, cats):
    present = {cats[k] for k in np.unique(codes).tolist()}
    _level_checks("*", variable, present, totals)
    keys = {c: k for k, c in enumerate(cats)}
    target = {keys[c]: v for c, v in totals.items() if c in keys}
    return _Raking(f"{variable}@*", codes, target, {keys[c]: ("*", variable, c) for c in totals if c in keys})


def _districts(variable, scopes, codes, cats, dist):
    """The district margins of ``variable`` as one margin over (district, category) levels."""
    dcodes, dlabels = dist
    used = np.unique(dcodes).tolist()
    missing = sorted(dlabels[k] for k in used if dlabels[k] not in scopes)
    if missing:
        raise AnalysisError(f"margins: variable {variable!r} has district margins but none for district "
                            f"{missing[0]!r}, which has respondents")
    extra = sorted(set(scopes) - {dlabels[k] for k in used})
    if extra:
        raise WeightingError(f"margin {extra[0]}/{variable}: district {extra[0]!r} has no respondent")
    ncat = len(cats)
    groups = dcodes.astype(np.int64) * ncat + codes
    present = np.unique(groups).tolist()
    keys = {c: k for k, c in enumerate(cats)}
    totals, origin = {}, {}
    for d in used:
        scope = dlabels[d]
        _level_checks(scope, variable, {cats[g % ncat] for g in present if g // ncat == d}, scopes[scope])
        for c, v in scopes[scope].items():
            if c in keys:
                totals[d * ncat + keys[c]] = v
                origin[d * ncat + keys[c]] = (scope, variable, c)
    return _Raking(f"{variable}@districts", groups, totals, origin)


def raking_margins(margins, values, resp, dist, n) -> list:
    """Checked raking margins, in the order their variables first appear in ``margins`` (city one first).

    ``dist`` is (district code per row, district labels).
    """
    by_var: dict = {}
    for m in margins:
        if not isinstance(m, Margin):
            raise AnalysisError(f"margins: expected Margin(scope, variable, totals), got {m!r}")
        scopes = by_var.setdefault(str(m.variable), {})
        scope = label(m.scope)
        if scope in scopes:
            raise AnalysisError(f"margins: {scope}/{m.variable} is given twice")
        scopes[scope] = _totals(m)
    rdist = (dist[0][resp], dist[1])
    out = []
    for variable, scopes in by_var.items():
        codes, cats = _answers(values, variable, resp, n)
        if "*" in scopes:
            out.append(_city(variable, scopes.pop("*"), codes, cats))
        if scopes:
            out.append(_districts(variable, scopes, codes, cats, rdist))
    for m in out[1:]:
        first, this = sum(out[0].totals.values()), sum(m.totals.values())
        if abs(this - first) > 1e-9 * first:
            raise WeightingError(f"margins disagree on the population: {out[0].name} sums to {first:.10g}, "
                                 f"{m.name} to {this:.10g}")
    return out
