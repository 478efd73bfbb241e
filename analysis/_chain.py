"""The weight chain of a survey round, steps 1-5 of docs ``rounds-and-weights.md``.

Base weights, AAPOR unknown-eligibility and non-response adjustment within weighting classes, the
person-in-household factor and raking to population margins (Valliant, Dever & Kreuter 2018, *Practical Tools
for Designing and Weighting Survey Samples*, ch. 13-14; AAPOR Standard Definitions 2023, the estimated share e
of eligible cases among the unknown; Kalton & Flores-Cervantes 2003 for raking and trimming).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._calibration import Calibrated, rake
from ._chain_classes import Merge, weighting_classes
from ._chain_margins import Margin, raking_margins
from ._checks import as_vector, factorize, label, missing_mask
from ._design import Design
from ._errors import AnalysisError, WeightingError
from ._outcomes import ELIGIBLE, KNOWN, OUTCOMES, RESPONDENTS
from ._weighting import Trimmed, trim

__all__ = ["Margin", "Merge", "WeightChain", "weight_chain"]


@dataclass(frozen=True, eq=False)
class WeightChain:
    """Every household's weights step by step; arrays aligned with the rows given to :func:`weight_chain`.

    A factor is NaN where its step does not apply (the row left the chain earlier); the weight after each
    step is the product of the factors so far (``eligibility_weight`` = a1, ``nonresponse_weight`` = a2,
    ``person_weight`` = w of the design page).
    """

    base_weight: np.ndarray = field(repr=False)
    unknown_factor: np.ndarray = field(repr=False)
    eligibility_weight: np.ndarray = field(repr=False)
    nonresponse_factor: np.ndarray = field(repr=False)
    nonresponse_weight: np.ndarray = field(repr=False)
    adults: np.ndarray = field(repr=False)
    person_factor: np.ndarray = field(repr=False)
    person_weight: np.ndarray = field(repr=False)
    calibration_factor: np.ndarray = field(repr=False)
    final_weight: np.ndarray = field(repr=False)
    weight_class: np.ndarray = field(repr=False)
    respondent: np.ndarray = field(repr=False)
    merges: tuple = ()
    calibrated: Calibrated | None = field(default=None, repr=False)
    margin_table: tuple = field(default=(), repr=False)  # (scope, variable, category, target, achieved)

    def design(self, strata=None, psu=None, fpc=None, **kw) -> Design:
        """The variance design over the respondent rows, with the final weights and the calibration.

        ``strata``, ``psu`` and ``fpc`` are aligned with the chain's rows (every sampled household) and
        subset here to the respondents; other keywords go to :class:`analysis.Design`. The calibration makes
        standard errors use the residuals of the raking, as R's ``rake`` design does.
        """
        r = self.respondent

        def pick(a):
            return None if a is None else as_vector(a, "design", r.shape[0])[r]

        calibration = None if self.calibrated is None else self.calibrated.calibration
        return Design(self.final_weight[r], strata=pick(strata), psu=pick(psu), fpc=pick(fpc),
                      calibration=calibration, **kw)


def _codes(values, name: str, n: int):
    """Integer codes and text labels of a label column (no missing labels)."""
    arr = as_vector(values, name, n)
    if missing_mask(arr).any():
        raise AnalysisError(f"{name}: missing label at row {int(np.flatnonzero(missing_mask(arr))[0]) + 1}")
    codes, levels = factorize(arr)
    return codes, [label(v) for v in levels.tolist()]


def _geography(community, street, district, n):
    """Community codes and labels, each community's (district, street) and district; one of each per community."""
    (cc, cl), (sc, sl), (dc, dl) = (_codes(a, k, n) for a, k in
                                    ((community, "community"), (street, "street"), (district, "district")))
    first = np.full(len(cl), -1, dtype=np.int64)
    first[cc[::-1]] = np.arange(n - 1, -1, -1)
    for codes, labels, what in ((sc, sl, "street"), (dc, dl, "district")):
        bad = np.flatnonzero(codes != codes[first][cc])
        if bad.size:
            i = int(bad[0])
            raise AnalysisError(f"{what}: community {cl[cc[i]]!r} is in two of them ({labels[codes[first[cc[i]]]]!r} "
                                f"and {labels[codes[i]]!r}, row {i + 1})")
    streets = {c: (dl[dc[f]], sl[sc[f]]) for c, f in zip(cl, first.tolist(), strict=True)}
    districts = {c: dl[dc[f]] for c, f in zip(cl, first.tolist(), strict=True)}
    return cc, cl, (dc, dl), streets, districts


def _check(base_weight, outcome, cap, min_respondents):
    d = np.asarray(base_weight, dtype=float) if np.asarray(base_weight).dtype.kind in "fiu" else None
    if d is None or d.ndim != 1 or d.shape[0] == 0:
        raise AnalysisError("base_weight: expected a non-empty 1-D array of numbers (1 / pi per household)")
    bad = np.flatnonzero(~(np.isfinite(d) & (d > 0)))
    if bad.size:
        raise AnalysisError(f"base_weight: must be positive and finite, row {bad[0] + 1} is {d[bad[0]]}")
    arr = as_vector(outcome, "outcome", d.shape[0])
    arr = arr if arr.dtype.kind == "U" else arr.astype(str)
    levels = np.array(list(OUTCOMES))
    codes = np.full(arr.shape[0], -1, dtype=np.int64)
    for k, code in enumerate(levels.tolist()):  # a few passes over short strings beat sorting a million
        codes[arr == code] = k
    wrong = np.flatnonzero(codes < 0)
    if wrong.size:
        raise AnalysisError(f"outcome: {str(arr[wrong[0]])!r} at row {wrong[0] + 1} is not one of "
                            f"{', '.join(OUTCOMES)}")
    out = (levels, codes)
    for value, name in ((cap, "cap"), (min_respondents, "min_respondents")):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise AnalysisError(f"{name}: {value!r} is not a whole number of at least 1")
    return d, out


def _class_ratio(codes, numerator, denominator):
    """sum over the class of numerator / sum of denominator, per row (0 / 0 -> NaN)."""
    top = np.bincount(codes, weights=numerator)
    bottom = np.bincount(codes, weights=denominator)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (top / bottom)[codes]


def _person(adults, resp, cap, n):
    if adults is None:
        return np.full(n, np.nan), np.full(n, np.nan), np.ones(n)
    h1 = np.asarray(as_vector(adults, "adults", n), dtype=float)
    bad = np.flatnonzero(resp & ~(np.isfinite(h1) & (h1 >= 1) & (h1 == np.round(h1))))
    if bad.size:
        raise AnalysisError(f"adults: respondent at row {bad[0] + 1} has H1 = {float(h1[bad[0]])}, "
                            "expected a whole number of at least 1")
    used = np.where(resp, np.minimum(h1, cap), np.nan)
    return used, used, np.where(resp, used, 1.0)


def weight_chain(*, base_weight, outcome, community, street, district, adults=None, values=None, margins=(),
                 cap: int = 4, min_respondents: int = 5, trim: tuple | None = None, epsilon: float = 1e-8,
                 max_iter: int = 1000) -> WeightChain:
    r"""Weights of one round, steps 1-5 of the design page, for every sampled (released) household.

    1. d_h = ``base_weight`` = 1 / pi_h.
    2. Known eligibility (outcome in I, P, R, NC, O, NE): a1_h = d_h sum_c d / sum_{c, known} d; unknown: 0.
    3. Eligible (I, P, R, NC, O) non-respondents get 0, respondents (I) a2_h = a1_h sum_{c, eligible} a1 /
       sum_{c, I} a1, not-eligible households keep a1 (and leave the analysis).
    4. w_h = a2_h min(H1_h, ``cap``) for respondents (w = a2 when ``adults`` is None).
    5. Raking of w over the respondents to ``margins`` (R's ``rake``; converged when every margin level is
       within ``epsilon`` of its total, relative), then with ``trim=(low, high)`` R's ``trimWeights`` to
       [low, high] x the median weight and raking again.

    Classes c (steps 2 and 3) are communities, decided once from the respondents (I) per community:
    (a) the communities with fewer than ``min_respondents`` respondents in a street are pooled into one
    class; (b) classes still that small in a district are pooled into one; (c) a class still too small joins
    the class with at least ``min_respondents`` respondents (as it stands after (b)) that shares a street
    with it and has the fewest respondents (ties: the first label), else such a class of its district, else
    of the city; when no class of the city is large enough, every class is pooled into one. A pooled class
    is labelled by its communities joined with "+". ``WeightChain.merges`` lists every pooling.

    Parameters
    ----------
    base_weight, outcome, community, street, district : array_like, one row per sampled household
    adults : array_like, optional
        H1 per row (NaN for non-respondents).
    values : mapping, optional
        Variable -> answer codes per row, for the margins.
    margins : sequence of Margin
        Each (scope, variable) is one margin over the respondents of that scope; the district-scoped
        margins of one variable are raked as one margin over (district, category) and must cover every
        district with respondents.
    """
    d, out = _check(base_weight, outcome, cap, min_respondents)
    n = d.shape[0]
    ccode, names, dist, streets, districts = _geography(community, street, district, n)
    resp, known, eligible = (np.isin(out[0], list(s))[out[1]] for s in (RESPONDENTS, KNOWN, ELIGIBLE))
    if not resp.any():
        raise WeightingError("outcome: no respondent (I) in the round; there is nothing to weight")
    counts = np.bincount(ccode, weights=resp, minlength=len(names)).astype(int)
    classes, merges = weighting_classes(dict(zip(names, counts.tolist(), strict=True)),
                                        streets, districts, min_respondents)
    class_labels, class_of = np.unique(np.array([classes[c] for c in names], dtype=object), return_inverse=True)
    kcode = class_of[ccode]
    klass = class_labels[kcode]
    f1 = np.where(known, _class_ratio(kcode, d, d * known), 0.0)
    a1 = d * f1
    f2 = np.where(resp, _class_ratio(kcode, a1 * eligible, a1 * resp), np.where(eligible, 0.0, 1.0))
    f2[~known] = np.nan
    a2 = np.where(known, a1 * f2, 0.0)
    used, person_factor, factor = _person(adults, resp, cap, n)
    w = np.where(resp, a2 * factor, np.nan)
    spec = raking_margins(margins, values, resp, dist, n)
    final, calibrated = _calibrate(w[resp], spec, trim, epsilon, max_iter)
    final_all = np.full(n, np.nan)
    final_all[resp] = final
    cal_factor = np.where(resp, final_all / w, np.nan) if spec else np.full(n, np.nan)
    table = tuple(m.achieved(final) for m in spec)
    return WeightChain(d, f1, a1, f2, a2, used, person_factor, w, cal_factor, final_all, klass, resp,
                       merges, calibrated, tuple(row for t in table for row in t))


def _calibrate(w, spec, bounds, epsilon, max_iter):
    """Step 5: rake, trim as R's trimWeights (bounds x median), rake again."""
    triples = [m.triple() for m in spec]
    if bounds is not None:
        try:
            low, high = (float(b) for b in bounds)
        except (TypeError, ValueError):
            raise AnalysisError(f"trim: expected (low, high) multiples of the median weight, got {bounds!r}") from None
        if not 0 <= low < high:
            raise AnalysisError(f"trim: need 0 <= low < high, got {bounds!r}")
    if not triples:
        if bounds is None:
            return w, None
        med = float(np.median(w))
        return trim(w, lower=low * med, upper=high * med).weights, None
    calibrated = _rake(w, triples, spec, epsilon, max_iter)
    if bounds is not None:
        med = float(np.median(calibrated.weights))
        trimmed: Trimmed = trim(calibrated, lower=low * med, upper=high * med)
        calibrated = _rake(Calibrated(trimmed.weights, trimmed.calibration), triples, spec, epsilon, max_iter)
    return np.asarray(calibrated.weights), calibrated


def _rake(w, triples, spec, epsilon, max_iter):
    try:
        return rake(w, triples, tol=epsilon, max_iter=max_iter)
    except WeightingError as exc:
        names = ", ".join(m.name for m in spec)
        raise WeightingError(f"margins ({names}): {exc}") from None

