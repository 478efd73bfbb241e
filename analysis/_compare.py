"""Comparisons a report card prints: change since the previous round, and rank intervals of units."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import AnalysisError, check_level, check_option
from ._intervals import _t_ppf
from ._results import DomainEstimates

__all__ = ["Change", "RankIntervals", "change", "rank_intervals"]


@dataclass(frozen=True, eq=False)
class Change:
    """Change current - previous for every unit estimated in both rounds (``levels``, in current order)."""

    levels: tuple
    difference: np.ndarray
    se: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    df: np.ndarray
    significant: np.ndarray


def change(current: DomainEstimates, previous: DomainEstimates, *, level: float = 0.95) -> Change:
    """Change of every unit's estimate since the previous round, rounds being independent samples.

    Parameters
    ----------
    current, previous : DomainEstimates
        The same estimate (e.g. ``ReportCard.get("community", "item:A1").estimates``) of two rounds; units
        are matched by label and only units estimated in both are returned.
    level : float
        Confidence level.

    Returns
    -------
    Change

    Notes
    -----
    d = theta_1 - theta_0, se(d) = sqrt(se_1^2 + se_0^2) (independent samples: no covariance term; Kish 1965,
    sec. 12.4). The interval is d +/- t_nu se(d) with the Welch-Satterthwaite df
    nu = (v_1 + v_0)^2 / (v_1^2 / df_1 + v_0^2 / df_0), v = se^2 (Satterthwaite 1946), which falls back to
    the smaller df when one variance dominates and tends to the normal interval for large samples; our choice,
    not R's (R's ``svycontrast`` has no two-design form). ``significant``: the interval excludes 0 (a two-sided
    test at 1 - level). No interval (NaN, not significant) when either round has no SE or df <= 0.
    """
    alpha = 1.0 - check_level(level)
    if not isinstance(current, DomainEstimates) or not isinstance(previous, DomainEstimates):
        raise AnalysisError("change: current and previous must be DomainEstimates")
    where = {lab: i for i, lab in enumerate(previous.labels)}
    both = [(i, where[lab]) for i, lab in enumerate(current.labels) if lab in where]
    if not both:
        raise AnalysisError("change: no unit is estimated in both rounds")
    i1, i0 = (np.array(ix, dtype=np.int64) for ix in zip(*both, strict=True))
    v1, v0 = current.se[i1] ** 2, previous.se[i0] ** 2
    df1, df0 = current.df[i1].astype(np.float64), previous.df[i0].astype(np.float64)
    d = current.estimate[i1] - previous.estimate[i0]
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(v1 + v0)
        nu = (v1 + v0) ** 2 / (np.where(v1 > 0, v1**2 / df1, 0.0) + np.where(v0 > 0, v0**2 / df0, 0.0))
        ok = (df1 > 0) & (df0 > 0) & np.isfinite(se) & np.isfinite(d)
        nu = np.where(ok & np.isfinite(nu), nu, np.where(ok, np.minimum(df1, df0), np.nan))
        t = np.where(ok, _t_ppf(1 - alpha / 2, np.where(ok, nu, 1.0)), np.nan)
    low, high = d - t * se, d + t * se
    labels = current.labels
    return Change(tuple(labels[i] for i in i1), d, se, low, high, nu, ok & ((low > 0) | (high < 0)))


@dataclass(frozen=True, eq=False)
class RankIntervals:
    """Rank intervals of units (rank 1 = highest estimate), in the order of ``levels``.

    ``rank`` is the rank of the estimates themselves; ``low`` / ``high`` the interval; ``versus_city`` is
    'above' / 'below' when the unit's CI lies wholly above / below the city estimate, else ''. Units without an
    estimate are left out (``levels`` lists the ranked ones).
    """

    levels: tuple
    rank: np.ndarray
    low: np.ndarray
    high: np.ndarray
    versus_city: tuple
    draws: int
    seed: int


def rank_intervals(
    estimates: DomainEstimates, city: float, *, kind: str = "rate", within=None, draws: int = 10_000,
    seed: int = 20261201, level: float = 0.95,
) -> RankIntervals:
    """95% intervals of every unit's rank by simulation from the estimates' sampling distributions.

    Parameters
    ----------
    estimates : DomainEstimates
        One estimate of every unit (communities or streets).
    city : float
        The city estimate the units' intervals are compared with.
    kind : {'rate', 'score'}
        Rates are drawn on the logit scale, scores on their own scale.
    within : array_like, shape (k,), optional
        A group per unit (e.g. the district of each community): units are ranked within their group.
    draws, seed : int
        Number of simulated rankings and the seed of ``numpy.random.default_rng``.
    level : float

    Notes
    -----
    Each draw b sets theta_u^(b) = expit(logit p_u + e_u se_u / (p_u (1 - p_u))) for a rate (the delta-method
    SE on the logit scale, as the logit interval) or theta_u + e_u se_u for a score, e_u ~ N(0, 1) independent,
    and ranks the units (1 = highest). The interval is the (alpha/2, 1 - alpha/2) quantiles
    (lower and higher order statistics) of each unit's B ranks (Goldstein & Spiegelhalter 1996, JRSS A 159;
    Marshall & Spiegelhalter 1998, BMJ 316). Rates of 0 or 1 and SEs of 0 are not perturbed.
    """
    check_option(kind, "kind", ("rate", "score"))
    alpha = 1.0 - check_level(level)
    if draws < 1:
        raise AnalysisError(f"draws: {draws} is not a positive number")
    keep = np.flatnonzero(np.isfinite(estimates.estimate) & np.isfinite(estimates.se))
    est, se = estimates.estimate[keep], estimates.se[keep]
    groups = np.zeros(keep.shape[0], dtype=np.int64) if within is None else _groups(within, len(estimates))[keep]
    noise = np.random.default_rng(seed).standard_normal((draws, keep.shape[0]))
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "rate":
            inner = (est > 0) & (est < 1)
            scale = np.where(inner, se / (est * (1 - est)), 0.0)
            sims = np.where(inner, np.log(est / (1 - est)), np.sign(est - 0.5) * np.inf) + noise * scale
        else:
            sims = est + noise * se
    low, high, rank = (np.empty(keep.shape[0], dtype=np.int64) for _ in range(3))
    for g in np.unique(groups):
        cols = np.flatnonzero(groups == g)
        low[cols], high[cols] = _rank_quantiles(sims[:, cols], alpha)
        rank[cols] = np.argsort(np.argsort(-est[cols], kind="stable"), kind="stable") + 1
    versus = tuple("above" if lo > city else "below" if hi < city else ""
                   for lo, hi in zip(estimates.ci_low[keep], estimates.ci_high[keep], strict=True))
    labels = estimates.labels
    return RankIntervals(tuple(labels[i] for i in keep), rank, low, high, versus, draws, seed)


def _rank_quantiles(sims: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Per column, the (alpha/2, 1 - alpha/2) quantiles of its rank within the rows (1 = highest; ties by
    position), as ``np.quantile(ranks, q, method="lower" / "higher")``, from a histogram of (unit, rank)."""
    b, k = sims.shape
    order = np.argsort(-sims, axis=1)  # order[:, p] holds rank p + 1 (ties, only where se = 0: any order)
    counts = np.bincount((order * k + np.arange(k)[None, :]).ravel(), minlength=k * k).reshape(k, k)
    cum = np.cumsum(counts, axis=1)
    lo = np.floor(alpha / 2 * (b - 1)) + 1  # the lo-th smallest rank
    hi = np.ceil((1 - alpha / 2) * (b - 1)) + 1
    return (cum >= lo).argmax(axis=1) + 1, (cum >= hi).argmax(axis=1) + 1


def _groups(within, k: int) -> np.ndarray:
    from ._checks import as_factor

    codes, _ = as_factor(within, "within", k)
    if (codes < 0).any():
        raise AnalysisError(f"within: missing group at unit {int(np.flatnonzero(codes < 0)[0]) + 1}")
    return codes
