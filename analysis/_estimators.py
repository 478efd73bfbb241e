"""Means, rates, totals and composite indicators, overall or for every level of a domain in one pass."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._checks import AnalysisError, as_factor, as_numeric, as_vector, check_level, check_option, missing_mask
from ._design import Design
from ._intervals import CI_METHODS, rate_interval, wald_interval
from ._results import DomainEstimates, Estimate
from ._variance import variance

__all__ = ["mean", "proportion", "total", "composite", "code_rate", "code_score"]


@dataclass(frozen=True)
class _Linear:
    """One variable linearised in every domain: point estimate and scores z (0 outside the domain)."""

    estimate: np.ndarray
    z: np.ndarray
    member: np.ndarray
    dom: np.ndarray
    wsum: np.ndarray  # sum of w over the domain
    n: np.ndarray  # rows in the domain
    m: np.ndarray  # rows with a positive weight
    sigma2: np.ndarray  # sum w (y - ybar)^2 / sum w


def mean(y, design: Design, *, domain=None, level: float = 0.95) -> Estimate | DomainEstimates:
    """Weighted mean of ``y``, overall or for every level of ``domain``, with its design-based SE.

    Parameters
    ----------
    y : array_like, shape (n,), or a column name of the design's ``data``
        Numeric values; NaN (or None / empty text) is missing and takes the row out of this variable's domain,
        not out of the design.
    design : Design
    domain : array_like, shape (n,), optional
        Domain label per row (e.g. community). Every level is estimated at once, by domain estimation: the
        whole design is kept (R's ``svyby``), rows of other domains count with z = 0. Missing labels belong to
        no domain.
    level : float
        Confidence level. The interval is the Wald interval with the domain's design df,
        ybar +/- t_{df} se (R's ``confint(svymean(...), df=degf(design))``; R's plain ``confint`` uses the
        normal quantile instead).

    Returns
    -------
    Estimate or DomainEstimates

    Notes
    -----
    ybar_D = sum w d y / sum w d; z_i = w_i d_i (y_i - ybar_D) / sum w d, then the stratified PSU-total
    variance of ``Design``. deff = V / V_SRS with V_SRS = s^2 (1/m - 1/W) and s^2 the weighted variance with
    m/(m-1) (R's ``svymean(..., deff=TRUE)``). n_eff = sigma^2 / V with sigma^2 = sum w (y - ybar)^2 / W.
    """
    _check_design(design)
    values = as_numeric(*design.column(y, "y"), design.n)
    check_level(level)
    dom, levels = _domain(domain, design.n, design)
    lin = _linearise(design, values, dom, len(levels) if levels is not None else 1, "mean")
    return _finish(design, lin, levels, level, interval=None)


def total(y, design: Design, *, domain=None, level: float = 0.95) -> Estimate | DomainEstimates:
    """Weighted total sum w d y, overall or per domain; z_i = w_i d_i y_i; Wald interval with design df.

    Parameters and missing-value rules as :func:`mean`. deff follows R's ``svytotal(deff=TRUE)``;
    n_eff = W^2 sigma^2 / V.
    """
    _check_design(design)
    values = as_numeric(*design.column(y, "y"), design.n)
    check_level(level)
    dom, levels = _domain(domain, design.n, design)
    lin = _linearise(design, values, dom, len(levels) if levels is not None else 1, "total")
    return _finish(design, lin, levels, level, interval=None)


def proportion(
    y, design: Design, value=None, *, domain=None, ci_method: str = "logit", level: float = 0.95,
) -> Estimate | DomainEstimates:
    """Weighted rate of an answer code (or of any of a set of codes), overall or per domain.

    Parameters
    ----------
    y : array_like, shape (n,)
        Answers (numbers or text); missing values leave the variable's domain.
    design : Design
    value : scalar or sequence, optional
        The answer code(s) counted as a "yes". Default: ``y`` is already 0/1 (or boolean).
    domain : array_like, optional
        As in :func:`mean`.
    ci_method : {'logit', 'xlogit', 'mean', 'beta', 'wilson'}
        Interval method, see :func:`rate_interval` (R's ``svyciprop`` default is ``'logit'``).
    level : float
        Confidence level.

    Notes
    -----
    The rate is the mean of the indicator 1[y in value], so its SE is that of :func:`mean` (R's
    ``svyciprop`` / ``svymean``). Intervals use the domain df (PSUs minus strata with members in the domain,
    as R's ``svyciprop`` on a ``subset``); rates of 0 or 1 get the Korn-Graubard interval with n* = n.
    """
    _check_design(design)
    check_option(ci_method, "ci_method", CI_METHODS)
    check_level(level)
    indicator = code_rate(as_vector(*design.column(y, "y"), design.n), value)
    dom, levels = _domain(domain, design.n, design)
    lin = _linearise(design, indicator, dom, len(levels) if levels is not None else 1, "rate")
    return _finish(design, lin, levels, level, interval=ci_method)


def composite(
    items: Sequence, design: Design, *, item_weights=None, kind: str = "rate", domain=None,
    ci_method: str = "logit", level: float = 0.95,
) -> Estimate | DomainEstimates:
    """Composite indicator: the (weighted) mean of several item rates or scores.

    Parameters
    ----------
    items : sequence of array_like, each shape (n,)
        Coded items (0/1 for rates, e.g. from :func:`code_rate`; scores from :func:`code_score`), NaN missing.
        Each item's domain is the domain minus that item's missing rows.
    design : Design
    item_weights : sequence of float, optional
        a_k (the questionnaire indicator's item weights). Default: equal weights.
    kind : {'rate', 'score'}
        ``'rate'`` uses the rate interval ``ci_method``; ``'score'`` the Wald interval with design df.
    domain, ci_method, level
        As in :func:`proportion`.

    Notes
    -----
    theta = sum_k a_k ybar_k / sum_k a_k. Its scores are z = sum_k a_k z_k / sum_k a_k, the items' influence
    values combined, so the variance includes the items' covariances (delta method, as R's ``svycontrast``
    on ``svymean(~y1 + y2 + ...)``). n and df count rows with at least one item answered. A domain where some
    item has no answer gets NaN.
    """
    _check_design(design)
    check_option(kind, "kind", ("rate", "score"))
    check_option(ci_method, "ci_method", CI_METHODS)
    check_level(level)
    if isinstance(items, np.ndarray) and items.ndim == 2:
        items = list(items)
    if len(items) == 0:
        raise AnalysisError("items: no items")
    values = [as_numeric(*design.column(item, f"items[{k}]"), design.n) for k, item in enumerate(items)]
    a = np.ones(len(values)) if item_weights is None else as_numeric(item_weights, "item_weights")
    if a.shape[0] != len(values) or (a < 0).any() or a.sum() <= 0:
        raise AnalysisError(f"item_weights: need {len(values)} non-negative weights with a positive sum")
    a = a / a.sum()
    dom, levels = _domain(domain, design.n, design)
    ndom = len(levels) if levels is not None else 1
    parts = [_linearise(design, v, dom, ndom, "mean") for v in values]
    lin = _combine(design, parts, a, dom, ndom)
    return _finish(design, lin, levels, level, interval=ci_method if kind == "rate" else None)


def code_rate(y, value=None) -> np.ndarray:
    """1.0 where ``y`` is one of ``value``, 0.0 elsewhere, NaN where missing (``value=None``: y is 0/1)."""
    y = as_vector(y, "y")
    missing = missing_mask(y)
    if value is None:
        out = as_numeric(y, "y")
        bad = ~missing & (out != 0) & (out != 1)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise AnalysisError(f"y: value {y.tolist()[i]!r} at row {i + 1} is not 0/1; pass value= to count a code")
        return out
    codes = list(value) if isinstance(value, list | tuple | set | frozenset | np.ndarray) else [value]
    if y.dtype.kind in "fiub":
        hit = np.zeros(y.shape[0], dtype=bool)
        for code in codes:  # a handful of answer codes: one comparison each beats np.isin
            hit |= y == code
    else:
        hit = np.isin(y, np.asarray(codes, dtype=object))
    out = hit.astype(np.float64)
    out[missing] = np.nan
    return out


def code_score(y, scores) -> np.ndarray:
    """Map answer codes to scores (e.g. 1..5 -> 0..100); codes without a score (and missing) become NaN."""
    y = as_numeric(y, "y")
    out = np.full(y.shape[0], np.nan)
    for code, score in dict(scores).items():
        out[y == float(code)] = float(score)
    return out


def _check_design(design) -> None:
    if not isinstance(design, Design):
        raise AnalysisError(f"design: expected a Design, got {type(design).__name__}")


def _domain(domain, n: int, design: Design | None = None):
    if domain is None:
        return np.zeros(n, dtype=np.int64), None
    # communities as strata and as domains: coded once
    if design is not None and (domain is design.strata or (isinstance(domain, str) and domain == design.strata)):
        return design.stratum, design.stratum_levels
    values, name = design.column(domain, "domain", labels=True) if design is not None else (domain, "domain")
    codes, levels = as_factor(values, name, n)
    if levels.shape[0] == 0:
        raise AnalysisError("domain: every value is missing")
    return codes, levels


def _linearise(design: Design, y: np.ndarray, dom: np.ndarray, ndom: int, statistic: str) -> _Linear:
    """``statistic`` is 'mean', 'rate' (a mean of 0/1 values: sigma^2 = p(1 - p)) or 'total'."""
    member = ~np.isnan(y)
    if ndom > 1 or (dom < 0).any():
        member &= dom >= 0
    full = bool(member.all())
    if full:  # no copies on the common path: nothing missing
        d, w, yy = dom, design.weights, y
    else:
        d, w, yy = np.where(member, dom, 0), np.where(member, design.weights, 0.0), np.where(member, y, 0.0)
    wy = w * yy
    wsum = np.bincount(d, w, ndom)
    n = np.bincount(d, minlength=ndom) if full else _count(dom, member, ndom)
    m = n if design.all_positive else _count(dom, member & (design.weights > 0), ndom)
    with np.errstate(divide="ignore", invalid="ignore"):
        ybar = np.bincount(d, wy, ndom) / wsum
        resid = yy - np.nan_to_num(ybar)[d]
        if not full:
            resid[~member] = 0.0
        wr = w * resid
        # sigma^2 = sum w (y - ybar)^2 / W, which is p(1 - p) for a rate
        sigma2 = ybar * (1 - ybar) if statistic == "rate" else np.bincount(d, wr * resid, ndom) / wsum
        if statistic != "total":
            return _Linear(ybar, wr / np.where(wsum > 0, wsum, 1.0)[d], member, dom, wsum, n, m, sigma2)
        est = np.where(n > 0, np.bincount(d, wy, ndom), np.nan)
    return _Linear(est, wy, member, dom, wsum, n, m, sigma2 * wsum**2)


def _count(dom: np.ndarray, mask: np.ndarray, ndom: int) -> np.ndarray:
    """Rows per domain where ``mask`` holds (masked rows go to an extra bin, cheaper than a gather)."""
    return np.bincount(np.where(mask, dom, ndom), minlength=ndom + 1)[:ndom]


def _combine(design: Design, parts: list[_Linear], a: np.ndarray, dom: np.ndarray, ndom: int) -> _Linear:
    member = np.logical_or.reduce([p.member for p in parts])
    d = np.where(member, dom, 0)
    w = np.where(member, design.weights, 0.0)
    wsum = np.bincount(d, w, ndom)
    z = sum(ak * p.z for ak, p in zip(a, parts, strict=True))
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = sum(ak * p.estimate for ak, p in zip(a, parts, strict=True))
        # u = z W / w is the composite's linearised value per unit; sigma^2 = sum w u^2 / W
        sigma2 = np.bincount(d, np.where(w > 0, z**2 / np.where(w > 0, w, 1.0), 0.0), ndom) * wsum
    n = np.bincount(d, member, ndom).astype(np.int64)
    m = np.bincount(d, member & (design.weights > 0), ndom).astype(np.int64)
    return _Linear(np.where(n > 0, estimate, np.nan), z, member, dom, wsum, n, m, sigma2)


def _finish(design, lin: _Linear, levels, level: float, interval: str | None):
    ndom = lin.estimate.shape[0]
    v, df = variance(design, lin.z, lin.member, lin.dom, ndom)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.where(lin.n > 0, v, np.nan)
        se = np.sqrt(v)
        m = lin.m.astype(np.float64)
        v_srs = lin.sigma2 * m / (m - 1) * (1 / m - 1 / lin.wsum)
        deff = v / v_srs
        n_eff = np.where(v > 0, lin.sigma2 / v, np.where(lin.sigma2 > 0, np.inf, lin.n.astype(np.float64)))
        n_eff = np.where(lin.n > 0, n_eff, np.nan)
    if interval is None:
        low, high = wald_interval(lin.estimate, se, df, level=level)
    else:
        # R's svyciprop(method="beta") uses nrow(design): all rows when a calibrated design is subset
        n_rows = np.full(ndom, design.n) if design.calibration is not None else lin.n
        low, high = rate_interval(lin.estimate, se, df, n_rows, method=interval, level=level)
    fields = (lin.estimate, se, low, high, df, deff, lin.n, n_eff)
    if levels is None:
        return Estimate(*(int(f[0]) if f.dtype.kind == "i" else float(f[0]) for f in fields))
    return DomainEstimates(tuple(x.item() if isinstance(x, np.generic) else x for x in levels), *fields)
