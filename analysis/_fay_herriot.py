"""Fay-Herriot small-area estimates: EBLUPs of communities from their direct estimates (model-based)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import AnalysisError, as_factor, as_numeric, as_vector

__all__ = ["FayHerriot", "fay_herriot"]


@dataclass(frozen=True, eq=False)
class FayHerriot:
    """Model-based estimates of every area, aligned with the input (NaN where an area could not be used).

    ``eblup``, ``mse`` (g1 + g2 + 2 g3), ``gamma`` (shrinkage factor), ``g1``, ``g2``, ``g3`` per area;
    ``beta`` the regression coefficients (columns of ``design_matrix``), ``sigma2_u`` the REML variance of the
    random effect, ``used`` the areas in the fit, ``iterations`` of Fisher scoring.
    """

    eblup: np.ndarray
    mse: np.ndarray
    gamma: np.ndarray
    g1: np.ndarray
    g2: np.ndarray
    g3: np.ndarray
    beta: np.ndarray
    sigma2_u: float
    design_matrix: np.ndarray
    used: np.ndarray
    iterations: int


def fay_herriot(direct, variance, covariates=None, *, groups=None, tol: float = 1e-12,
                max_iter: int = 200) -> FayHerriot:
    """EBLUP of every area under the Fay-Herriot model, REML variance, MSE by Prasad-Rao / Datta-Lahiri.

    Parameters
    ----------
    direct : array_like, shape (m,)
        Direct (design-based) estimates theta_hat_d.
    variance : array_like, shape (m,)
        Their sampling variances psi_d (SE squared), treated as known.
    covariates : array_like, shape (m, p), optional
        Area-level auxiliary data x_d (an intercept is added). Default: the intercept and, if ``groups`` is
        given, one dummy per group but the first (e.g. the street of each community).
    groups : array_like, shape (m,), optional
        Used only without ``covariates``.
    tol, max_iter
        Fisher scoring stops when the step in sigma_u^2 is below ``tol`` (relative to 1 + sigma_u^2).

    Returns
    -------
    FayHerriot
        Areas with a missing estimate or a variance that is missing or not positive (a rate of 0 or 1) are
        left out of the fit and get NaN.

    Notes
    -----
    Model theta_hat_d = x_d' beta + u_d + e_d, u_d ~ N(0, sigma_u^2), e_d ~ N(0, psi_d) (Fay & Herriot 1979).
    sigma_u^2 by REML with Fisher scoring, s = -tr(P)/2 + y'PPy/2, I = tr(PP)/2,
    P = V^-1 - V^-1 X (X'V^-1 X)^-1 X'V^-1, V = diag(sigma_u^2 + psi_d), truncated at 0 (Rao & Molina 2015,
    sec. 6.1.2). beta = (X'V^-1X)^-1 X'V^-1 y; EBLUP gamma_d theta_hat_d + (1 - gamma_d) x_d'beta,
    gamma_d = sigma_u^2 / (sigma_u^2 + psi_d) (eq. 6.1.12). MSE = g1 + g2 + 2 g3 (Prasad & Rao 1990; for REML
    Datta & Lahiri 2000; Rao & Molina 2015, eq. 6.2.22-6.2.25): g1 = gamma_d psi_d,
    g2 = (1 - gamma_d)^2 x_d'(X'V^-1X)^-1 x_d, g3 = psi_d^2 (sigma_u^2 + psi_d)^-3 * 2 / sum_d (sigma_u^2 + psi_d)^-2.
    Matches R's ``metafor::rma(yi, vi, mods=, method="REML")`` and ``blup()``.
    """
    y = as_numeric(direct, "direct")
    m = y.shape[0]
    psi = as_numeric(variance, "variance", m)
    x = _covariates(covariates, groups, m)
    used = np.isfinite(y) & np.isfinite(psi) & (psi > 0) & np.isfinite(x).all(axis=1)
    xu, yu, pu = x[used], y[used], psi[used]
    if yu.shape[0] <= xu.shape[1] or np.linalg.matrix_rank(xu) < xu.shape[1]:
        raise AnalysisError(f"covariates: {xu.shape[1]} columns (intercept included) cannot be estimated from "
                            f"{yu.shape[0]} areas with a direct estimate and a positive variance")
    s2, iterations = _reml(yu, pu, xu, tol, max_iter)
    vinv = 1.0 / (s2 + pu)
    info = np.linalg.inv(xu.T @ (xu * vinv[:, None]))
    beta = info @ (xu.T @ (vinv * yu))
    out = {k: np.full(m, np.nan) for k in ("eblup", "mse", "gamma", "g1", "g2", "g3")}
    gamma = s2 / (s2 + pu)
    g1, g2 = gamma * pu, (1 - gamma) ** 2 * np.einsum("ij,jk,ik->i", xu, info, xu)
    g3 = pu**2 / (s2 + pu) ** 3 * 2.0 / np.sum(vinv**2)
    for name, values in (("eblup", gamma * yu + (1 - gamma) * (xu @ beta)), ("gamma", gamma), ("g1", g1),
                         ("g2", g2), ("g3", g3), ("mse", g1 + g2 + 2 * g3)):
        out[name][used] = values
    return FayHerriot(beta=beta, sigma2_u=float(s2), design_matrix=x, used=used, iterations=iterations, **out)


def _covariates(covariates, groups, m: int) -> np.ndarray:
    if covariates is not None:
        x = np.asarray(covariates, dtype=np.float64)
        x = x.reshape(m, -1) if x.ndim == 1 else x
        if x.shape[0] != m:
            raise AnalysisError(f"covariates: has {x.shape[0]} rows, there are {m} areas")
        return np.column_stack([np.ones(m), x])
    if groups is None:
        return np.ones((m, 1))
    codes, levels = as_factor(as_vector(groups, "groups", m), "groups", m)
    if (codes < 0).any():
        raise AnalysisError(f"groups: missing group at area {int(np.flatnonzero(codes < 0)[0]) + 1}")
    dummies = (codes[:, None] == np.arange(1, levels.shape[0])[None, :]).astype(np.float64)
    return np.column_stack([np.ones(m), dummies])


def _reml(y, psi, x, tol, max_iter) -> tuple[float, int]:
    """REML estimate of sigma_u^2 by Fisher scoring from the method-of-moments start max(0, var(y) - mean(psi))."""
    s2 = max(0.0, float(np.var(y, ddof=1) - psi.mean()))
    for it in range(1, max_iter + 1):
        vinv = 1.0 / (s2 + psi)
        xv = x * vinv[:, None]
        p = np.diag(vinv) - xv @ np.linalg.solve(x.T @ xv, xv.T)
        py = p @ y
        score = -0.5 * np.trace(p) + 0.5 * py @ py
        info = 0.5 * np.sum(p * p)
        new = max(0.0, s2 + score / info)
        if abs(new - s2) < tol * (1 + s2):
            return new, it
        s2 = new
    raise AnalysisError(f"fay_herriot: REML did not converge in {max_iter} Fisher-scoring steps")
