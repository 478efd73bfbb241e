"""What the variance needs to know about a calibration: residuals of the linearised scores.

Each class reproduces one kind of entry of R's ``design$postStrata`` and what ``svyrecvar`` (survey
package, Lumley 2010, sec. 7.5) does with it before summing the scores by PSU.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._checks import WeightingError

__all__ = ["CalibrationChain", "PostStratification", "Raking"]

# R's svyrecvar sweeps the raking margins a fixed 10 times when it residualises the scores.
_R_RAKING_RESIDUAL_SWEEPS = 10


def _as_scores(z, n: int) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    if z.ndim not in (1, 2) or z.shape[0] != n:
        raise WeightingError(f"z must have shape ({n},) or ({n}, k), got {z.shape}")
    return z


def _level_sums(codes: np.ndarray, values: np.ndarray, nlevels: int) -> np.ndarray:
    """Column sums of a 2-D `values` within levels: shape (nlevels, k), one sparse product."""
    from scipy import sparse  # imported when a calibrated design needs it (0.1 s)

    n = codes.shape[0]
    indicator = sparse.csr_array((np.ones(n), (codes, np.arange(n))), shape=(nlevels, n))
    return np.asarray(indicator @ values)


def _cross_sums(rows: np.ndarray, cols: np.ndarray, values: np.ndarray, nrows: int, ncols: int) -> np.ndarray:
    """Sums of `values` within each (rows, cols) pair of levels: shape (nrows, ncols)."""
    flat = np.bincount(rows * ncols + cols, weights=values, minlength=nrows * ncols)
    return flat.reshape(nrows, ncols)


@dataclass(frozen=True, eq=False)
class PostStratification:
    """One post-stratification step, as R stores it in ``design$postStrata``.

    Attributes
    ----------
    name : str
        The post-stratifying column.
    levels : tuple
        Its levels; ``codes`` indexes them per row.
    codes : ndarray of int
    weights : ndarray
        Weights after this step (R's ``attr(, "weights")``).
    old_weights : ndarray
        Weights before this step (R's ``attr(, "oldweights")``).
    """

    name: str
    levels: tuple
    codes: np.ndarray = field(repr=False)
    weights: np.ndarray = field(repr=False)
    old_weights: np.ndarray = field(repr=False)

    def residualize(self, z: np.ndarray) -> np.ndarray:
        r"""Residuals of the linearised scores from the post-stratum means (R's ``svyrecvar``).

        .. math:: z_i - w_i \, \frac{\sum_{j \in g(i)} w^{0}_j z_j / w_j}{\sum_{j \in g(i)} w^{0}_j}

        with :math:`w` the post-stratified and :math:`w^0` the earlier weights.  Rows whose weight is 0
        before and after keep their score (which is 0).
        """
        z = _as_scores(z, self.codes.shape[0])
        z2 = z.reshape(z.shape[0], -1)
        psw = np.where((self.weights == 0) & (self.old_weights == 0), 1.0, self.weights)
        nlev = len(self.levels)
        means = (_level_sums(self.codes, z2 * (self.old_weights / psw)[:, None], nlev)
                 / np.bincount(self.codes, weights=self.old_weights, minlength=nlev)[:, None])
        return (z2 - means[self.codes] * psw[:, None]).reshape(z.shape)


@dataclass(frozen=True, eq=False)
class Raking:
    """Raking information, as R stores it (class ``"raking"`` in ``design$postStrata``).

    Attributes
    ----------
    margins : tuple of (name, levels, codes, weights)
        One entry per margin, in raking order; ``weights`` are the weights just after that margin was
        adjusted in the last sweep.
    """

    margins: tuple = field(repr=False)

    def residualize(self, z: np.ndarray) -> np.ndarray:
        r"""Residuals of the scores after repeated projection on the margins (R's ``svyrecvar``).

        For each margin, :math:`z_i \leftarrow z_i - w_i \,\overline{(z/w)}_{g(i)}` with an unweighted
        mean within the level, the margins swept 10 times as R does.  Rows of weight 0 are left out of the
        means (R would return NaN).
        """
        z = _as_scores(z, self.margins[0][2].shape[0])
        z2 = z.reshape(z.shape[0], -1)
        # R's sweeps are linear in z: z_final = z - sum_m w_m * C_m[g_m], with C_m the level means taken off
        # for margin m over all sweeps. The sweeps run on the small C_m, given the level sums B_m of z / w_m
        # and the cross-tables A[m][k] = sum of w_k / w_m over rows in levels (g_m, g_k): z is read twice
        # per margin instead of twice per margin and sweep.
        codes = [c for _n, _l, c, _w in self.margins]
        psw = [w for _n, _l, _c, w in self.margins]
        size = [len(levels) for _n, levels, _c, _w in self.margins]
        inv = [np.divide(1.0, w, out=np.zeros_like(w), where=w > 0) for w in psw]
        mm = range(len(self.margins))
        count = [np.maximum(np.bincount(codes[m], psw[m] > 0, size[m]), 1.0)[:, None] for m in mm]
        b = [_level_sums(codes[m], z2 * inv[m][:, None], size[m]) for m in mm]
        a = [[_cross_sums(codes[m], codes[k], psw[k] * inv[m], size[m], size[k]) for k in mm] for m in mm]
        c = [np.zeros((size[m], z2.shape[1])) for m in mm]
        for _ in range(_R_RAKING_RESIDUAL_SWEEPS):
            for m in mm:
                c[m] += (b[m] - sum(a[m][k] @ c[k] for k in mm)) / count[m]
        out = np.array(z2, dtype=float)
        for m in mm:
            out -= c[m][codes[m]] * psw[m][:, None]
        return out.reshape(z.shape)


@dataclass(frozen=True, eq=False)
class CalibrationChain:
    """Several calibration steps applied one after another (R's list ``design$postStrata``)."""

    steps: tuple

    def residualize(self, z: np.ndarray) -> np.ndarray:
        """Residualise on each step in the order the steps were applied, as R's ``svyrecvar``."""
        for step in self.steps:
            z = step.residualize(z)
        return z
