"""Using a questionnaire while someone answers it: skip logic, screening, pages and form parsing.

Answers are a mapping item code -> value (single/rating: int, multiple: sorted tuple of int, number: int or
float, text: str); an unanswered item is absent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._errors import AnswerError
from ._model import Label, Page, Question, Questionnaire, Status

REQUIRED = Label("请回答此题。", "Please answer this question.")
NOT_APPLICABLE = Label("根据您前面的回答，此题无需作答，请留空。",
                       "This question does not apply given your earlier answers; please leave it blank.")
NOT_ALLOWED = Label("此答案不符合要求，请检查。", "This answer is not allowed; please check it.")


@dataclass(frozen=True)
class PageResult:
    """The outcome of :func:`parse_page`.

    ``answers`` holds the accepted values of this page's items only (unanswered and hidden items absent);
    ``errors`` maps item codes to the message to show beside them. Nothing should be saved when
    ``errors`` is not empty.
    """

    answers: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, Label] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def merge(self, page: Page, previous: Mapping[str, Any]) -> dict[str, Any]:
        """``previous`` with this page's items replaced by ``answers`` (items left blank are dropped)."""
        codes = {q.code for q in page.items}
        merged = {code: value for code, value in previous.items() if code not in codes}
        merged.update(self.answers)
        return merged


def is_relevant(q: Questionnaire, question: Question, answers: Mapping[str, Any]) -> bool:
    """Whether ``question`` is asked given ``answers`` (its relevance expression, if any, is true)."""
    return question.relevant is None or question.relevant.evaluate(answers)


def screened_out(q: Questionnaire, answers: Mapping[str, Any]) -> bool:
    """Whether a screening rule is true, which ends the interview as ineligible."""
    return any(rule.expression.evaluate(answers) for rule in q.screening)


def prune(q: Questionnaire, answers: Mapping[str, Any]) -> dict[str, Any]:
    """``answers`` without unknown items, without items that skip logic now hides, and without the pages after
    the one where a screening rule became true (the interview ends there, as :func:`next_page` says).

    Call it after a respondent goes back and changes an answer that later relevance or screening reads.
    """
    kept: dict[str, Any] = {}
    for page in q.pages():
        if screened_out(q, kept):
            break
        for question in page.items:
            if question.code in answers and is_relevant(q, question, kept):
                kept[question.code] = answers[question.code]
    return kept


def parse_page(q: Questionnaire, page: Page, form: Mapping[str, Sequence[str]],
               answers: Mapping[str, Any]) -> PageResult:
    """Coerce the raw form strings of ``page``'s items, checking them against the definition.

    Parameters
    ----------
    q : Questionnaire
    page : Page
        One of ``q.pages()``.
    form : mapping of item code to a list of strings
        As submitted (``request.form.to_dict(flat=False)``); keys of other items are ignored.
    answers : mapping
        The answers already given on other pages; relevance and constraints read them.

    Returns
    -------
    PageResult
        Refuses unknown or non-integer answer codes, missing required answers of relevant items, answers
        to items that skip logic hides, constraint violations, numbers out of range and over-long text.
    """
    codes = {question.code for question in page.items}
    known = {code: value for code, value in answers.items() if code not in codes}
    result = PageResult()
    for question in page.items:
        raw = form.get(question.code, ())
        error, value = _one(q, question, raw, known)
        if error is not None:
            result.errors[question.code] = error
        elif value is not None:
            result.answers[question.code] = value
            known[question.code] = value
    return result


def _one(q: Questionnaire, question: Question, raw: Sequence[str], known: Mapping) -> tuple:
    if isinstance(raw, str):
        raw = [raw]
    typed = any(isinstance(value, str) and value.strip() for value in raw)
    if not is_relevant(q, question, known):
        return (NOT_APPLICABLE if typed else None), None
    try:
        value = question.kind.parse(raw, question)
    except AnswerError as err:
        return err.label, None
    if value is None:
        return (REQUIRED if question.required else None), None
    constraint = question.constraint
    if constraint is not None and not constraint.evaluate({**known, question.code: value}, value):
        return question.constraint_message or NOT_ALLOWED, None
    return None, value


def status(q: Questionnaire, answers: Mapping[str, Any]) -> Status:
    """:attr:`Status.INELIGIBLE` when screened out, :attr:`Status.COMPLETE` when every relevant required
    item is answered, else :attr:`Status.PARTIAL`."""
    if screened_out(q, answers):
        return Status.INELIGIBLE
    return Status.PARTIAL if first_incomplete(q, answers) is not None else Status.COMPLETE


def first_incomplete(q: Questionnaire, answers: Mapping[str, Any]) -> Page | None:
    """The first page with a relevant required item left unanswered (where a respondent who cleared an
    earlier answer is sent back to), or None."""
    for page in q.pages():
        for item in page.items:
            if item.required and item.code not in answers and is_relevant(q, item, answers):
                return page
    return None


def first_page(q: Questionnaire) -> Page:
    """The page a new respondent starts on."""
    return next_page(q, {}, None) or q.pages()[0]


def next_page(q: Questionnaire, answers: Mapping[str, Any], after: int | None = None) -> Page | None:
    """The first page after page index ``after`` (from the start when None) with a relevant item;
    None when there is none left or the respondent is screened out."""
    if screened_out(q, answers):
        return None
    for page in q.pages():
        if (after is None or page.index > after) and any(is_relevant(q, x, answers) for x in page.items):
            return page
    return None
