"""What an export holds: the fixed columns (one declared list, each with where its value comes from), the item
columns of every version of a questionnaire, and the rows read from one database snapshot.

Two layouts of the same rows: *text* (CSV: one column per item, the stored cell, ``1;3`` for a multiple choice)
and *typed* (XLSX, SPSS, Stata, Parquet: each item's columns as its question type declares them, numbers as
numbers, a multiple choice as 0/1 columns). The question type is the only place that knows how an item becomes
columns (``questionnaires.QuestionType.columns`` / ``cells``, by batch ``cells_batch``).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Text, cast, func, select

import questionnaires as qn
from questionnaires import NUMERIC, STRING, Column, Label

from ..errors import NotFound, RoundError, SurveyError
from ..extensions import db
from ..models import Answer, Community, District, QuestionnaireVersion, Response, Round, Street
from . import rounds, versions
from .export_design import EMPTY, design_columns
from .outcomes import RESPONSE_OUTCOMES
from .prefetch import ahead
from .spreadsheet import safe_text_array

BATCH = 10_000  # responses per batch (the memory of a batch: a few MB)


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


def _query(table: Table, connection) -> tuple[list[Fixed], Any]:
    """The fixed columns read from SQL and the streamed result: per response (ordered) its id, those columns,
    ``probability_sample`` and its answers as one JSON object text (an index lookup on answer(response_id, item))."""
    from_sql = [f for f in FIXED if f.source in _SQL]
    gather = func.json_object_agg if connection.dialect.name == "postgresql" else func.json_group_object
    answers = (select(cast(gather(Answer.item, Answer.value), Text)).where(Answer.response_id == Response.id)
               .scalar_subquery())
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
    return from_sql, connection.execution_options(stream_results=True, max_row_buffer=BATCH).execute(query)


@dataclass(frozen=True)
class Batch:
    """Up to BATCH responses, by columns: each fixed column's values (a list, order of FIXED) and each item's
    stored cells (a pyarrow string array, order of ``Table.items``; null: not answered)."""

    fixed: list[list[Any]]
    stored: list[Any]
    size: int


def batches(table: Table, connection, size: int | None = None) -> Iterator[Batch]:
    """The responses of the export, ordered, ``size`` (default BATCH) at a time. On PostgreSQL the batches are
    read one ahead by a worker thread (``prefetch.ahead``): the database and the JSON parser work while the caller
    writes the previous batch."""
    if not table.version_ids:
        return iter(())
    design = design_columns(table.round_id, connection)  # in the caller's thread: it uses the app's session
    from_sql, result = _query(table, connection)
    read = _read(table, design, from_sql, result.partitions(size or BATCH))
    return ahead(read) if connection.dialect.name == "postgresql" else read


def _read(table: Table, design, from_sql: list[Fixed], partitions) -> Iterator[Batch]:
    at = {f.name: i for i, f in enumerate(from_sql, start=1)}
    names = [f.name for f in FIXED]
    submitted, status, outcome = names.index("submitted_at"), names.index("status"), names.index("outcome")
    for rows in partitions:
        columns = list(zip(*rows, strict=True))
        extra = [design.get(response, EMPTY) for response in columns[0]]
        fixed = [list(columns[at[f.name]]) if f.name in at else [e.get(f.name) for e in extra] for f in FIXED]
        fixed[submitted] = [_iso_utc(moment) for moment in fixed[submitted]]
        fixed[outcome] = [RESPONSE_OUTCOMES.get(state) if code is None and sampled else code  # sampled households
                          for code, state, sampled in zip(fixed[outcome], fixed[status], columns[-2], strict=True)]
        yield Batch(fixed, _stored(table, columns[-1]), len(rows))


def _stored(table: Table, objects: tuple[str | None, ...]) -> list[Any]:
    """One pyarrow string array per item from the answers' JSON objects, parsed at once (``pyarrow.json``)."""
    import pyarrow as pa
    import pyarrow.json as pj

    schema = pa.schema([(q.code, pa.string()) for q in table.items])
    text = "\n".join(o or "{}" for o in objects).encode("utf-8")
    block = max(1 << 20, 4 * max(len(o or "") for o in objects) + 2)  # a block holds at least one whole line
    options = pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")
    parsed = pj.read_json(io.BytesIO(text), read_options=pj.ReadOptions(block_size=block), parse_options=options)
    return [parsed.column(q.code).combine_chunks() for q in table.items]


def text_columns(table: Table, batch: Batch) -> list[Any]:
    """The CSV layout of a batch: one pyarrow string array per column of ``Table.text_header`` (null: empty
    cell), numbers as ``str`` writes them, text cells made spreadsheet-safe (``spreadsheet.safe_text_array``)."""
    import pyarrow as pa

    out = [safe_text_array(pa.array(values, pa.string())) if f.kind == STRING else
           pa.array([None if v is None else str(v) for v in values], pa.string())
           for f, values in zip(FIXED, batch.fixed, strict=True)]
    out.extend(safe_text_array(cells) if q.kind.text_type == "string" else cells
               for q, cells in zip(table.items, batch.stored, strict=True))
    return out


def typed_columns(table: Table, batch: Batch) -> list[Any]:
    """The typed layout of a batch: one pyarrow array per column of ``Table.typed_columns`` (float64 for a
    number, string for text; null: missing), each item's by its question type's ``cells_batch``."""
    import pyarrow as pa

    out = [pa.array(values, pa.float64() if f.kind == NUMERIC else pa.string())
           for f, values in zip(FIXED, batch.fixed, strict=True)]
    for question, cells in zip(table.items, batch.stored, strict=True):
        out.extend(_item_columns(question, cells))
    return out


def _item_columns(question: qn.Question, cells) -> list[Any]:
    kind = question.kind
    try:
        return kind.cells_batch(cells, question)
    except qn.AnswerError:
        for cell in cells.to_pylist():  # name the first cell the reference (per value) refuses
            try:
                kind.read(cell, question) if cell else None
            except qn.AnswerError as err:
                raise ExportError(f"item {question.code}: stored answer {cell!r} is not valid for the newest "
                                  f"version that asks it ({err.label.en}); export as csv instead") from err
        raise


def _iso_utc(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``; SQLite gives back naive datetimes that were stored as UTC."""
    if moment is None:
        return None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
