"""Design weights, non-response adjustment and trimming.

Kalton & Flores-Cervantes (2003), "Weighting methods", J. Official Statistics 19(2); Valliant, Dever &
Kreuter (2018), "Practical Tools for Designing and Weighting Survey Samples", ch. 13; trimming as R's
``trimWeights`` (survey package, Lumley 2010).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ._calibration import Calibrated
from ._checks import WeightingError, as_labels, as_weights, readonly

__all__ = ["DesignWeights", "NonresponseAdjusted", "Trimmed", "design_weights", "nonresponse_adjust", "trim"]

STATUSES = ("respondent", "nonrespondent", "ineligible", "unknown")


@dataclass(frozen=True, eq=False)
class DesignWeights:
    """Result of :func:`design_weights`.

    Attributes
    ----------
    weights : ndarray
        Person weights: household weight times the number of eligible adults.
    household_weights : ndarray
        1 / household selection probability.
    """

    weights: np.ndarray
    household_weights: np.ndarray


def _per_level(mapping, levels, *, argument: str, name: str, default=None) -> np.ndarray:
    if mapping is None:
        return np.full(len(levels), default, dtype=float)
    if not isinstance(mapping, Mapping):
        raise WeightingError(f"{argument} must be a mapping {name} -> number, got {type(mapping).__name__}")
    out = np.empty(len(levels))
    for k, level in enumerate(levels):
        if level not in mapping:
            raise WeightingError(f"{argument} has no entry for {name} {level!r}")
        try:
            out[k] = float(mapping[level])
        except (TypeError, ValueError):
            raise WeightingError(f"{argument} for {name} {level!r} must be a number, "
                                 f"got {mapping[level]!r}") from None
        if not np.isfinite(out[k]) or out[k] <= 0:
            raise WeightingError(f"{argument} for {name} {level!r} must be positive, got {mapping[level]!r}")
    return out


def design_weights(community, frame_households: Mapping, sampled_households: Mapping, *,
                   eligible_adults=None, community_probability: Mapping | None = None,
                   name: str = "community") -> DesignWeights:
    r"""Design weights: the inverse of each respondent's selection probability.

    .. math:: w_i = \frac{1}{\pi_c} \cdot \frac{M_c}{m_c} \cdot A_i

    with :math:`M_c` the households of community *c* in the frame, :math:`m_c` the households sampled
    there, :math:`\pi_c` the probability that the community itself was selected (1 when every community is
    surveyed), and :math:`A_i` the number of eligible adults in the household when one adult is chosen at
    random (Kalton & Flores-Cervantes 2003, sec. 1; Valliant et al. 2018, sec. 13.2).

    Parameters
    ----------
    community : array_like
        Community label of each row (sampled household or respondent).
    frame_households, sampled_households : mapping
        Community -> number of households in the frame / in the sample (``0 < m_c <= M_c``).
    eligible_adults : array_like of int, optional
        Eligible adults in each row's household (at least 1). Omit for household-level weights or when
        every adult is interviewed.
    community_probability : mapping, optional
        Community -> selection probability of the community, in (0, 1].
    name : str
        What the labels are called in messages.

    Returns
    -------
    DesignWeights
    """
    labels = np.asarray(community)
    n = labels.shape[0] if labels.ndim == 1 else -1  # as_labels reports the shape
    levels, codes = as_labels(labels, n=n, name=name, argument="community")
    big = _per_level(frame_households, levels, argument="frame_households", name=name)
    small = _per_level(sampled_households, levels, argument="sampled_households", name=name)
    prob = _per_level(community_probability, levels, argument="community_probability", name=name, default=1.0)
    for k, level in enumerate(levels):
        if small[k] > big[k]:
            raise WeightingError(f"{name} {level!r}: sampled_households ({small[k]:g}) exceeds "
                                 f"frame_households ({big[k]:g})")
        if prob[k] > 1:
            raise WeightingError(f"community_probability for {name} {level!r} must be at most 1, "
                                 f"got {prob[k]:g}")
    household = (big / small / prob)[codes]
    adults = np.ones(codes.shape[0])
    if eligible_adults is not None:
        adults = as_weights(eligible_adults, name="eligible_adults", n=codes.shape[0])
        bad = np.flatnonzero((adults < 1) | (adults != np.round(adults)))
        if bad.size:
            raise WeightingError(f"eligible_adults must be a whole number of at least 1: row {bad[0] + 1} "
                                 f"is {adults[bad[0]]:g}")
    return DesignWeights(readonly(household * adults), readonly(household))


@dataclass(frozen=True, eq=False)
class NonresponseAdjusted:
    """Result of :func:`nonresponse_adjust`.

    Attributes
    ----------
    weights : ndarray
        Respondents: adjusted weights; ineligibles: weight with the unknown-eligibility share added;
        nonrespondents and unknown-eligibility cases: 0.
    factors : mapping
        Class -> factor applied to its respondents.
    eligible_share : mapping
        Class -> estimated share eligible among cases of known eligibility.
    """

    weights: np.ndarray
    factors: Mapping = field(repr=False)
    eligible_share: Mapping = field(repr=False)


def nonresponse_adjust(weights, status, classes=None, *, name: str = "class") -> NonresponseAdjusted:
    r"""Weighting-class non-response adjustment, with unknown eligibility spread over the eligible share.

    Within each class, with :math:`W_r, W_n, W_x, W_u` the weight totals of respondents, eligible
    nonrespondents, ineligibles and cases of unknown eligibility, and :math:`e = (W_r + W_n) / (W_r + W_n
    + W_x)` the eligible share among cases of known eligibility, respondents get

    .. math:: w_i \leftarrow w_i \, \frac{W_r + W_n + e\,W_u}{W_r}

    (Kalton & Flores-Cervantes 2003, sec. 2.1; Valliant et al. 2018, sec. 13.3-13.4, the AAPOR
    estimated-eligibility convention).

    Parameters
    ----------
    weights : array_like of float
        Design weights of every sampled case.
    status : array_like of str
        ``"respondent"``, ``"nonrespondent"`` (eligible, no interview), ``"ineligible"`` or ``"unknown"``.
    classes : array_like, optional
        Adjustment class of each case; one class when omitted.
    name : str
        Column name of the classes, for messages.

    Returns
    -------
    NonresponseAdjusted

    Raises
    ------
    WeightingError
        An unknown status; a class with eligible cases but no respondent weight, or with
        unknown-eligibility cases but none of known eligibility (collapse classes).
    """
    w = as_weights(weights)
    n = w.shape[0]
    st = np.asarray(status, dtype=object)
    if st.ndim != 1 or st.shape[0] != n:
        raise WeightingError(f"status has shape {st.shape}, expected ({n},) (one per row of weights)")
    kind = np.full(n, -1)
    for k, s in enumerate(STATUSES):
        kind[st == s] = k
    bad = np.flatnonzero(kind < 0)
    if bad.size:
        raise WeightingError(f"status at row {bad[0] + 1} is {st[bad[0]]!r}; expected one of "
                             f"{', '.join(STATUSES)}")
    levels, codes = (["all"], np.zeros(n, dtype=np.intp)) if classes is None else \
        as_labels(classes, n=n, name=name, argument="classes")
    tot = np.stack([np.bincount(codes, weights=w * (kind == k), minlength=len(levels))
                    for k in range(4)], axis=1)
    resp, nonresp, inel, unknown = tot.T
    known = resp + nonresp + inel
    share = np.divide(resp + nonresp, known, out=np.zeros_like(known), where=known > 0)
    for k, level in enumerate(levels):
        if unknown[k] > 0 and known[k] == 0:
            raise WeightingError(f"{name} {level!r}: every case has unknown eligibility; collapse classes")
        if resp[k] == 0 and nonresp[k] > 0:
            raise WeightingError(f"{name} {level!r} has eligible cases but no respondent weight; "
                                 "collapse classes")
    factor = np.divide(resp + nonresp + share * unknown, resp, out=np.ones_like(resp), where=resp > 0)
    spread = np.divide(known + unknown, known, out=np.ones_like(known), where=known > 0)
    out = np.where(kind == 0, w * factor[codes], np.where(kind == 2, w * spread[codes], 0.0))
    return NonresponseAdjusted(readonly(out), dict(zip(levels, factor.tolist(), strict=True)),
                               dict(zip(levels, share.tolist(), strict=True)))


@dataclass(frozen=True, eq=False)
class Trimmed:
    """Result of :func:`trim`.

    Attributes
    ----------
    weights : ndarray
        Trimmed weights (same total as before).
    calibration : object or None
        The calibration of the input, kept unchanged as R's ``trimWeights`` keeps ``postStrata``.
    n_trimmed : int
        Rows set to a bound.
    passes : int
        Clip-and-spread passes made.
    """

    weights: np.ndarray
    calibration: object = field(repr=False, default=None)
    n_trimmed: int = 0
    passes: int = 0


def trim(weights, *, lower: float | None = None, upper: float | None = None, strict: bool = False,
         spread: str = "equal") -> Trimmed:
    r"""Trim weights to ``[lower, upper]`` and spread the excess over the other rows (total kept).

    One pass clips :math:`w_i` to the bounds and adds :math:`\sum_i (w_i - \tilde w_i)` to the rows that
    were inside, equally (``spread="equal"``, R's ``trimWeights(design, upper, lower)``) or in proportion
    to their weights (``spread="proportional"``; Kalton & Flores-Cervantes 2003, sec. 3.3). With
    ``strict=True`` passes repeat, holding clipped rows at their bound, until every weight is within
    bounds (R's ``strict=TRUE`` gives the same weights whenever one pass leaves every weight within bounds;
    otherwise R spreads the next excess over the clipped rows too, and may recurse without end).

    Trimming moves weighted margins away from their targets: rake again afterwards, or use
    ``rake(..., bounds=(lower, upper))``.

    Parameters
    ----------
    weights : array_like of float, or Calibrated
        Weights to trim. The calibration of a :class:`Calibrated` is carried over (as R).
    lower, upper : float, optional
        Bounds (absolute weights).
    strict : bool
        Repeat until every weight is within bounds.
    spread : {"equal", "proportional"}
        How the trimmed excess is shared.

    Returns
    -------
    Trimmed
    """
    calibration = weights.calibration if isinstance(weights, Calibrated) else None
    w = as_weights(weights.weights if isinstance(weights, Calibrated) else weights)
    lo = -np.inf if lower is None else float(lower)
    hi = np.inf if upper is None else float(upper)
    if not lo < hi:
        raise WeightingError(f"lower ({lower}) must be below upper ({upper})")
    if spread not in ("equal", "proportional"):
        raise WeightingError(f"spread must be 'equal' or 'proportional', got {spread!r}")
    if strict and not (w.shape[0] * lo <= w.sum() <= w.shape[0] * hi):
        raise WeightingError(f"no weights within [{lower}, {upper}] can keep the total {w.sum():.6g} "
                             f"over {w.shape[0]} rows")
    held = np.zeros(w.shape[0], dtype=bool)
    passes = 0
    while True:
        outside = ~held & ((w < lo) | (w > hi))
        if not outside.any():
            break
        passes += 1
        new = np.clip(w, lo, hi)
        excess = float(np.sum(w[outside] - new[outside]))
        held |= outside
        free = ~held
        if not free.any():
            raise WeightingError("every weight is at a bound; the excess has nowhere to go")
        if spread == "equal":
            new[free] += excess / free.sum()
        else:
            new[free] *= 1 + excess / new[free].sum()
        w = new
        if not strict:
            break
    return Trimmed(readonly(w), calibration, int(held.sum()), passes)
