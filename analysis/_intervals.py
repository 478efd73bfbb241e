"""Confidence intervals: rates (R's ``svyciprop`` methods plus Wilson); Wald for means and totals."""

from __future__ import annotations

import numpy as np

from ._checks import check_level, check_option

__all__ = ["CI_METHODS", "rate_interval", "wald_interval"]

CI_METHODS = ("logit", "xlogit", "mean", "beta", "wilson")


def rate_interval(p, se, df, n, *, method: str = "logit", level: float = 0.95):
    """Confidence interval for a rate p with design standard error ``se`` and ``df`` degrees of freedom.

    Parameters
    ----------
    p, se, df, n : array_like
        Rate, its design SE, design df (nu) and the number of rows n behind it (broadcast together).
    method : {'logit', 'xlogit', 'mean', 'beta', 'wilson'}
        With t = t_{nu, 1-alpha/2} and n_eff = p(1-p)/se^2 (design-based):

        * ``logit`` / ``xlogit``: expit(logit p +/- t se / (p(1-p))), R's ``svyciprop(method="logit")``
          (and ``"xlogit"``, identical for one rate).
        * ``mean``: Wald, p +/- t se, R's ``svyciprop(method="mean")``; not clipped to [0, 1], as in R.
        * ``beta``: Korn-Graubard, n* = n_eff (t_{n-1} / t_nu)^2,
          [B^-1(alpha/2; n* p, n*(1-p) + 1), B^-1(1 - alpha/2; n* p + 1, n*(1-p))], R's ``method="beta"``.
        * ``wilson``: [p + t^2/(2 n_eff) +/- t/(2 n_eff) sqrt(4 n_eff p(1-p) + t^2)] / (1 + t^2/n_eff).
    level : float
        Confidence level, strictly between 0 and 1.

    Returns
    -------
    low, high : ndarray

    Notes
    -----
    Our conventions where R gives NaN:

    * df <= 0 (or n = 0): no interval, NaN (never a zero-width one).
    * p = 0 or p = 1 (every method): the Korn-Graubard/Clopper-Pearson interval with n* = n [1]_, i.e.
      [0, B^-1(1 - alpha/2; 1, n)] for p = 0 and [B^-1(alpha/2; n, 1), 1] for p = 1.
    * se = 0 with 0 < p < 1 (e.g. certainty strata only, or a rate the weights are calibrated to, whose
      se is 0 up to rounding, n_eff > 1e20): the point [p, p].

    References
    ----------
    .. [1] J.D. Parker et al., "National Center for Health Statistics data presentation standards for
       proportions", Vital Health Stat 2(175), 2017; E.L. Korn and B.I. Graubard, Survey Methodology 24, 1998.
    """
    check_option(method, "ci_method", CI_METHODS)
    alpha = 1.0 - check_level(level)
    p, se, df, n = np.broadcast_arrays(*(np.asarray(x, dtype=np.float64) for x in (p, se, df, n)))
    low, high = np.full(p.shape, np.nan), np.full(p.shape, np.nan)
    with np.errstate(all="ignore"):
        ok = (df > 0) & (n > 0) & np.isfinite(p) & np.isfinite(se)
        t = np.where(ok, _t_ppf(1 - alpha / 2, np.where(ok, df, 1.0)), np.nan)
        zero, one = ok & (p <= 0), ok & (p >= 1)
        low[zero], high[zero] = 0.0, _beta_ppf(1 - alpha / 2, 1.0, n[zero])
        low[one], high[one] = _beta_ppf(alpha / 2, n[one], 1.0), 1.0
        inner = ok & (p > 0) & (p < 1)
        # n_eff beyond 1e20 (a rate the weights were calibrated to): scipy's beta quantiles give NaN there
        point = inner & (se <= 1e-10 * np.sqrt(p * (1 - p)))
        low[point], high[point] = p[point], p[point]
        reg = inner & ~point
        lo, hi = _METHODS[method](p[reg], se[reg], t[reg], df[reg], n[reg], alpha)
        low[reg], high[reg] = lo, hi
    return low, high


def wald_interval(estimate, se, df, *, level: float = 0.95):
    """estimate +/- t_{df, 1-alpha/2} se (R's ``confint(svymean(...), df=degf(design))``); NaN if df <= 0."""
    alpha = 1.0 - check_level(level)
    estimate, se, df = np.broadcast_arrays(*(np.asarray(x, dtype=np.float64) for x in (estimate, se, df)))
    with np.errstate(all="ignore"):
        ok = df > 0
        t = np.where(ok, _t_ppf(1 - alpha / 2, np.where(ok, df, 1.0)), np.nan)
        return estimate - t * se, estimate + t * se


def _logit(p, se, t, df, n, alpha):
    from scipy import special

    half = t * se / (p * (1 - p))
    centre = special.logit(p)
    return special.expit(centre - half), special.expit(centre + half)


def _wald(p, se, t, df, n, alpha):
    return p - t * se, p + t * se


def _beta(p, se, t, df, n, alpha):
    n_eff = p * (1 - p) / se**2
    ratio = np.where(n > 1, _t_ppf(alpha / 2, np.maximum(n - 1, 1)), np.nan) / _t_ppf(alpha / 2, df)
    n_star = n_eff * ratio**2
    return (_beta_ppf(alpha / 2, n_star * p, n_star * (1 - p) + 1),
            _beta_ppf(1 - alpha / 2, n_star * p + 1, n_star * (1 - p)))


def _wilson(p, se, t, df, n, alpha):
    n_eff = p * (1 - p) / se**2
    denom = 1 + t**2 / n_eff
    centre = (p + t**2 / (2 * n_eff)) / denom
    half = t / (2 * n_eff) * np.sqrt(4 * n_eff * p * (1 - p) + t**2) / denom
    return centre - half, centre + half


def _t_ppf(q, df):
    """Student t quantile, as ``scipy.stats.t.ppf(q, df)`` (the same ufunc).

    scipy.special is imported on first use and scipy.stats never (0.2 s and 0.5 s of start-up for the command line).
    """
    from scipy import special

    return special.stdtrit(df, q)


def _beta_ppf(q, a, b):
    """Beta quantile, as ``scipy.stats.beta.ppf(q, a, b)``."""
    from scipy import special

    return special.betaincinv(a, b, q)


_METHODS = {"logit": _logit, "xlogit": _logit, "mean": _wald, "beta": _beta, "wilson": _wilson}
