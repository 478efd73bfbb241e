"""The AAPOR final disposition codes of a sampled household: the one home of the outcome vocabulary.

Codes, AAPOR numbers and eligibility follow AAPOR, *Standard Definitions: Final Dispositions of Case Codes and
Outcome Rates for Surveys* (10th ed., 2023), tables 1-4, as the design page ``rounds-and-weights.md`` adapts them.
A household's outcome is the highest of its visits' and its response's outcomes in :data:`PRIORITY` order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from types import MappingProxyType

from ._errors import AnalysisError

__all__ = ["ELIGIBLE", "KNOWN", "OUTCOMES", "PRIORITY", "RESPONDENTS", "VISIT_DISPOSITIONS", "Outcome", "combine"]

ELIGIBILITY = ("eligible", "unknown", "not_eligible")


@dataclass(frozen=True)
class Outcome:
    """One final disposition code.

    Attributes
    ----------
    code : str
        The platform's code (``"I"``, ``"P"`` …).
    aapor : str
        The AAPOR disposition number (``"1.1"`` …; ``"4.x"`` for every not-eligible reason).
    label_zh, label_en : str
        Short labels for pages and exports.
    eligibility : {'eligible', 'unknown', 'not_eligible'}
    respondent : bool
        Counts as a respondent for weighting (only a complete interview does).
    """

    code: str
    aapor: str
    label_zh: str
    label_en: str
    eligibility: str
    respondent: bool


_ALL = (
    Outcome("I", "1.1", "完成访问", "complete interview", "eligible", True),
    Outcome("P", "1.2", "部分完成", "partial interview", "eligible", False),
    Outcome("R", "2.10", "拒访或中断", "refusal or break-off", "eligible", False),
    Outcome("NC", "2.20", "未接触", "non-contact", "eligible", False),
    Outcome("O", "2.30", "其他未访问", "other non-interview", "eligible", False),
    Outcome("UH", "3.10", "不明是否住户", "unknown if occupied dwelling", "unknown", False),
    Outcome("UO", "3.90", "其他不明", "unknown, other", "unknown", False),
    Outcome("NE", "4.x", "不符合条件", "not eligible", "not_eligible", False),
)

#: Every outcome, by code, in the order of the design page's table.
OUTCOMES: MappingProxyType = MappingProxyType({o.code: o for o in _ALL})

#: Highest first: a household's outcome is the first of these among its visits' and response's outcomes.
PRIORITY = ("I", "P", "R", "O", "NE", "NC", "UO", "UH")

#: Outcomes of known eligibility (step 2 of the weight chain).
KNOWN = frozenset(o.code for o in _ALL if o.eligibility != "unknown")
#: Eligible outcomes (step 3 of the weight chain).
ELIGIBLE = frozenset(o.code for o in _ALL if o.eligibility == "eligible")
#: Respondents for weighting.
RESPONDENTS = frozenset(o.code for o in _ALL if o.respondent)

#: The outcome each interviewer visit disposition gives.
VISIT_DISPOSITIONS: MappingProxyType = MappingProxyType({
    "refusal_household": "R", "refusal_respondent": "R", "break_off": "R",
    "not_at_home": "NC", "no_access": "NC", "respondent_away": "NC",
    "language": "O", "unable": "O", "other": "O",
    "not_found": "UH", "unknown_other": "UO",
    "vacant": "NE", "not_dwelling": "NE", "no_eligible": "NE",
})

_RANK = {code: k for k, code in enumerate(PRIORITY)}


def combine(codes: Iterable[str]) -> str:
    """The highest outcome of ``codes`` in :data:`PRIORITY` order; ``"UH"`` (never attempted) when empty.

    >>> combine(["NC", "NC", "R"])
    'R'
    >>> combine(["NC", "NE"])
    'NE'
    """
    best = "UH"
    for code in codes:
        if code not in _RANK:
            raise AnalysisError(f"codes: {code!r} is not an outcome code (one of {', '.join(PRIORITY)})")
        if _RANK[code] < _RANK[best]:
            best = code
    return best
