"""Responses: created by the first page a respondent submits, saved page by page, closed once.

Guarantees (each enforced by the database, not by process memory, so any number of workers agree):

* a household answers once per round: ``(response.round_id, response.household_id)`` is unique, so of two
  concurrent first submissions on one household link exactly one inserts its row; the other is refused;
* a closed round takes no answer: the round's status is checked after the page's writes, before the commit,
  under a share lock of the round row (:func:`survey.services.rounds.check_accepting`);
* a re-sent POST changes nothing: every rendered page carries a one-time submission key, stored in
  ``page_submission`` (primary key) in the same transaction as the answers it carried;
* a closed response stays closed: completion is a conditional UPDATE (``WHERE`` the response is still
  open) on a row locked for the duration of the page save.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

import questionnaires as qn

from ..errors import AlreadyAnswered, InvalidForm, NotFound, ResponseClosed
from ..extensions import db
from ..models import Answer, PageSubmission, QuestionnaireVersion, Response, Round, Token
from ..models._common import utcnow
from . import rounds, tokens, versions


@dataclass(frozen=True)
class PageOutcome:
    """What a saved (or refused) page leads to: the next page index, or the end of the interview."""

    response: Response | None
    errors: Mapping[str, qn.Label]
    next_page: int | None  # None: the interview has ended (see response.status)
    replay: bool = False  # the POST had been received before; nothing was changed


# What new_key() writes (and room for longer keys up to the column width): anything else is refused
# before it reaches the database, the same on SQLite and PostgreSQL.
_KEY_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}\Z")


def new_key() -> str:
    """A one-time submission key for a rendered form (128 random bits)."""
    return secrets.token_urlsafe(16)


def household_response(token: Token) -> Response | None:
    """The household's response, if any (household links only)."""
    if not token.single_use:
        return None
    return db.session.scalar(select(Response).filter_by(household_id=token.household_id, round_id=token.round_id))


def find(public_id: str | None, token: Token) -> Response | None:
    """The response ``public_id`` if it belongs to ``token``; None otherwise."""
    if not public_id:
        return None
    response = db.session.scalar(select(Response).filter_by(public_id=public_id))
    if response is None or response.token_id != token.id:
        return None
    return response


def resume(token: Token) -> Response:
    """The partial response of a household link, to continue it; refuses a closed one."""
    response = household_response(token)
    if response is None:
        raise NotFound("nothing to continue")
    if not response.is_open:
        raise AlreadyAnswered("this household has already answered")
    return response


def answers_of(response: Response, questionnaire: qn.Questionnaire | None = None) -> dict[str, object]:
    """Stored answers decoded into questionnaire values (item code -> value)."""
    questionnaire = questionnaire or version_of(response)
    rows = db.session.execute(select(Answer.item, Answer.value).filter_by(response_id=response.id))
    return decode(questionnaire, dict(rows.all()))


def decode(questionnaire: qn.Questionnaire, stored: Mapping[str, str]) -> dict[str, object]:
    """Stored cells (item code -> text) read back by each item's question type."""
    values = {}
    for code, text in stored.items():
        question = questionnaire.item(code)
        values[code] = question.kind.read(text, question)
    return values


def round_of(token: Token, response: Response | None = None) -> Round:
    """The round a respondent answers into: their response's, else the token's."""
    return db.session.get(Round, response.round_id) if response is not None else tokens.round_of(token)


def round_version(round_: Round) -> QuestionnaireVersion:
    """The questionnaire version new respondents of a round answer."""
    return round_.version if round_.version is not None else versions.current_version()


def version_of(response: Response) -> qn.Questionnaire:
    """The questionnaire a response answers (its version row is loaded with the response)."""
    return versions.definition(response.version)


def save_page(
    token: Token,
    public_id: str | None,
    page_index: int,
    form: Mapping[str, Sequence[str]],
    *,
    key: str,
    language: str,
    mode: str | None = None,
) -> PageOutcome:
    """Validate and store one page of answers; create the response on the first page.

    ``public_id`` names the respondent's own response (from their session), or is None for a first
    submission.  Raises :class:`AlreadyAnswered` when a household link has been used by someone
    else, :class:`ResponseClosed` when the response is no longer open, :class:`RoundClosed` when the round
    does not accept answers, :class:`NotFound` for a page that does not exist or may not be answered yet.
    """
    if not key:
        raise NotFound("the form has no submission key")
    if not _KEY_SHAPE.match(key):
        raise InvalidForm("the form's submission key is not one this site writes")
    replay = _replay(key, token)
    if replay is not None:
        return replay
    response = _locked(public_id, token)
    if response is not None and not response.is_open:
        raise ResponseClosed("this questionnaire has already been submitted")
    round_ = rounds.check_accepting(response.round_id if response else tokens.round_of(token).id, lock=False)
    version = round_version(round_) if response is None else response.version
    questionnaire = versions.definition(version)
    known = answers_of(response, questionnaire) if response is not None else {}
    page = _page(questionnaire, page_index, known, response)
    result = qn.parse_page(questionnaire, page, form, known)
    if result.errors:
        db.session.rollback()
        return PageOutcome(response, result.errors, page_index)
    if response is None:
        try:
            response = _create(token, round_.id, version, key=key, language=language, mode=mode)
        except AlreadyAnswered:  # lost the race: to itself (a re-sent POST) or to another device
            replayed = _replay(key, token)
            if replayed is None:
                raise
            return replayed
    answers = qn.prune(questionnaire, result.merge(page, known))
    dropped = {code for code in known if code not in answers}  # now hidden by skip logic, or cleared
    _store(questionnaire, response, [item.code for item in page.items] + sorted(dropped), result.answers)
    following = _advance(questionnaire, response, answers, page.index, language)
    db.session.add(PageSubmission(key=key, response_id=response.id, page=page.index))
    try:
        db.session.flush()  # the key's insert waits here for a racing twin (a re-sent POST) and loses to it
        rounds.check_accepting(response.round_id, lock=True)  # after the writes: see the module docstring
        db.session.commit()
    except IntegrityError:  # the same key raced in twice: the other one stored it
        db.session.rollback()
        return _replay(key, token) or PageOutcome(None, {}, None, replay=True)
    return PageOutcome(response, {}, following)


def _replay(key: str, token: Token) -> PageOutcome | None:
    """A POST whose key was stored already: report where it led, change nothing."""
    seen = db.session.get(PageSubmission, key)
    if seen is None:
        return None
    response = db.session.get(Response, seen.response_id)
    if response.token_id != token.id:
        raise NotFound("submission key of another link")
    follow = response.page if response.is_open else None
    return PageOutcome(response, {}, follow, replay=True)


def _locked(public_id: str | None, token: Token) -> Response | None:
    """The respondent's response of ``token``, read with a write lock on its row only (PostgreSQL:
    FOR UPDATE OF response; SQLite serialises writers), or None."""
    if not public_id:
        return None
    stmt = select(Response).filter_by(public_id=public_id, token_id=token.id).with_for_update(of=Response)
    return db.session.scalar(stmt)


def _page(questionnaire: qn.Questionnaire, index: int, known: Mapping, response: Response | None) -> qn.Page:
    pages = questionnaire.pages()
    furthest = response.page if response is not None else _first_index(questionnaire)
    if not 0 <= index < len(pages) or index > furthest:
        raise NotFound(f"page {index} is not open")
    return pages[index]


def _first_index(questionnaire: qn.Questionnaire) -> int:
    return qn.first_page(questionnaire).index


def _create(token: Token, round_id: int, version: QuestionnaireVersion, *, key: str, language: str,
            mode: str | None) -> Response:
    """Insert the response row; the household's unique constraint decides between racing first posts."""
    household = token.single_use
    response = Response(
        public_id=Response.new_public_id(),
        idempotency_key=key,
        questionnaire_version_id=version.id,
        round_id=round_id,
        community_id=token.community_id,
        household_id=token.household_id if household else None,
        token_id=token.id,
        mode=mode or token.response_mode,
        probability_sample=household,
        language=language,
    )
    db.session.add(response)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise AlreadyAnswered("this household's questionnaire is already being answered or submitted") from None
    return response


def _store(questionnaire: qn.Questionnaire, response: Response, codes: Sequence[str], values: Mapping) -> None:
    """Replace the answers of ``codes`` by ``values``: items left empty or now hidden lose their answer."""
    db.session.execute(delete(Answer).where(Answer.response_id == response.id, Answer.item.in_(codes)))
    rows = [
        {"response_id": response.id, "item": code,
         "value": qn.QUESTION_TYPES[questionnaire.item(code).type].export(value)}
        for code, value in values.items()
    ]
    if rows:
        db.session.execute(Answer.__table__.insert(), rows)


def _advance(questionnaire, response: Response, answers: Mapping, index: int, language: str) -> int | None:
    """Move the response on to its next page and return its index, or close the response exactly
    once (complete / ineligible) and return None."""
    now = utcnow()
    response.language, response.updated_at = language, now
    follow = qn.next_page(questionnaire, answers, index)
    if follow is not None:
        response.page = max(response.page, follow.index)
        return follow.index
    status = qn.status(questionnaire, answers)
    if status == qn.Status.PARTIAL:  # an earlier page lost a required answer: send them back to it
        response.page = qn.first_incomplete(questionnaire, answers).index
        return response.page
    closed = db.session.execute(
        update(Response)
        .where(Response.id == response.id, Response.is_open)
        .values(status=status, submitted_at=now, updated_at=now, language=language)
    )
    if closed.rowcount != 1:  # closed by a concurrent request since we read it: keep nothing of ours
        db.session.rollback()
        raise ResponseClosed("this questionnaire has already been submitted")
    if response.token_id is not None and response.household_id is not None:
        db.session.execute(update(Token).where(Token.id == response.token_id).values(used_at=now))
    return None


@dataclass(frozen=True)
class PageView:
    """What a question page shows: the page, the stored answers, and where it is in the questionnaire."""

    questionnaire: qn.Questionnaire
    page: qn.Page
    answers: Mapping[str, object]
    number: int  # 1-based position among the pages this respondent is asked
    total: int
    previous: int | None  # index of the page asked before this one


@dataclass(frozen=True)
class Landing:
    """What the QR landing page offers this browser on ``token``.

    ``state`` is one of: ``"start"`` (a new respondent), ``"continue"`` (this browser's own open response),
    ``"resume"`` (the household's open response started elsewhere: continue after pressing a button),
    ``"finished"`` (this browser's response is closed: thank them, offer nothing), ``"answered"`` (the
    household's link is used up), ``"closed"`` / ``"not_started"`` (the round accepts no answers).
    """

    state: str
    questionnaire: qn.Questionnaire
    mine: Response | None
    first: int  # the page the button leads to


def landing(token: Token, public_id: str | None) -> Landing:
    """Decide what the landing page of ``token`` offers the respondent whose own response is ``public_id``.

    A new respondent gets the current questionnaire version; one who started keeps the version they started.
    """
    mine, household = find(public_id, token), household_response(token)
    if household is not None and not household.is_open:
        return Landing("answered", version_of(household), household, 0)
    if mine is not None and not mine.is_open:
        return Landing("finished", version_of(mine), mine, mine.page)
    round_ = tokens.round_of(token)
    questionnaire = versions.definition(round_version(round_))
    if not round_.accepts_answers:
        return Landing("closed" if round_.is_closed else "not_started", questionnaire, mine, 0)
    if mine is not None:
        return Landing("continue", version_of(mine), mine, mine.page)
    if household is not None:
        return Landing("resume", version_of(household), None, household.page)
    return Landing("start", questionnaire, None, _first_index(questionnaire))


def page_view(response: Response | None, index: int, token: Token) -> PageView:
    """The page ``index`` as this respondent may see it; :class:`NotFound` when it is not open to them."""
    if response is None:
        questionnaire = versions.definition(round_version(tokens.round_of(token)))
        answers: dict[str, object] = {}
    else:
        questionnaire = version_of(response)
        answers = answers_of(response, questionnaire)
    page = _page(questionnaire, index, answers, response)
    shown = [p.index for p in questionnaire.pages() if _asked(questionnaire, p, answers)]
    if page.index not in shown:
        raise NotFound(f"page {index} is not asked")
    position = shown.index(page.index)
    previous = shown[position - 1] if position else None
    return PageView(questionnaire, page, answers, position + 1, len(shown), previous)


def _asked(questionnaire: qn.Questionnaire, page: qn.Page, answers: Mapping) -> bool:
    return any(qn.is_relevant(questionnaire, item, answers) for item in page.items)
