"""What an export holds: the fixed columns (one declared list, each with where its value comes from), the item
columns of every version of a questionnaire, and the rows read from one database snapshot.

Two layouts of the same rows: *text* (CSV: one column per item, the stored cell, ``1;3`` for a multiple choice)
and *typed* (XLSX, SPSS, Stata, Parquet: each item's columns as its question type declares them, numbers as
numbers, a multiple choice as 0/1 columns). The question type is the only place that knows how an item becomes
columns (``questionnaires.QuestionType.columns`` / ``cells``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from sqlalchemy import func, select

import questionnaires as qn
from questionnaires import NUMERIC, STRING, Column, Label

from ..errors import NotFound, RoundError, SurveyError
from ..extensions import db
from ..models import Answer, Community, District, QuestionnaireVersion, Response, Round, Street
from . import rounds, versions
from .export_design import EMPTY, design_columns
from .outcomes import RESPONSE_OUTCOMES
from .spreadsheet import safe_text

BATCH = 5000
CACHE_LIMIT = 10_000  # distinct cells remembered per item (choice items have a handful; text items many)


@dataclass(frozen=True)
class Fixed:
    """A column every export carries before the items; ``source`` says where its value comes from."""

    name: str
    kind: str
    label: Label
    source: str


FIXED: tuple[Fixed, ...] = (
    Fixed("response_id", STRING, Label("回答编号", "Response identifier"), "response.public_id"),
    Fixed("round", STRING, Label("调查轮次", "Survey round"), "round.code"),
    Fixed("community_code", STRING, Label("社区代码", "Community code"), "community.code"),
    Fixed("community_name", STRING, Label("社区", "Community"), "community.name"),
    Fixed("street_code", STRING, Label("街道代码", "Street code"), "street.code"),
    Fixed("street_name", STRING, Label("街道", "Street"), "street.name"),
    Fixed("district_code", STRING, Label("区代码", "District code"), "district.code"),
    Fixed("district_name", STRING, Label("区", "District"), "district.name"),
    Fixed("household", NUMERIC, Label("住户编号", "Household id (empty for open-link answers)"),
          "response.household_id"),
    Fixed("mode", STRING, Label("方式", "Mode"), "response.mode"),
    Fixed("status", STRING, Label("状态", "Status"), "response.status"),
    Fixed("outcome", STRING, Label("AAPOR结果代码", "AAPOR outcome code (sampled households)"),
          "outcomes.RESPONSE_OUTCOMES[response.status] (empty for open-link answers)"),
    Fixed("submitted_at", STRING, Label("提交时间(UTC)", "Submitted at (UTC)"), "response.submitted_at"),
    Fixed("questionnaire_version", STRING, Label("问卷版本", "Questionnaire version"),
          "questionnaire_version.version"),
    Fixed("final_weight", NUMERIC, Label("最终权数", "Final weight"), "export_design.design_columns"),
    Fixed("stratum", STRING, Label("层", "Stratum"), "export_design.design_columns"),
    Fixed("psu", STRING, Label("初级抽样单元", "Primary sampling unit"), "export_design.design_columns"),
    Fixed("fpc", NUMERIC, Label("有限总体校正(总体单元数)", "Finite population correction (population units)"),
          "export_design.design_columns"),
)
_SQL = {
    "response.public_id": Response.public_id, "community.code": Community.code, "community.name": Community.name,
    "street.code": Street.code, "street.name": Street.name, "district.code": District.code,
    "district.name": District.name, "response.household_id": Response.household_id, "response.mode": Response.mode,
    "response.status": Response.status, "response.submitted_at": Response.submitted_at,
    "questionnaire_version.version": QuestionnaireVersion.version,
    "round.code": Round.code,
}


class ExportError(SurveyError):
    """An export that cannot be written (the message says why)."""


@dataclass(frozen=True)
class Table:
    """The columns of one export: fixed columns, then the items of every version (current order first)."""

    code: str | None
    version_ids: tuple[int, ...]
    items: tuple[qn.Question, ...]
    round_id: int | None = None
    language: str = "zh"

    def text_header(self) -> list[str]:
        return [f.name for f in FIXED] + [q.code for q in self.items]

    def typed_columns(self) -> list[Column]:
        return [Column(f.name, f.kind, f.label) for f in FIXED] + [
            column for q in self.items for column in q.kind.columns(q)]


def open_table(code: str | None = None, *, round_code: str | None = None, language: str = "zh") -> Table:
    """The export of questionnaire ``code`` (default: the current one); NotFound for an unknown round.

    Item columns follow the current version's order; items only older versions asked come after, newest
    version first, so a file always has every answer (each read with the newest definition that has it).
    """
    round_id = None
    if round_code is not None:
        try:
            round_id = rounds.get(round_code).id
        except RoundError as err:
            raise NotFound(str(err)) from err
    try:
        current = versions.current_version(code)
    except NotFound:
        return Table(code, (), (), round_id, language)
    published = list(db.session.scalars(
        select(QuestionnaireVersion).filter_by(code=current.code).order_by(QuestionnaireVersion.id.desc())))
    items: dict[str, qn.Question] = {}
    for version in published:
        for question in versions.definition(version).items:
            items.setdefault(question.code, question)
    return Table(current.code, tuple(v.id for v in published), tuple(items.values()), round_id, language)


@contextmanager
def snapshot():
    """A read-only connection on one snapshot (PostgreSQL REPEATABLE READ): every query of an export sees the
    database as it was at its first query. On SQLite the rows come from one statement, itself a snapshot."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with connection.begin():
            yield connection


def records(table: Table, connection) -> Iterator[tuple[list[Any], dict[str, str]]]:
    """(fixed values in the order of FIXED, {item: stored cell}) per response, ordered by response: one row per
    response, its answers gathered by the database (an index lookup on answer(response_id, item) each)."""
    if not table.version_ids:
        return
    design = design_columns(table.round_id, connection)
    from_sql = [f for f in FIXED if f.source in _SQL]
    gather = func.json_object_agg if connection.dialect.name == "postgresql" else func.json_group_object
    answers = select(gather(Answer.item, Answer.value)).where(Answer.response_id == Response.id).scalar_subquery()
    query = (
        select(Response.id, *(_SQL[f.source] for f in from_sql), Response.probability_sample, answers)
        .join(Round, Round.id == Response.round_id)
        .join(Community, Community.id == Response.community_id)
        .join(Street, Street.id == Community.street_id)
        .join(District, District.id == Street.district_id)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Response.questionnaire_version_id)
        .where(Response.questionnaire_version_id.in_(table.version_ids))
        .order_by(Response.id)
    )
    if table.round_id is not None:
        query = query.where(Response.round_id == table.round_id)
    result = connection.execution_options(stream_results=True, max_row_buffer=BATCH).execute(query)
    at = {f.name: i for i, f in enumerate(from_sql, start=1)}
    names = [f.name for f in FIXED]
    submitted, status, outcome = names.index("submitted_at"), names.index("status"), names.index("outcome")
    plan = [(at.get(f.name), f.name) for f in FIXED]  # (row index, or None: a design value)
    loads = json.loads
    for row in result:
        extra = design.get(row[0], EMPTY)
        fixed = [row[i] if i is not None else extra.get(name) for i, name in plan]
        fixed[submitted] = _iso_utc(fixed[submitted])
        if fixed[outcome] is None and row[-2]:  # a sampled household's response
            fixed[outcome] = RESPONSE_OUTCOMES.get(fixed[status])
        cells = row[-1]
        yield fixed, (loads(cells) if isinstance(cells, str) else cells or {})


def text_rows(table: Table, connection) -> Iterator[list[str]]:
    """The CSV layout: header, then per response the fixed values and each item's stored cell, text cells made
    spreadsheet-safe."""
    yield table.text_header()
    fixed_text = [f.kind == STRING for f in FIXED]
    item_text = [(q.code, q.kind.text_type == "string") for q in table.items]
    for fixed, answers in records(table, connection):
        cells = [_text(value, is_text) for value, is_text in zip(fixed, fixed_text, strict=True)]
        cells.extend(_text(answers.get(code), is_text) for code, is_text in item_text)
        yield cells


def typed_rows(table: Table, connection) -> Iterator[list[Any]]:
    """The typed layout (no header): fixed values, then the cells of each item's columns (None: missing)."""
    readers = [_Reader(q) for q in table.items]
    for fixed, answers in records(table, connection):
        row = list(fixed)
        for reader in readers:
            row.extend(reader.cells(answers.get(reader.question.code)))
        yield row


def typed_batches(table: Table, connection, size: int) -> Iterator[list[list[Any]]]:
    """The typed layout by columns: per batch of ``size`` responses, one list of values per column."""
    readers = [_Reader(q) for q in table.items]
    rows = records(table, connection)
    while batch := list(islice(rows, size)):
        columns = [list(values) for values in zip(*(fixed for fixed, _answers in batch), strict=True)]
        for reader in readers:
            code, cells = reader.question.code, reader.cells
            values = [cells(answers.get(code)) for _fixed, answers in batch]
            columns.extend([[v[0] for v in values]] if len(reader.missing) == 1 else
                           [list(column) for column in zip(*values, strict=True)])
        yield columns


class _Reader:
    """Stored cell -> typed cells of one item, through its type's ``read`` and ``cells`` (remembered)."""

    def __init__(self, question: qn.Question) -> None:
        self.question = question
        self.missing = question.kind.cells(None, question)
        self.known: dict[str, tuple[Any, ...]] = {}

    def cells(self, cell: str | None) -> tuple[Any, ...]:
        if cell is None or cell == "":
            return self.missing
        found = self.known.get(cell)
        if found is None:
            kind = self.question.kind
            try:
                found = kind.cells(kind.read(cell, self.question), self.question)
            except qn.AnswerError as err:
                raise ExportError(f"item {self.question.code}: stored answer {cell!r} is not valid for the "
                                  f"newest version that asks it ({err.label.en}); export as csv instead") from err
            if len(self.known) < CACHE_LIMIT:
                self.known[cell] = found
        return found


def _text(value: Any, is_text: bool) -> str:
    if value is None:
        return ""
    return safe_text(value) if is_text and isinstance(value, str) else str(value)


def _iso_utc(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``; SQLite gives back naive datetimes that were stored as UTC."""
    if moment is None:
        return None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
