"""Input checking and factorisation shared by the design, the estimators and the weighting functions.

Every public function checks its inputs once, at the top, through these helpers, so that an error names the
argument (or the column, level, stratum or row; rows are counted from 1) that caused it. The estimators raise
:class:`AnalysisError`; the weighting helpers (``as_weights`` … ``match_totals``) raise :class:`WeightingError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Real

import numpy as np

from ._errors import AnalysisError, WeightingError
from ._frames import Factor, as_array

__all__ = ["AnalysisError", "WeightingError"]


def missing_mask(values: np.ndarray) -> np.ndarray:
    """True where a value is missing: NaN for numbers; None, NaN or an empty string for objects."""
    if values.dtype.kind == "f":
        return np.isnan(values)
    if values.dtype.kind in "iub":
        return np.zeros(values.shape, dtype=bool)
    if values.dtype.kind in "US":
        return values == values.dtype.type("")
    out = np.zeros(values.shape, dtype=bool)
    for i, v in enumerate(values):
        out[i] = v is None or v == "" or (isinstance(v, float) and v != v)
    return out


def as_vector(values, name: str, n: int | None = None) -> np.ndarray:
    """A 1-D array of length ``n`` (when given), or an error naming ``name``; Series go through ``as_array``."""
    arr = as_array(values)
    if arr.ndim != 1:
        raise AnalysisError(f"{name}: expected a 1-D array, got shape {arr.shape}")
    if n is not None and arr.shape[0] != n:
        raise AnalysisError(f"{name}: has {arr.shape[0]} rows, the design has {n}")
    return arr


def as_numeric(values, name: str, n: int | None = None, *, allow_missing: bool = True) -> np.ndarray:
    """Float64 copy of ``values``; text that is not a number is an error naming ``name`` and the row."""
    arr = as_vector(values, name, n)
    if arr.dtype.kind in "fiub":
        out = arr.astype(np.float64)
    else:
        out = np.empty(arr.shape[0], dtype=np.float64)
        for i, v in enumerate(arr.tolist()):
            if v is None or (isinstance(v, str) and v.strip() == ""):
                out[i] = np.nan
                continue
            try:
                out[i] = float(v)
            except (TypeError, ValueError):
                raise AnalysisError(f"{name}: non-numeric value {v!r} at row {i + 1}") from None
    with np.errstate(over="ignore"):  # a sum that overflows is no error here (see check_weights)
        if np.isfinite(out.sum()):  # one pass on the common path
            return out
    if not allow_missing and np.isnan(out).any():
        raise AnalysisError(f"{name}: missing value at row {int(np.flatnonzero(np.isnan(out))[0]) + 1}")
    if np.isinf(out).any():
        raise AnalysisError(f"{name}: infinite value at row {int(np.flatnonzero(np.isinf(out))[0]) + 1}")
    return out


def check_weights(weights, name: str = "weights") -> np.ndarray:
    """Weights as float64: numeric, finite, non-negative, not all zero."""
    w = as_numeric(weights, name, allow_missing=False)
    if w.shape[0] == 0:
        raise AnalysisError(f"{name}: no rows")
    if w.min() < 0:
        i = int(np.flatnonzero(w < 0)[0])
        raise AnalysisError(f"{name}: negative weight {w[i]:g} at row {i + 1}")
    if w.max() == 0:
        raise AnalysisError(f"{name}: all weights are zero")
    with np.errstate(over="ignore"):
        overflow = not np.isfinite(w.sum())
    if overflow:
        raise AnalysisError(f"{name}: the weights overflow (their sum exceeds {np.finfo(float).max:.3g}); rescale them")
    return w


def check_option(value: str, name: str, options: tuple[str, ...]) -> str:
    if value not in options:
        raise AnalysisError(f"{name}: {value!r} is not one of {', '.join(map(repr, options))}")
    return value


def check_level(level: float) -> float:
    try:
        level = float(level)
    except (TypeError, ValueError):
        raise AnalysisError(f"level: {level!r} is not a number") from None
    if not 0.0 < level < 1.0:
        raise AnalysisError(f"level: {level:g} is not strictly between 0 and 1")
    return level


def factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes 0..k-1 and the sorted levels; missing values get code -1.

    Small-range integers are coded in one O(n) pass (no sort), which matters at a million rows.
    """
    values = np.asarray(values)
    missing = missing_mask(values)
    if values.dtype.kind in "iu" and values.size:
        lo, hi = int(values.min()), int(values.max())
        if hi - lo <= 8 * values.size + 1_000_000:
            shifted = values.astype(np.int64, copy=False)
            if lo:
                shifted = shifted - lo
            present = np.zeros(hi - lo + 1, dtype=bool)
            present[shifted] = True
            remap = np.cumsum(present) - 1
            return remap[shifted], np.flatnonzero(present) + lo
    if values.dtype.kind == "f" and values.size and not missing.any():
        as_int = values.astype(np.int64)
        if np.array_equal(as_int, values):
            codes, levels = factorize(as_int)
            return codes, levels.astype(np.float64)
    if missing.any():
        codes = np.full(values.shape[0], -1, dtype=np.int64)
        kept = values[~missing]
        if kept.dtype.kind == "O":
            kept = _uniform_objects(kept)
        levels, inner = np.unique(kept, return_inverse=True)
        codes[~missing] = inner
        return codes, levels
    if values.dtype.kind == "O":
        values = _uniform_objects(values)
    levels, codes = np.unique(values, return_inverse=True)
    return codes.astype(np.int64, copy=False), levels


def as_factor(values, name: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Codes and sorted levels of a label column: a :class:`Factor` as it is, anything else by ``factorize``."""
    if isinstance(values, Factor):
        if len(values) != n:
            raise AnalysisError(f"{name}: has {len(values)} rows, the design has {n}")
        return values.codes, values.levels
    return factorize(as_vector(values, name, n))


def _uniform_objects(values: np.ndarray) -> np.ndarray:
    """Objects of mixed types cannot be sorted; compare them as text then."""
    kinds = {type(v) for v in values}
    if len(kinds) <= 1:
        return values
    return values.astype(str)


def label(level) -> str:
    """A level as text: integral floats without the trailing '.0' (so 3.0 prints as '3')."""
    if isinstance(level, float | np.floating) and float(level).is_integer():
        return str(int(level))
    if isinstance(level, np.generic):
        return str(level.item())
    return str(level)


# --- weighting inputs (raise WeightingError)

def readonly(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float, copy=True)
    a.flags.writeable = False
    return a


def as_weights(weights, *, name: str = "weights", n: int | None = None) -> np.ndarray:
    """A 1-D float copy of `weights`; every value finite and non-negative."""
    try:
        w = np.array(as_array(weights), dtype=float, copy=True)
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
    if isinstance(groups, Factor) and len(groups) == n:
        if (groups.codes < 0).any():
            row = int(np.flatnonzero(groups.codes < 0)[0]) + 1
            raise WeightingError(f"column {name!r} has a missing level at row {row}")
        return groups.levels.tolist(), groups.codes.astype(np.intp)
    arr = as_array(groups)
    if arr.ndim != 1:
        raise WeightingError(f"{argument} for column {name!r} must be one-dimensional, got shape {arr.shape}")
    if arr.shape[0] != n:
        raise WeightingError(f"{argument} for column {name!r} has {arr.shape[0]} rows, expected {n} "
                             "(one per row of weights)")
    if arr.dtype.kind in "iu":  # O(n) coding, no sort: raking a million rows codes every margin once
        codes, levels = factorize(arr)
        return levels.tolist(), codes.astype(np.intp, copy=False)
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
