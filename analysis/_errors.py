"""The errors of the statistics engine: one home, imported by every module that raises them."""

from __future__ import annotations

__all__ = ["AnalysisError", "WeightingError"]


class AnalysisError(ValueError):
    """Bad input to the statistics engine; the message names the argument, column, level or stratum."""


class WeightingError(AnalysisError):
    """Weights, margins or population totals that cannot be used as given.

    A subclass of :class:`AnalysisError` (so of :class:`ValueError`); the message names the argument, the
    column and the level.
    """
