"""Result objects: one ``Estimate``, or ``DomainEstimates`` for every level of a domain at once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ._checks import AnalysisError, label

__all__ = ["Estimate", "DomainEstimates", "reliability"]

FIELDS = ("estimate", "se", "ci_low", "ci_high", "df", "deff", "n", "n_eff")


@dataclass(frozen=True)
class Estimate:
    """A design-based estimate.

    Attributes
    ----------
    estimate : float
        Weighted mean, rate or total.
    se : float
        Taylor-linearised standard error.
    ci_low, ci_high : float
        Confidence interval (NaN when df <= 0).
    df : int
        Design degrees of freedom of the domain (R's ``degf`` on the domain subset).
    deff : float
        Design effect V_design / V_SRS (R's ``svymean(deff=TRUE)``, without-replacement SRS).
    n : int
        Rows in the estimate's domain (domain level known, value not missing).
    n_eff : float
        Design-based effective sample size sigma^2 / V (p(1-p)/V for a rate; n when V = 0 and p is 0 or 1).
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    df: int
    deff: float
    n: int
    n_eff: float

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in FIELDS}


@dataclass(frozen=True, eq=False)
class DomainEstimates:
    """Estimates for every level of a domain variable (levels sorted, as R's ``svyby``).

    Each field is an array aligned with ``levels``; ``result[level]`` (or ``result.get(level)``) gives one
    ``Estimate``, ``result.items()`` yields ``(level, Estimate)`` pairs and ``labels`` the levels as text.
    """

    levels: tuple
    estimate: np.ndarray
    se: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    df: np.ndarray
    deff: np.ndarray
    n: np.ndarray
    n_eff: np.ndarray

    def __len__(self) -> int:
        return len(self.levels)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(label(level) for level in self.levels)

    def _index(self, level) -> int:
        for i, known in enumerate(self.levels):
            if known == level or label(known) == str(level):
                return i
        raise AnalysisError(f"domain: no level {level!r}")

    def __getitem__(self, level) -> Estimate:
        return self._at(self._index(level))

    get = __getitem__

    def _at(self, i: int) -> Estimate:
        return Estimate(*(_scalar(getattr(self, name)[i]) for name in FIELDS))

    def items(self) -> Iterator[tuple[object, Estimate]]:
        for i, level in enumerate(self.levels):  # by position: a look-up per level would be O(levels^2)
            yield level, self._at(i)


def _scalar(x):
    return int(x) if isinstance(x, np.integer) else float(x)


def reliability(
    est: Estimate, *, kind: str = "rate", min_n_eff: float = 30, max_width: float = 0.30,
    max_relative_width: float = 1.30, min_df: int = 8,
) -> str:
    """Presentation flag for an estimate: ``'suppress'``, ``'flag'`` or ``'ok'``.

    NCHS presentation standards for proportions [1]_ (our defaults): suppress when there is no interval,
    n_eff < 30, or (for a rate) the CI width >= 0.30; flag when the CI width relative to the estimate exceeds
    130% or df < 8. For a score (``kind='score'``) the absolute-width rule does not apply.

    References
    ----------
    .. [1] J.D. Parker et al., Vital Health Stat 2(175), 2017.
    """
    if kind not in ("rate", "score"):
        raise AnalysisError(f"kind: {kind!r} is not one of 'rate', 'score'")
    width = est.ci_high - est.ci_low
    if not np.isfinite(width) or not est.n_eff >= min_n_eff or (kind == "rate" and width >= max_width):
        return "suppress"
    if est.df < min_df or (est.estimate != 0 and width / abs(est.estimate) > max_relative_width):
        return "flag"
    return "ok"
