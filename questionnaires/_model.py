"""The frozen model of a questionnaire. Build it with ``load``, ``loads`` or ``from_dict``, never by hand."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ._expr import Expression

#: The largest answer code: what a form input can carry (nine digits, so it fits a 32-bit integer everywhere).
#: The loader refuses a larger code, so no questionnaire offers an answer the form cannot accept.
MAX_ANSWER_CODE = 999_999_999


@dataclass(frozen=True)
class Label:
    """A text in Chinese and English."""

    zh: str
    en: str

    def get(self, lang: str | None = None) -> str:
        """The text in ``lang`` (``"en"``, ``"en-GB"``, ``"zh-CN"`` …); Chinese when there is no such text."""
        if lang and lang.lower().startswith("en") and self.en:
            return self.en
        return self.zh

    def to_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


class FrozenMap(Mapping):
    """A read-only, hashable mapping (score maps), ordered by key."""

    __slots__ = ("_data",)

    def __init__(self, pairs: Mapping | Any = ()) -> None:
        self._data = dict(sorted(dict(pairs).items()))

    def __getitem__(self, key: Any) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(tuple(self._data.items()))

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"


class Status(StrEnum):
    """Where an interview stands: the one home of these words (a stored response's status is one of them)."""

    PARTIAL = "partial"  # started, not finished: still open
    COMPLETE = "complete"  # every relevant required item answered
    INELIGIBLE = "ineligible"  # screened out by a screening rule

    @property
    def label(self) -> Label:
        return _STATUS_LABELS[self]


_STATUS_LABELS: dict[str, Label] = {
    Status.PARTIAL: Label("未完成", "partial"),
    Status.COMPLETE: Label("完成", "complete"),
    Status.INELIGIBLE: Label("不符合条件", "ineligible"),
}


@dataclass(frozen=True)
class Choice:
    """One answer of a choice question; ``code`` is what is stored and exported."""

    code: int
    label: Label

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, **self.label.to_dict()}


@dataclass(frozen=True)
class Question:
    """One item. ``positive`` are the codes counted as "yes" by rates; ``scores`` maps codes to points."""

    code: str
    type: str
    label: Label
    choices: tuple[Choice, ...] = ()
    required: bool = True
    relevant: Expression | None = None
    constraint: Expression | None = None
    constraint_message: Label | None = None
    positive: frozenset[int] = frozenset()
    scores: Mapping[int, float] = field(default_factory=FrozenMap)
    tags: tuple[str, ...] = ()
    min: int | float | None = None
    max: int | float | None = None
    max_length: int | None = None
    decimals: int | None = None  # number items: most digits after the decimal point (0: whole numbers)
    hint: Label | None = None

    @property
    def kind(self):
        """The registered :class:`~questionnaires.QuestionType` of this item: ask it how the item renders,
        parses, stores and exports."""
        from ._types import QUESTION_TYPES  # the registry imports this module

        return QUESTION_TYPES[self.type]

    @property
    def codes(self) -> tuple[int, ...]:
        """The answer codes, in the order shown."""
        return tuple(choice.code for choice in self.choices)

    def choice(self, code: int) -> Choice:
        """The choice with answer code ``code``; KeyError if there is none."""
        for choice in self.choices:
            if choice.code == code:
                return choice
        raise KeyError(code)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "type": self.type, "label": self.label.to_dict(),
                                "required": self.required}
        optional = {
            "choices": [c.to_dict() for c in self.choices],
            "relevant": self.relevant and self.relevant.source,
            "constraint": self.constraint and self.constraint.source,
            "constraint_message": self.constraint_message and self.constraint_message.to_dict(),
            "positive": sorted(self.positive),
            "scores": {str(code): float(points) for code, points in self.scores.items()},
            "tags": list(self.tags),
            "min": self.min, "max": self.max, "max_length": self.max_length, "decimals": self.decimals,
            "hint": self.hint and self.hint.to_dict(),
        }
        data.update((key, value) for key, value in optional.items() if value not in (None, [], {}))
        return data


@dataclass(frozen=True)
class Section:
    """A titled group of items; the unit the respondent sees as one or more pages."""

    code: str
    title: Label
    items: tuple[Question, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "title": self.title.to_dict(), "items": [q.to_dict() for q in self.items]}


@dataclass(frozen=True)
class Indicator:
    """A published figure: the (weighted) mean of item rates (kind ``"rate"``) or item scores (``"score"``).

    ``items`` holds ``(item code, weight)`` pairs; the weight is 1.0 unless the file gives one.
    """

    code: str
    label: Label
    kind: str
    items: tuple[tuple[str, float], ...]

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "label": self.label.to_dict(), "kind": self.kind,
                "items": [{"item": code, "weight": float(weight)} for code, weight in self.items]}


@dataclass(frozen=True)
class Rule:
    """A screening rule: when ``expression`` is true the interview ends with ``outcome``."""

    expression: Expression
    outcome: str = Status.INELIGIBLE

    def to_dict(self) -> dict[str, Any]:
        return {"when": self.expression.source, "outcome": self.outcome}


@dataclass(frozen=True)
class Page:
    """What one screen shows: consecutive items of one section."""

    index: int
    section: Section
    items: tuple[Question, ...]


@dataclass(frozen=True)
class Questionnaire:
    """A whole questionnaire definition of one version."""

    code: str
    version: str
    title: Label
    description: Label
    estimated_minutes: int | None
    privacy: Label
    sections: tuple[Section, ...]
    indicators: tuple[Indicator, ...] = ()
    screening: tuple[Rule, ...] = ()
    _index: dict = field(init=False, repr=False, compare=False, hash=False)
    _pages: tuple = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        items = {q.code: q for section in self.sections for q in section.items}
        object.__setattr__(self, "_index", items)
        object.__setattr__(self, "_pages", _paginate(self.sections))

    @property
    def items(self) -> tuple[Question, ...]:
        """All questions in order."""
        return tuple(self._index.values())

    def item(self, code: str) -> Question:
        """The question with item code ``code``; KeyError if there is none."""
        return self._index[code]

    def pages(self) -> tuple[Page, ...]:
        """The pages, in order; a section is split before an item whose relevance reads the same page."""
        return self._pages

    def to_dict(self) -> dict[str, Any]:
        """The canonical, JSON-able definition; ``from_dict(q.to_dict()) == q``."""
        data: dict[str, Any] = {"code": self.code, "version": self.version, "title": self.title.to_dict()}
        for key in ("description", "privacy"):  # empty when the file has none; from_dict refuses empty texts
            if getattr(self, key) != Label("", ""):
                data[key] = getattr(self, key).to_dict()
        if self.estimated_minutes is not None:
            data["estimated_minutes"] = self.estimated_minutes
        data["sections"] = [s.to_dict() for s in self.sections]
        data["screening"] = [r.to_dict() for r in self.screening]
        data["indicators"] = [i.to_dict() for i in self.indicators]
        return data

    def digest(self) -> str:
        """SHA-256 (hex) of the canonical JSON of :meth:`to_dict`: equal definitions, equal digests."""
        text = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _paginate(sections: tuple[Section, ...]) -> tuple[Page, ...]:
    pages: list[Page] = []
    for section in sections:
        current: list[Question] = []
        for question in section.items:
            on_page = {q.code for q in current}
            if current and question.relevant is not None and question.relevant.references & on_page:
                pages.append(Page(len(pages), section, tuple(current)))
                current = []
            current.append(question)
        if current:
            pages.append(Page(len(pages), section, tuple(current)))
    return tuple(pages)
