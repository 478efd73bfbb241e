"""The survey design: weights, strata, PSUs nested in strata, first-stage FPC, lonely-PSU policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._checks import AnalysisError, as_factor, as_numeric, as_vector, check_option, check_weights, factorize, label
from ._frames import Factor, columns

__all__ = ["Design", "LONELY_PSU"]

LONELY_PSU = ("fail", "remove", "certainty", "adjust", "average")


@dataclass(frozen=True, eq=False)
class Design:
    """A stratified one-stage cluster design (the ultimate-cluster approximation), as R's ``svydesign``.

    Parameters
    ----------
    weights : array_like, shape (n,)
        Final (sampling or calibrated) weights; numeric, finite, non-negative.
    strata : array_like, shape (n,), optional
        Stratum label per row (e.g. the community). Default: one stratum.
    psu : array_like, shape (n,), optional
        Primary sampling unit per row (e.g. the building), nested in strata as R's ``nest=TRUE``: the same
        label in two strata is two PSUs. Default: every row is its own PSU.
    fpc : array_like, shape (n,), optional
        First-stage finite population correction, constant within a stratum: the population number of PSUs
        N_h (values > 1) or the sampling fraction f_h = n_h / N_h (values <= 1), as R's ``fpc=``.
        Default: none (sampling with replacement, f_h = 0).
    lonely_psu : {'fail', 'remove', 'certainty', 'adjust', 'average'}
        What a stratum with one sampled PSU contributes, with R's ``options(survey.lonely.psu=)`` meanings:
        ``fail`` (R's default) raises an error naming the stratum; ``remove`` and ``certainty`` contribute 0;
        ``adjust`` centres the lonely PSU at the grand mean (0 for a linearised mean), without n/(n-1);
        ``average`` drops singleton strata and scales the variance by H / H_ok. Like R, the check happens when
        a variance is computed and only strata with members in the estimate's domain count.
    calibration : object, optional
        From post-stratification or raking (``Calibrated.calibration``): its ``residualize(z)`` replaces the
        linearised scores by their residuals before summing by PSU, as R's ``svyrecvar`` does with
        ``postStrata``, so that standard errors account for the calibration.
    data : DataFrame or mapping, optional
        A pandas / polars DataFrame, pyarrow Table, DataFrame-interchange object or mapping name -> array
        (R's ``svydesign(data=)``). Then ``weights``, ``strata``, ``psu`` and ``fpc`` may be column names, and so
        may the ``y`` and ``domain`` of the estimators given this design; text columns are factorised by pyarrow.
        Kept as ``design.data`` (:class:`analysis._frames.Columns`); see ``analysis/_frames.py``.

    Notes
    -----
    With n_h PSUs sampled in stratum h, z_hj the PSU totals of the linearised scores and f_h = n_h / N_h,
    ``V = sum_h (1 - f_h) n_h / (n_h - 1) sum_j (z_hj - zbar_h)^2`` [1]_. Design degrees of freedom are
    #PSUs - #strata (R's ``degf``).

    References
    ----------
    .. [1] T. Lumley, "Analysis of complex survey samples", J. Stat. Softw. 9(8), 2004; R package ``survey``.
    """

    weights: np.ndarray
    strata: Any = None
    psu: Any = None
    fpc: Any = None
    lonely_psu: str = "fail"
    calibration: Any = None
    data: Any = None
    # Derived once, here, so that every estimate is a single pass over the rows.
    n: int = field(init=False)
    stratum: np.ndarray = field(init=False, repr=False)  # stratum code per row
    stratum_levels: np.ndarray = field(init=False, repr=False)
    psu_code: np.ndarray = field(init=False, repr=False)  # global PSU code per row (nested)
    psu_stratum: np.ndarray = field(init=False, repr=False)  # stratum code per PSU
    n_psu: np.ndarray = field(init=False, repr=False)  # n_h: sampled PSUs per stratum
    fpc_factor: np.ndarray = field(init=False, repr=False)  # 1 - f_h per stratum
    lonely: np.ndarray = field(init=False, repr=False)  # stratum has one PSU and is not a certainty stratum
    all_positive: bool = field(init=False, repr=False)  # no zero weights
    df: int = field(init=False)

    def __post_init__(self):
        if self.data is not None:
            object.__setattr__(self, "data", columns(self.data))
        w = check_weights(*self.column(self.weights, "weights"))
        n = w.shape[0]
        check_option(self.lonely_psu, "lonely_psu", LONELY_PSU)
        if self.calibration is not None and not callable(getattr(self.calibration, "residualize", None)):
            raise AnalysisError("calibration: has no residualize(z) method")
        stratum, levels = _codes(*self.column(self.strata, "strata", labels=True), n)
        n_strata = levels.shape[0]
        if self.psu is None:
            psu_code = np.arange(n, dtype=np.int64)
        else:
            raw, span = _psu_labels(*self.column(self.psu, "psu", labels=True), n)
            psu_code, _ = factorize(stratum * np.int64(span) + raw)
        n_psus = int(psu_code.max()) + 1
        psu_stratum = np.zeros(n_psus, dtype=np.int64)
        psu_stratum[psu_code] = stratum
        n_h = np.bincount(psu_stratum, minlength=n_strata)
        fpc_factor = _fpc_factor(*self.column(self.fpc, "fpc"), stratum, n_h, levels, n)
        w.setflags(write=False)
        for name, value in (
            ("weights", w), ("n", n), ("stratum", stratum), ("stratum_levels", levels),
            ("psu_code", psu_code), ("psu_stratum", psu_stratum), ("n_psu", n_h), ("fpc_factor", fpc_factor),
            ("lonely", (n_h == 1) & (fpc_factor >= 1e-7)), ("df", int(n_psus - n_strata)),
            ("all_positive", bool(w.min() > 0)),
        ):
            object.__setattr__(self, name, value)

    def column(self, value, name: str, *, labels: bool = False) -> tuple[Any, str]:
        """``(values, name for messages)``: a column of ``data`` when ``value`` is a name, else ``value`` itself.

        ``labels=True`` gives strata / PSU / domain labels (a :class:`Factor` for text columns).
        """
        if not isinstance(value, str):
            return value, name
        if self.data is None:
            raise AnalysisError(f"{name}: {value!r} is a column name but the design has no data=")
        if labels:
            return self.data.factor(value), f"column {value!r}"
        return self.data.array(value), f"column {value!r}"

    @property
    def n_strata(self) -> int:
        return int(self.stratum_levels.shape[0])

    @property
    def n_psus(self) -> int:
        return int(self.psu_stratum.shape[0])

    def stratum_label(self, code: int) -> str:
        return label(self.stratum_levels[code])

    def coefficients(self) -> tuple[np.ndarray, np.ndarray]:
        """Per-stratum (a_h, b_h) with V = sum_h a_h sum_j z_hj^2 - b_h (sum_j z_hj)^2."""
        n_h = self.n_psu.astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            a = np.where(n_h > 1, self.fpc_factor * n_h / (n_h - 1), 0.0)
            b = np.where(n_h > 1, a / n_h, 0.0)
        a[self.fpc_factor < 1e-7] = 0.0  # R: a self-representing stratum contributes nothing
        b[self.fpc_factor < 1e-7] = 0.0
        if self.lonely_psu == "adjust":
            a = np.where(self.lonely, self.fpc_factor, a)
        return a, b


def _codes(values, name: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    if values is None:
        return np.zeros(n, dtype=np.int64), np.array(["1"], dtype=object)
    codes, levels = as_factor(values, name, n)
    if (codes < 0).any():
        raise AnalysisError(f"{name}: missing value at row {int(np.flatnonzero(codes < 0)[0]) + 1}")
    return codes, levels


def _psu_labels(values, name: str, n: int) -> tuple[np.ndarray, int]:
    """PSU labels as small integers (codes within their range) to combine with the stratum code."""
    arr = values if isinstance(values, Factor) else as_vector(values, name, n)
    if isinstance(arr, np.ndarray) and arr.dtype.kind in "iu" and arr.size:
        lo, hi = int(arr.min()), int(arr.max())
        if hi - lo < 2**31:  # integer labels are their own codes: no factorisation pass
            return arr.astype(np.int64, copy=False) - lo, hi - lo + 1
    raw, levels = _codes(arr, name, n)
    return raw, levels.shape[0]


def _fpc_factor(fpc, name, stratum, n_h, levels, n) -> np.ndarray:
    """1 - f_h per stratum from N_h (values > 1) or f_h (values <= 1), checked constant within strata."""
    if fpc is None:
        return np.ones(n_h.shape[0])
    values = as_numeric(fpc, name, n, allow_missing=False)
    if (values <= 0).any():
        i = int(np.flatnonzero(values <= 0)[0])
        raise AnalysisError(f"{name}: value {values[i]:g} at row {i + 1} is not positive")
    per_stratum = np.empty(n_h.shape[0])
    per_stratum[stratum] = values  # some row's value; every other row of the stratum must agree
    varies = np.abs(values - per_stratum[stratum]) > 1e-9 * per_stratum[stratum]
    if varies.any():
        h = stratum[int(np.flatnonzero(varies)[0])]
        raise AnalysisError(f"{name}: varies within stratum {label(levels[h])!r}")
    fractions = values <= 1
    if fractions.any() and not fractions.all():
        raise AnalysisError(f"{name}: mixes sampling fractions (<= 1) and population sizes (> 1)")
    f = per_stratum if fractions.all() else n_h / per_stratum
    if (f > 1 + 1e-12).any():
        h = int(np.flatnonzero(f > 1 + 1e-12)[0])
        raise AnalysisError(
            f"{name}: stratum {label(levels[h])!r} has {n_h[h]} sampled PSUs "
            f"but a population of {per_stratum[h]:g}"
        )
    return np.clip(1.0 - f, 0.0, 1.0)
