"""The reliability mark of a reported estimate (rounds-and-weights.md, "What reports may claim")."""

from __future__ import annotations

import numpy as np

from ._checks import AnalysisError

__all__ = ["MARKS", "nchs_marks"]

MARKS = ("suppress", "review", "ok")


def nchs_marks(estimate, ci_low, ci_high, n_eff, df, *, kind: str = "rate") -> tuple[tuple, tuple]:
    """NCHS presentation marks, 'suppress' / 'review' / 'ok', and their reasons, per estimate.

    Parameters
    ----------
    estimate, ci_low, ci_high, n_eff, df : array_like, shape (k,)
        The estimate, the interval the rule is computed on (for a rate the Korn-Graubard interval, R's
        ``svyciprop(method="beta")``), the design-based effective sample size p(1-p)/V and the design df.
    kind : {'rate', 'score'}

    Returns
    -------
    marks, reasons : tuple of str
        Reasons name every rule that fired ("n_eff 12.3 < 30; df 5 < 8"); "" for 'ok'.

    Notes
    -----
    Rates, NCHS Data Presentation Standards for Proportions [1]_: **suppress** when there is no interval,
    n_eff < 30, the absolute width >= 0.30, or the width > 0.05 and the relative width (width / p) > 130%;
    **review** when df < 8. Scores (0-100 index) use n_eff < 30 (suppress) and df < 8 (review) only.

    References
    ----------
    .. [1] J.D. Parker et al., "National Center for Health Statistics data presentation standards for
       proportions", Vital Health Stat 2(175), 2017.
    """
    if kind not in ("rate", "score"):
        raise AnalysisError(f"kind: {kind!r} is not one of 'rate', 'score'")
    p, low, high, ne, df = np.broadcast_arrays(*(np.asarray(x, dtype=np.float64) for x in
                                                 (estimate, ci_low, ci_high, n_eff, df)))
    width = high - low
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = width / np.abs(p)
    marks, reasons = [], []
    for i in range(p.shape[0]):
        suppress, review = [], []
        if not np.isfinite(width[i]):
            suppress.append("no interval")
        if not ne[i] >= 30:
            suppress.append("no estimate" if np.isnan(ne[i]) else f"n_eff {ne[i]:.1f} < 30")
        if kind == "rate" and width[i] >= 0.30:
            suppress.append(f"CI width {width[i]:.3f} >= 0.30")
        if kind == "rate" and width[i] > 0.05 and relative[i] > 1.30:
            suppress.append(f"relative CI width {100 * relative[i]:.0f}% > 130%")
        if df[i] < 8:
            review.append(f"df {df[i]:.0f} < 8")
        marks.append("suppress" if suppress else "review" if review else "ok")
        reasons.append("; ".join(suppress + review))
    return tuple(marks), tuple(reasons)
