"""Input checks shared by the weighting functions.

Each function checks one argument once, at the top of a public function, and raises
:class:`WeightingError` with a message that names the argument (and the column, level or row; rows are
counted from 1, as in the rest of ``analysis``).
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Real

import numpy as np

from ._checks import AnalysisError

__all__ = ["WeightingError"]


class WeightingError(AnalysisError):
    """Weights, margins or population totals that cannot be used as given.

    A subclass of :class:`AnalysisError` (so of :class:`ValueError`); the message names the argument, the
    column and the level.
    """


def readonly(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float, copy=True)
    a.flags.writeable = False
    return a


def as_weights(weights, *, name: str = "weights", n: int | None = None) -> np.ndarray:
    """A 1-D float copy of `weights`; every value finite and non-negative."""
    try:
        w = np.array(weights, dtype=float, copy=True)
    except (TypeError, ValueError) as exc:
        raise WeightingError(f"{name} must be numeric: {exc}") from None
    if w.ndim != 1:
        raise WeightingError(f"{name} must be one-dimensional, got shape {w.shape}")
    if n is not None and w.shape[0] != n:
        raise WeightingError(f"{name} has {w.shape[0]} rows, expected {n}")
    bad = np.flatnonzero(~np.isfinite(w))
    if bad.size:
        raise WeightingError(f"{name} must be finite: row {bad[0] + 1} is {w[bad[0]]}")
    bad = np.flatnonzero(w < 0)
    if bad.size:
        raise WeightingError(f"{name} must be non-negative: row {bad[0] + 1} is {w[bad[0]]}")
    return w


def _is_missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    return isinstance(value, str | np.str_) and value == ""


def as_labels(groups, *, n: int, name: str, argument: str = "groups") -> tuple[list, np.ndarray]:
    """Levels (in order of first appearance is not promised: sorted when sortable) and integer codes."""
    arr = np.asarray(groups)
    if arr.ndim != 1:
        raise WeightingError(f"{argument} for column {name!r} must be one-dimensional, got shape {arr.shape}")
    if arr.shape[0] != n:
        raise WeightingError(f"{argument} for column {name!r} has {arr.shape[0]} rows, expected {n} "
                             "(one per row of weights)")
    if arr.dtype.kind in "biuUS" or (arr.dtype.kind == "f" and not np.isnan(arr).any()):
        if arr.dtype.kind in "US":
            empty = np.flatnonzero(arr == arr.dtype.type(""))
            if empty.size:
                raise WeightingError(f"column {name!r} has a missing (empty) level at row {empty[0] + 1}")
        levels, codes = np.unique(arr, return_inverse=True)
        return levels.tolist(), codes.reshape(-1).astype(np.intp)
    index: dict = {}
    codes = np.empty(n, dtype=np.intp)
    for i, value in enumerate(arr.tolist()):
        if _is_missing(value):
            raise WeightingError(f"column {name!r} has a missing level at row {i + 1}")
        codes[i] = index.setdefault(value, len(index))
    return list(index), codes


def as_totals(totals, *, name: str) -> dict:
    """Population totals per level: a mapping level -> finite, non-negative number."""
    if not isinstance(totals, Mapping):
        raise WeightingError(f"totals for column {name!r} must be a mapping level -> population total, "
                             f"got {type(totals).__name__}")
    out = {}
    for level, value in totals.items():
        if isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(value) or value < 0:
            raise WeightingError(f"population total of column {name!r}, level {level!r} must be a "
                                 f"non-negative number, got {value!r}")
        out[level] = float(value)
    return out


def match_totals(levels: list, codes: np.ndarray, weights: np.ndarray, totals, *, name: str) -> np.ndarray:
    """Population total for each sample level, after checking that sample and population agree.

    A sample level without a population total (or with a zero total), and a population level with a
    positive total but no weight in the sample, are errors naming the column and the level.
    """
    pop = as_totals(totals, name=name)
    sample = np.bincount(codes, weights=weights, minlength=len(levels))
    target = np.empty(len(levels))
    for k, level in enumerate(levels):
        if level not in pop:
            known = ", ".join(repr(v) for v in pop)
            raise WeightingError(f"column {name!r}: sample level {level!r} is missing from the population "
                                 f"totals (levels given: {known})")
        target[k] = pop[level]
        if target[k] == 0:
            raise WeightingError(f"column {name!r}: sample level {level!r} has respondents but a population "
                                 "total of 0")
        if sample[k] == 0:
            raise WeightingError(f"column {name!r}: level {level!r} has population total {pop[level]:g} but "
                                 "its respondents all have weight 0")
    present = set(levels)
    for level, value in pop.items():
        if value > 0 and level not in present:
            raise WeightingError(f"column {name!r}: population level {level!r} (total {value:g}) has no "
                                 "respondents; collapse it with a neighbouring level")
    return target
