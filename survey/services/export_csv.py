"""The CSV export (text layout, ``export_table.text_columns``), written a batch at a time as the ``csv`` module
writes it (``csv.writer`` defaults: ``,``, minimal quoting, ``\\r\\n``) but built with pyarrow compute: a cell is
quoted when it holds ``,``, ``"``, ``\\r`` or ``\\n`` (inner quotes doubled), an empty or missing cell is empty.
``tests/export`` checks the bytes against ``csv.writer``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any, TextIO

from .export_table import Table, batches, snapshot, text_columns

_NEEDS_QUOTES = r'[,"\r\n]'


def write_csv(table: Table, out: TextIO, *, bom: bool = False) -> int:
    """Write the CSV export to ``out``; return the number of responses written."""
    count = 0
    for chunk, size in _chunks(table, bom):
        out.write(chunk)
        count += size
    return count


def csv_chunks(table: Table, *, bom: bool) -> Iterator[bytes]:
    """The CSV export as UTF-8 byte chunks (one per batch), for a streamed HTTP response."""
    for chunk, _size in _chunks(table, bom):
        yield chunk.encode("utf-8")


def _chunks(table: Table, bom: bool) -> Iterator[tuple[str, int]]:
    header = io.StringIO()
    csv.writer(header).writerow(table.text_header())
    yield ("\ufeff" if bom else "") + header.getvalue(), 0
    with snapshot() as connection:
        for batch in batches(table, connection):
            yield csv_lines(text_columns(table, batch)), batch.size


def csv_lines(columns: list[Any]) -> str:
    """The CSV lines of equal-length pyarrow string arrays (one per column), ``\\r\\n`` after each."""
    import pyarrow.compute as pc

    cells = [_quoted(column) for column in columns]
    lines = pc.binary_join_element_wise(pc.binary_join_element_wise(*cells, ","), "\r\n", "")
    return "".join(lines.to_pylist())


def _quoted(column):
    import pyarrow.compute as pc

    column = pc.fill_null(column, "")
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(column, '"', '""'), '"', "")
    return pc.if_else(pc.match_substring_regex(column, _NEEDS_QUOTES), quoted, column)
