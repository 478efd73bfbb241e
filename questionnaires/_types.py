"""The question-type registry: the one home of everything that differs between question types.

Every type has ``name``, ``widget`` (the input macro of ``survey/templates/_forms.html`` that renders it),
``hint`` (shown beside the question), ``has_choices``, ``several`` (the answer is a set of codes), which limits
it takes (``limits``), how its item becomes export columns (:meth:`columns`, :meth:`cells`, ``text_type``),
and four conversions: ``parse(raw, question)`` reads the form strings, ``export(value)``
writes the stored / exported cell, ``read(cell, question)`` is its inverse, ``form_values(value)`` gives what
the inputs show again. ``parse`` returns None for an empty answer and raises :class:`AnswerError` with a
bilingual :class:`Label` for one it cannot accept.

A new type is one subclass, added with :func:`register`; nothing else compares type names.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ._errors import AnswerError
from ._model import MAX_ANSWER_CODE, Choice, Label, Question

TEXT_HARD_LIMIT = 10_000  # applies when a text item gives no max_length: nobody types a novel on a doorstep
_CODE = re.compile(f"[0-9]{{1,{len(str(MAX_ANSWER_CODE))}}}")
_NUMBER = re.compile(r"-?[0-9]{1,15}(\.[0-9]{1,15})?")

CHOOSE_GIVEN = Label("请从给出的选项中选择。", "Please choose one of the answers given.")
ONLY_ONE = Label("请只选择一项。", "Please choose only one answer.")
ONE_TEXT = Label("请只填写一个答案。", "Please give only one answer.")
UNSAVABLE = Label("答案中含有无法保存的字符。", "The answer contains a character that cannot be saved.")
WHOLE = Label("请输入整数，例如 3。", "Please enter a whole number, such as 3.")
NOT_NUMBER = Label("请输入一个数字，例如 12 或 3.5。", "Please enter a number, such as 12 or 3.5.")


NUMERIC, STRING = "numeric", "string"
CHOSEN = (Choice(0, Label("未选", "not chosen")), Choice(1, Label("选中", "chosen")))


@dataclass(frozen=True)
class Column:
    """One column of an item in the typed exports (XLSX, SPSS, Stata, Parquet): its name, ``kind``
    (:data:`NUMERIC` or :data:`STRING`), variable label and value labels (``values``: code -> label)."""

    name: str
    kind: str
    label: Label
    values: tuple[Choice, ...] = ()


def _filled(raw: Sequence[str]) -> list[str]:
    if isinstance(raw, str):  # a bare string is one value, not a sequence of characters
        raw = [raw]
    return [value for value in raw if isinstance(value, str) and value.strip()]


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


class QuestionType(ABC):
    """Base of the registered types."""

    name = ""
    widget = ""
    hint: Label | None = None
    has_choices = False
    several = False  # the answer is several codes: count() applies, comparisons do not, min/max count codes
    limits: tuple[str, ...] = ()
    column_kind = STRING  # the kind of the one column of :meth:`columns` (override both for several)
    text_type = "string"  # the Frictionless field type of the CSV cell (``export``): string, integer, number

    @abstractmethod
    def parse(self, raw: Sequence[str], question: Question) -> Any:
        """The answer value of the raw form strings; :class:`AnswerError` when they are not one."""

    def export(self, value: Any) -> str:
        """The value as one CSV cell (also the stored form); an unanswered item is an empty cell."""
        return "" if value is None else str(value)

    def read(self, cell: str, question: Question) -> Any:
        """The value of a stored or exported cell: the inverse of :meth:`export`, checked as :meth:`parse`
        checks a form (so a cell typed into a spreadsheet is judged like a web answer)."""
        return self.parse([cell], question)

    def form_values(self, value: Any) -> list[str]:
        """What the input shows for a stored value (going back to a page, resuming)."""
        return [] if value is None else [self.export(value)]

    def columns(self, question: Question) -> tuple[Column, ...]:
        """The item's columns in the typed exports: by default one, named by the item code, labelled with
        the question and, for a choice item, its answers."""
        return (Column(question.code, self.column_kind, question.label, question.choices),)

    def cells(self, value: Any, question: Question) -> tuple[Any, ...]:
        """The values of :meth:`columns` for an answer (None for every column when unanswered): a number for
        a numeric column, the :meth:`export` text for a string one."""
        if value is None:
            return (None,)
        return (value if self.column_kind == NUMERIC else self.export(value),)

    def cells_batch(self, stored: Sequence[str | None], question: Question) -> list[Any]:
        """The :meth:`columns` of a batch of stored cells (None or ``""``: unanswered) as one pyarrow array per
        column (float64 for a numeric column, string for a string one). The reference is per value: each array
        holds what ``cells(read(cell))`` gives for every cell; each distinct cell is read once (a choice item has a
        handful), then spread by index (``pyarrow.compute.dictionary_encode`` / ``take``). Raises
        :class:`AnswerError` for a cell :meth:`read` refuses."""
        import pyarrow as pa
        import pyarrow.compute as pc

        encoded = pc.dictionary_encode(pa.array(stored, pa.string()))
        rows = [self.cells(self.read(cell, question) if cell else None, question)
                for cell in encoded.dictionary.to_pylist()]
        return [pa.array([row[i] for row in rows], pa.float64() if column.kind == NUMERIC else pa.string())
                .take(encoded.indices) for i, column in enumerate(self.columns(question))]

    def __repr__(self) -> str:
        return f"<question type {self.name!r}>"


class SingleChoice(QuestionType):
    """One answer code out of the choices."""

    name, widget, has_choices = "single", "radio", True
    column_kind, text_type = NUMERIC, "integer"

    def parse(self, raw: Sequence[str], question: Question) -> int | None:
        values = _filled(raw)
        if not values:
            return None
        if len(values) > 1:
            raise AnswerError(ONLY_ONE)
        return _code(values[0], question)


class RatingScale(SingleChoice):
    """One point of an ordered scale (shown in a row); stored like a single choice."""

    name, widget = "rating", "scale"


class MultipleChoice(QuestionType):
    """Any number of answer codes (``min``/``max`` bound how many); a sorted tuple, stored as ``1;3``."""

    name, widget, has_choices, several, limits = "multiple", "checkbox", True, True, ("min", "max")
    hint = Label("可多选", "choose all that apply")
    separator = ";"

    def parse(self, raw: Sequence[str], question: Question) -> tuple[int, ...] | None:
        values = _filled(raw)
        if not values:
            return None
        codes = [_code(value, question) for value in values]
        if len(set(codes)) != len(codes):
            raise AnswerError(CHOOSE_GIVEN)
        if question.min is not None and len(codes) < question.min:
            n = _fmt(question.min)
            raise AnswerError(Label(f"请至少选择 {n} 项。", f"Please choose at least {n}."))
        if question.max is not None and len(codes) > question.max:
            n = _fmt(question.max)
            raise AnswerError(Label(f"最多选择 {n} 项。", f"Please choose at most {n}."))
        return tuple(sorted(codes))

    def export(self, value: Any) -> str:
        return "" if value is None else self.separator.join(str(code) for code in value)

    def read(self, cell: str, question: Question) -> tuple[int, ...] | None:
        return self.parse(cell.split(self.separator), question)

    def columns(self, question: Question) -> tuple[Column, ...]:
        """One 0/1 column per answer code, ``<ITEM>_<code>`` (``C4_1``, ``C4_2`` …), labelled with the
        question and the answer."""
        return tuple(Column(f"{question.code}_{choice.code}", NUMERIC,
                            Label(f"{question.label.zh}：{choice.label.zh}", f"{question.label.en}: {choice.label.en}"),
                            CHOSEN)
                     for choice in question.choices)

    def cells(self, value: Any, question: Question) -> tuple[Any, ...]:
        if value is None:
            return (None,) * len(question.choices)
        return tuple(int(code in value) for code in question.codes)

    def form_values(self, value: Any) -> list[str]:
        return [] if value is None else [str(code) for code in value]


class Number(QuestionType):
    """A decimal number typed in; whole numbers are stored as int, others as float."""

    name, widget, limits = "number", "number", ("min", "max", "decimals")
    column_kind, text_type = NUMERIC, "number"

    def parse(self, raw: Sequence[str], question: Question) -> int | float | None:
        values = _filled(raw)
        if not values:
            return None
        text = values[0].strip()
        if len(values) > 1 or not _NUMBER.fullmatch(text):
            raise AnswerError(NOT_NUMBER)
        places = len(text.partition(".")[2])
        if question.decimals is not None and places > question.decimals:
            raise AnswerError(WHOLE if question.decimals == 0 else Label(
                f"请最多保留 {question.decimals} 位小数。", f"Please use at most {question.decimals} decimal places."))
        number = float(text) if "." in text else int(text)
        low, high = question.min, question.max
        if (low is not None and number < low) or (high is not None and number > high):
            raise AnswerError(_range_label(low, high))
        return number

    def export(self, value: Any) -> str:
        """Plain decimal notation (never ``1e-07``), so that ``parse`` reads the cell back."""
        if value is None:
            return ""
        return str(value) if isinstance(value, int) else format(Decimal(repr(value)), "f")

    def form_values(self, value: Any) -> list[str]:
        if isinstance(value, float) and value.is_integer():
            return [str(int(value))]
        return super().form_values(value)


def _range_label(low: float | None, high: float | None) -> Label:
    if low is not None and high is not None:
        return Label(f"请输入 {_fmt(low)} 到 {_fmt(high)} 之间的数。",
                     f"Please enter a number from {_fmt(low)} to {_fmt(high)}.")
    if low is not None:
        return Label(f"请输入不小于 {_fmt(low)} 的数。", f"Please enter a number of at least {_fmt(low)}.")
    return Label(f"请输入不大于 {_fmt(high)} 的数。", f"Please enter a number of at most {_fmt(high)}.")


class Text(QuestionType):
    """Short free text, kept exactly as typed (only the emptiness test ignores surrounding spaces)."""

    name, widget, limits = "text", "text", ("max_length",)

    def parse(self, raw: Sequence[str], question: Question) -> str | None:
        values = _filled(raw)
        if not values:
            return None
        if len(values) > 1:
            raise AnswerError(ONE_TEXT)
        if "\x00" in values[0]:  # PostgreSQL text cannot hold NUL; nobody types one
            raise AnswerError(UNSAVABLE)
        limit = question.max_length or TEXT_HARD_LIMIT
        if len(values[0]) > limit:
            raise AnswerError(Label(f"最多 {limit} 个字（您输入了 {len(values[0])} 个）。",
                                    f"Please use at most {limit} characters (you typed {len(values[0])})."))
        return values[0]


def _code(text: str, question: Question) -> int:
    text = text.strip()
    if not _CODE.fullmatch(text) or int(text) not in question.codes:
        raise AnswerError(CHOOSE_GIVEN)
    return int(text)


QUESTION_TYPES: dict[str, QuestionType] = {}


def register(question_type: QuestionType) -> QuestionType:
    """Add a type to the registry (its ``name`` becomes a valid ``type:`` in questionnaire files)."""
    if not question_type.name or not question_type.widget:
        raise ValueError(f"{question_type!r} needs a name and a widget")
    QUESTION_TYPES[question_type.name] = question_type
    return question_type


for _type in (SingleChoice(), MultipleChoice(), RatingScale(), Number(), Text()):
    register(_type)
