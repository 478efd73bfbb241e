"""Post-stratification and raking, with the information the variance needs afterwards.

The weights match R's ``postStratify`` and ``rake`` (survey package, Lumley 2010, ch. 7); the objects in
:attr:`Calibrated.calibration` reproduce what R's ``svyrecvar`` does with ``design$postStrata``, so that
standard errors after calibration match R's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ._checks import WeightingError, as_labels, as_weights, match_totals, readonly
from ._weighting_residuals import CalibrationChain, PostStratification, Raking

__all__ = ["Calibrated", "CalibrationChain", "PostStratification", "Raking", "poststratify", "rake"]

@dataclass(frozen=True, eq=False)
class Calibrated:
    """Calibrated weights and what the variance needs to know about the calibration.

    Attributes
    ----------
    weights : ndarray
        The final weights.
    calibration : PostStratification, Raking or CalibrationChain
        Pass it as ``Design(..., calibration=...)``; its ``residualize(z)`` is applied to the linearised
        scores before they are summed by PSU.
    iterations : int
        Raking sweeps (1 for post-stratification).
    distance : float
        :math:`\\max_c |\\sum_{i \\in c} w_i / T_c - 1|` over every margin level with a positive target.
    """

    weights: np.ndarray
    calibration: object = field(repr=False)
    iterations: int = 1
    distance: float = 0.0


def _chain(previous, step):
    if previous is None:
        return step
    before = previous.steps if isinstance(previous, CalibrationChain) else (previous,)
    return CalibrationChain(before + (step,))


def _start(weights):
    """Weights and any earlier calibration, from an array or a :class:`Calibrated`."""
    if isinstance(weights, Calibrated):
        return np.array(weights.weights, dtype=float), weights.calibration
    return as_weights(weights), None


def poststratify(weights, groups, totals: Mapping, *, name: str = "group") -> Calibrated:
    r"""Post-stratify weights to known population counts.

    .. math:: w_i \leftarrow w_i \, N_g / \textstyle\sum_{j \in g} w_j \qquad (i \in g)

    Same weights as R's ``postStratify(design, ~g, population)`` (Lumley 2010, sec. 7.3; Kalton &
    Flores-Cervantes 2003, sec. 2.2).

    Parameters
    ----------
    weights : array_like of float, or Calibrated
        Current weights, one per row (non-negative). A :class:`Calibrated` chains this step after its
        calibration, as R does when ``postStratify`` is applied to a calibrated design.
    groups : array_like
        The post-stratum (level label) of every row.
    totals : mapping
        Population total per level, e.g. ``{"E": 4421, "H": 755, "M": 1018}``.
    name : str
        Column name used in error messages.

    Returns
    -------
    Calibrated

    Raises
    ------
    WeightingError
        A sample level missing from `totals` (or with total 0), a level with a positive total but no
        respondents, bad weights or totals, or lengths that differ.
    """
    w, previous = _start(weights)
    levels, codes = as_labels(groups, n=w.shape[0], name=name)
    target = match_totals(levels, codes, w, totals, name=name)
    sums = np.bincount(codes, weights=w, minlength=len(levels))
    new = w * (target / sums)[codes]
    step = PostStratification(name, tuple(levels), codes, readonly(new), readonly(w))
    return Calibrated(readonly(new), _chain(previous, step), 1, _distance([(codes, target)], new))


def _distance(margins, w) -> float:
    worst = 0.0
    for codes, target in margins:
        sums = np.bincount(codes, weights=w, minlength=target.shape[0])
        worst = max(worst, float(np.max(np.abs(sums / target - 1.0))))
    return worst


def _rake_margins(w, margins):
    if isinstance(margins, Mapping) or not isinstance(margins, Sequence) or not margins:
        raise WeightingError("margins must be a non-empty sequence of (name, groups, totals)")
    out = []
    for k, margin in enumerate(margins):
        if not isinstance(margin, Sequence) or len(margin) != 3:
            raise WeightingError(f"margins[{k}] must be a (name, groups, totals) triple")
        name, groups, totals = margin
        levels, codes = as_labels(groups, n=w.shape[0], name=str(name))
        out.append((str(name), levels, codes, match_totals(levels, codes, w, totals, name=str(name))))
    first_name, first_total = out[0][0], out[0][3].sum()
    for name, _levels, _codes, target in out[1:]:
        if abs(target.sum() - first_total) > 1e-9 * first_total:
            raise WeightingError(f"margins disagree on the population total: {first_name!r} sums to "
                                 f"{first_total:.10g} but {name!r} sums to {target.sum():.10g}")
    return out


def _worst(margins, w) -> str:
    best = (-1.0, "", None)
    for name, levels, codes, target in margins:
        gap = np.abs(np.bincount(codes, weights=w, minlength=len(levels)) / target - 1.0)
        k = int(np.argmax(gap))
        if gap[k] > best[0]:
            best = (float(gap[k]), name, levels[k])
    return f"column {best[1]!r}, level {best[2]!r} is off by {best[0]:.3g}"


def rake(weights, margins: Sequence, *, tol: float = 1e-10, max_iter: int = 1000,
         bounds: tuple[float, float] | None = None) -> Calibrated:
    r"""Rake weights to several population margins (iterative proportional fitting).

    Each sweep post-stratifies on every margin in turn, :math:`w_i \leftarrow w_i T_c / \sum_{j\in c} w_j`.
    Sweeps stop when every margin is met,

    .. math:: \max_{m,\,c} \bigl| \textstyle\sum_{i \in c} w_i / T_c - 1 \bigr| < \mathrm{tol},

    (not on the change between sweeps). At convergence the weights are R's
    ``rake(design, sample.margins, population.margins)`` (Lumley 2010, sec. 7.4; Deville & Särndal 1992,
    raking ratio; Kalton & Flores-Cervantes 2003, sec. 2.4). R's default stops when no cell of the joint
    table moves by 1 (``control=list(epsilon=1)``) and only warns when not converged; with a small
    ``epsilon`` R's weights equal these to about `tol`.

    Parameters
    ----------
    weights : array_like of float, or Calibrated
        Starting (design or non-response adjusted) weights, one per row.
    margins : sequence of (name, groups, totals)
        ``name`` the column name (for messages), ``groups`` the level of every row, ``totals`` a mapping
        level -> population total. All margins must sum to the same population total.
    tol : float
        Largest relative distance to any target at convergence.
    max_iter : int
        Most sweeps before :class:`WeightingError` is raised.
    bounds : (lower, upper), optional
        Bounded raking (Kalton & Flores-Cervantes 2003, sec. 2.5): after each sweep, weights are clipped
        to ``[lower, upper]``; sweeps continue until the margins are met with every weight in bounds.

    Returns
    -------
    Calibrated

    Raises
    ------
    WeightingError
        Margins whose totals differ; a population level with no respondents; a sample level missing from
        a margin; bad weights; raking that does not converge within `max_iter` sweeps (the message names
        the level furthest from its target).
    """
    w, previous = _start(weights)
    if not (tol > 0) or int(max_iter) < 1:
        raise WeightingError(f"tol must be positive and max_iter at least 1, got tol={tol}, "
                             f"max_iter={max_iter}")
    lower, upper = _check_bounds(bounds, w)
    spec = _rake_margins(w, margins)
    pairs = [(codes, target) for _n, _l, codes, target in spec]
    for sweep in range(1, int(max_iter) + 1):
        steps = []
        for name, levels, codes, target in spec:
            sums = np.bincount(codes, weights=w, minlength=len(levels))
            w = w * np.divide(target, sums, out=np.zeros_like(target), where=sums > 0)[codes]
            steps.append((name, tuple(levels), codes, w))
        if bounds is not None:
            w = np.clip(w, lower, upper)
        dist = _distance(pairs, w)
        if dist < tol:
            margins_info = tuple((n, lv, c, readonly(x)) for n, lv, c, x in steps)
            return Calibrated(readonly(w), _chain(previous, Raking(margins_info)), sweep, dist)
    raise WeightingError(f"raking did not converge in {max_iter} sweeps (distance {dist:.3g} >= tol "
                         f"{tol:g}): {_worst(spec, w)}; check that these respondents can meet the margins"
                         + (" within the bounds" if bounds is not None else ""))


def _check_bounds(bounds, w):
    if bounds is None:
        return -np.inf, np.inf
    try:
        lower, upper = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise WeightingError(f"bounds must be a (lower, upper) pair of numbers, got {bounds!r}") from None
    if not (0 <= lower < upper):
        raise WeightingError(f"bounds must satisfy 0 <= lower < upper, got {bounds!r}")
    return lower, upper
