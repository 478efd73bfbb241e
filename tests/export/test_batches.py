"""The batch (vectorised) forms of the export agree with their per-value references: ``QuestionType.cells_batch``
with ``cells(read(cell))`` for every built-in type, the CSV lines with ``csv.writer``, the formula rule on arrays
with ``safe_text``; and the read-ahead hands over every batch, an error of its producer, and stops when left."""

from __future__ import annotations

import csv
import io

import pyarrow as pa
import pytest

import questionnaires as qn
from survey.services.export_csv import csv_lines
from survey.services.prefetch import ahead
from survey.services.spreadsheet import safe_text, safe_text_array
from tests.export.conftest import ALL_TYPES_YAML

STORED = {
    "S1": ["1", "2", None, "", "2", " 1 ", "1"],
    "C1": ["9", "1", "2", None, "", "9"],
    "C4": ["1;3", "2", "1;2;3", None, "", "3", "1;3"],
    "H1": ["3", "-2", "2.5", "20", "-5", "0.125", None, "", "3"],
    "E1": ["=1+2", "希望加装电梯", None, "", "a,b \"c\"\nd", "  spaces  ", "=1+2"],
}


def per_value(question: qn.Question, stored: list[str | None]) -> list[list]:
    """The reference: each cell read and turned into columns one at a time, then the rows turned into columns."""
    kind = question.kind
    rows = [kind.cells(kind.read(cell, question) if cell else None, question) for cell in stored]
    return [list(column) for column in zip(*rows, strict=True)]


@pytest.mark.parametrize("code", sorted(STORED))
def test_cells_batch_agrees_with_cells_for_every_built_in_type(code):
    question = next(q for q in qn.loads(ALL_TYPES_YAML, source="all-types.yaml").items if q.code == code)
    batch = question.kind.cells_batch(STORED[code], question)
    assert [array.to_pylist() for array in batch] == per_value(question, STORED[code])
    assert len(batch) == len(question.kind.columns(question))
    numeric = [c.kind == qn.NUMERIC for c in question.kind.columns(question)]
    assert [pa.types.is_floating(a.type) for a in batch] == numeric


def test_cells_batch_refuses_what_read_refuses():
    question = next(q for q in qn.loads(ALL_TYPES_YAML, source="all-types.yaml").items if q.code == "S1")
    with pytest.raises(qn.AnswerError):
        question.kind.read("7", question)
    with pytest.raises(qn.AnswerError):
        question.kind.cells_batch(["1", "7"], question)


def test_cells_batch_of_an_empty_batch_has_empty_columns():
    question = next(q for q in qn.loads(ALL_TYPES_YAML, source="all-types.yaml").items if q.code == "C4")
    assert [a.to_pylist() for a in question.kind.cells_batch([], question)] == [[], [], []]


TRICKY = ["plain", "", None, "a,b", 'say "hi"', "two\nlines", "cr\rhere", "crlf\r\n", " spaced ", "tab\there",
          "中文，逗号", "=1+2", "'quoted'", '"', ",", "\u2028", "semi;colon"]


def test_csv_lines_are_the_bytes_csv_writer_writes():
    columns = [TRICKY, list(reversed(TRICKY)), ["1"] * len(TRICKY)]
    expected = io.StringIO()
    csv.writer(expected).writerows(zip(*[["" if v is None else v for v in c] for c in columns], strict=True))
    assert csv_lines([pa.array(c, pa.string()) for c in columns]) == expected.getvalue()


def test_safe_text_array_is_safe_text_of_every_cell():
    cells = [*TRICKY, "+1", "-1", "@SUM(A1)", "\tx", "\rx", "x=1", "a-b"]
    assert safe_text_array(pa.array(cells, pa.string())).to_pylist() == [
        None if c is None else safe_text(c) for c in cells]


def test_read_ahead_gives_every_item_in_order():
    assert list(ahead(iter(range(50)))) == list(range(50))


def test_read_ahead_raises_the_producers_error_in_the_caller():
    def failing():
        yield 1
        raise ValueError("the database went away")

    got = []
    with pytest.raises(ValueError, match="went away"):
        for item in ahead(failing()):
            got.append(item)
    assert got == [1]


def test_leaving_the_read_ahead_early_stops_and_closes_the_producer():
    closed = []

    def endless():
        try:
            n = 0
            while True:
                yield n
                n += 1
        finally:
            closed.append(True)

    reader = ahead(endless())
    assert [next(reader) for _ in range(3)] == [0, 1, 2]
    reader.close()  # returns only once the worker has stopped
    assert closed == [True]
