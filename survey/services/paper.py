"""``import-responses``: questionnaires filled on paper (or by an interviewer) and typed into a spreadsheet.

A file is judged whole, by the rules of the web form: each cell is read by its item's question type
(``question.kind.read``, the one home of the stored form), then the row is walked page by page through
``questionnaires.parse_page`` (codes, required items, skip logic, constraints) and its status derived by
``questionnaires.status``.  A row whose items stop after some point (every later item empty) is a break-off,
stored as partial; a required item left empty *between* answered items is an error.  Any problem refuses the
whole file (:class:`~survey.errors.ImportRefused`, every row and reason); a row identical to a response already
stored is left as it is, so loading the same file again changes nothing.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import and_, select, update
from sqlalchemy.exc import IntegrityError

import questionnaires as qn

from ..errors import ImportRefused, RoundClosed, RoundError
from ..extensions import db
from ..models import Answer, Community, Household, Mode, Response, SampledHousehold, Status, Token
from ..models._common import utcnow
from . import responses, rounds, versions

HEADER = ("community_code", "building", "unit", "mode")
MODES = (Mode.PAPER, Mode.INTERVIEWER)


@dataclass(frozen=True)
class ImportReport:
    added: int
    complete: int
    partial: int
    ineligible: int
    unchanged: int


@dataclass(frozen=True)
class _Row:
    number: int
    household: int
    community: int
    token: int | None
    mode: str
    status: str
    page: int
    stored: dict[str, str]  # item code -> stored cell


def import_responses(data: bytes, round_code: str, *, source: str = "responses file") -> ImportReport:
    """Check the file whole, then store its new responses in one transaction."""
    round_ = rounds.get(round_code)
    try:
        rounds.check_accepting(round_.id, lock=False)
    except RoundClosed as err:
        raise RoundError(f"round {round_code}: {err}; it accepts no answers") from None
    version = responses.round_version(round_)
    questionnaire = versions.definition(version)
    problems: list[tuple[int, str]] = []
    header, body = _read(data, source, questionnaire, problems)
    rows = _judge_rows(header, body, questionnaire, round_.id, problems) if not problems else []
    if problems:
        raise ImportRefused(problems)
    existing = _existing(round_.id, [r.household for r in rows])
    new = []
    for row in rows:
        found = existing.get(row.household)
        if found is None:
            new.append(row)
        elif found != (row.mode, row.status, row.stored):
            problems.append((row.number, "this household has already answered in round "
                                         f"{round_code} (a different answer is stored)"))
    if problems:
        raise ImportRefused(problems)
    _store(round_, version.id, new)
    counts = {s: sum(r.status == s for r in new) for s in Status}
    return ImportReport(len(new), counts[Status.COMPLETE], counts[Status.PARTIAL], counts[Status.INELIGIBLE],
                        len(rows) - len(new))


def _read(data: bytes, source: str, questionnaire: qn.Questionnaire, problems: list) -> tuple[list, list]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.append((0, f"{source}: not UTF-8 text"))
        return [], []
    rows = list(csv.reader(io.StringIO(text)))
    header = [cell.strip() for cell in rows[0]] if rows else []
    if tuple(header[:4]) != HEADER:
        problems.append((1, f"the header must start with {','.join(HEADER)}, then item codes"))
        return header, []
    known = {item.code for item in questionnaire.items}
    for code in header[4:]:
        if code not in known:
            problems.append((1, f"column {code!r} is not an item of {questionnaire.code} {questionnaire.version}"))
    if len(set(header)) != len(header):
        problems.append((1, "a column appears twice"))
    return header, [(n, row) for n, row in enumerate(rows[1:], start=2) if any(c.strip() for c in row)]


def _judge_rows(header, body, questionnaire, round_id: int, problems: list) -> list[_Row]:
    sample = _sample(round_id)
    seen: dict[tuple, int] = {}
    out = []
    for number, cells in body:
        if len(cells) != len(header):
            problems.append((number, f"expected {len(header)} cells, found {len(cells)}"))
            continue
        key = tuple(cell.strip() for cell in cells[:3])
        mode = cells[3].strip()
        home = sample.get(key)
        if home is None:
            problems.append((number, f"household {'/'.join(key)} is not in the released sample of this round"))
        elif key in seen:
            problems.append((number, f"a second answer for household {'/'.join(key)} (also row {seen[key]})"))
        if mode not in MODES:
            problems.append((number, f"mode {mode!r} is not one of {', '.join(MODES)}"))
        seen.setdefault(key, number)
        answers, errors = judge(questionnaire, dict(zip(header[4:], cells[4:], strict=True)))
        problems.extend((number, error) for error in errors)
        if home is None or errors or mode not in MODES:
            continue
        status = qn.status(questionnaire, answers)
        incomplete = qn.first_incomplete(questionnaire, answers)
        page = incomplete.index if status == Status.PARTIAL and incomplete else len(questionnaire.pages()) - 1
        stored = {code: questionnaire.item(code).kind.export(value) for code, value in answers.items()}
        out.append(_Row(number, *home, mode, str(status), page, stored))
    return out


def judge(questionnaire: qn.Questionnaire, cells: Mapping[str, str]) -> tuple[dict, list[str]]:
    """The answers of one row (item code -> cell) checked as the web form checks them, and every problem."""
    errors, form = [], {}
    for code, cell in cells.items():
        if not cell.strip():
            continue
        question = questionnaire.item(code)
        try:
            form[code] = question.kind.form_values(question.kind.read(cell, question))
        except qn.AnswerError as err:
            errors.append(f"item {code}: {cell!r}: {err.label.en} ({err.label.zh})")
    if errors or not form:
        return {}, errors or ["no answers"]
    order = {item.code: n for n, item in enumerate(questionnaire.items)}
    last = max(order[code] for code in form)  # a break-off: every item after it is empty
    answers: dict = {}
    asked: set[str] = set()
    page = qn.first_page(questionnaire)
    while page is not None and order[page.items[0].code] <= last:
        result = qn.parse_page(questionnaire, page, form, answers)
        for code, label in result.errors.items():
            if code in form or order[code] < last:
                what = "is required but empty between answered items" if code not in form else f"{cells[code]!r}"
                errors.append(f"item {code}: {what}: {label.en} ({label.zh})")
        answers = result.merge(page, answers)
        asked.update(item.code for item in page.items)
        page = qn.next_page(questionnaire, answers, page.index)
    for code in form:
        if code not in asked:
            errors.append(f"item {code}: answered but not asked after the earlier answers (skip logic or screening)")
    return answers, errors


def _sample(round_id: int) -> dict[tuple[str, str, str], tuple[int, int, int | None]]:
    """(community code, building, unit) -> (household id, community id, token id) of the released sample."""
    query = (
        select(Community.code, Household.building, Household.unit, Household.id, Household.community_id, Token.id)
        .select_from(SampledHousehold)
        .join(Household, Household.id == SampledHousehold.household_id)
        .join(Community, Community.id == Household.community_id)
        .outerjoin(Token, and_(Token.round_id == round_id, Token.household_id == Household.id))
        .where(SampledHousehold.round_id == round_id, SampledHousehold.released)
    )
    return {(c, b, u): (hid, cid, tid) for c, b, u, hid, cid, tid in db.session.execute(query)}


def _existing(round_id: int, households: list[int]) -> dict[int, tuple[str, str, dict[str, str]]]:
    """Household id -> (mode, status, stored answers) of the round's responses of ``households``."""
    found = {rid: (hid, mode, status) for rid, hid, mode, status in db.session.execute(
        select(Response.id, Response.household_id, Response.mode, Response.status)
        .where(Response.round_id == round_id, Response.household_id.in_(households)))}
    answers: dict[int, dict[str, str]] = {rid: {} for rid in found}
    if found:
        for rid, item, value in db.session.execute(
                select(Answer.response_id, Answer.item, Answer.value).where(Answer.response_id.in_(list(found)))):
            answers[rid][item] = value
    return {hid: (mode, status, answers[rid]) for rid, (hid, mode, status) in found.items()}


def _store(round_, version_id: int, rows: list[_Row]) -> None:
    now = utcnow()
    try:
        for row in rows:
            closed = row.status != Status.PARTIAL
            response = Response(
                public_id=secrets.token_urlsafe(16), idempotency_key=secrets.token_urlsafe(16),
                questionnaire_version_id=version_id, round_id=round_.id, community_id=row.community,
                household_id=row.household, token_id=row.token, mode=row.mode, probability_sample=True,
                status=row.status, page=row.page, submitted_at=now if closed else None,
                answers=[Answer(item=code, value=value) for code, value in row.stored.items()])
            db.session.add(response)
            if closed and row.token is not None:
                db.session.execute(update(Token).where(Token.id == row.token).values(used_at=now))
        round_.changed_at = now
        db.session.flush()
        rounds.check_accepting(round_.id, lock=True)
        db.session.commit()
    except RoundClosed as err:
        raise RoundError(f"round {round_.code}: {err}; nothing was loaded") from None
    except IntegrityError:
        db.session.rollback()
        raise ImportRefused([(0, "a household answered while the file was loading; load the file again")]) \
            from None
    except BaseException:
        db.session.rollback()
        raise
