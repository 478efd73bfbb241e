"""A sampled household's outcome (AAPOR final disposition code): the one place it is derived.

``shared/design/rounds-and-weights.md``: the highest, in ``analysis.PRIORITY`` order, of the outcomes of the
household's response and of its interviewer visits; without visit records it comes from the response alone
(complete -> I, partial -> P, screened out -> NE, no response -> UH).
"""

from __future__ import annotations

from collections.abc import Iterable

from analysis import OUTCOMES, PRIORITY, VISIT_DISPOSITIONS, combine

from ..models import Status

__all__ = ["OUTCOMES", "PRIORITY", "RESPONSE_OUTCOMES", "outcome_of"]

#: The outcome a response of each status gives.
RESPONSE_OUTCOMES = {Status.COMPLETE: "I", Status.PARTIAL: "P", Status.INELIGIBLE: "NE"}


def outcome_of(response_status: str | None, visits: Iterable[str] = ()) -> str:
    """The outcome code of a sampled household whose response has ``response_status`` (None: no response)
    and whose interviewer visits ended with the dispositions ``visits`` (``analysis.VISIT_DISPOSITIONS``)."""
    codes = [VISIT_DISPOSITIONS[visit] for visit in visits]
    if response_status is not None:
        codes.append(RESPONSE_OUTCOMES[Status(response_status)])
    return combine(codes)
