"""Input checking and factorisation shared by the design and the estimators.

Every public function checks its inputs once, at the top, through these helpers, so that an error names the
argument (or the column, level or stratum) that caused it.
"""

from __future__ import annotations

import numpy as np

__all__ = ["AnalysisError"]


class AnalysisError(ValueError):
    """Bad input to the statistics engine; the message names the argument, column, level or stratum."""


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
    """A 1-D array of length ``n`` (when given), or an error naming ``name``."""
    arr = np.asarray(values)
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
