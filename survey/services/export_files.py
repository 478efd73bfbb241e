"""The export file formats: CSV (UTF-8; ``excel-csv`` with a BOM), XLSX, SPSS ``.sav``, Stata ``.dta``, Parquet.

CSV uses the text layout; the others the typed layout (``export_table``). Every writer reads the rows of one
snapshot in batches; CSV, XLSX (xlsxwriter's constant-memory mode) and Parquet (one row group per batch) keep
memory flat. SPSS and Stata files are written by pyreadstat from one data frame: their rows are gathered in
compact typed columns (polars) first, so their memory grows with the number of rows.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from questionnaires import NUMERIC, Column

from .export_table import BATCH, Table, snapshot, text_rows, typed_batches, typed_rows
from .spreadsheet import is_formula

# Label limits of the file formats (longer labels end with "…"; the codebook has them whole):
# SPSS variable labels 256 bytes, value labels 120 bytes (UTF-8); Stata 118 variable labels 80 characters.
LABEL_LIMITS = {"sav": {"variable": ("bytes", 256), "value": ("bytes", 120)},
                "dta": {"variable": ("chars", 80), "value": ("chars", 32_000)}}
XLSX_MAX_ROWS = 1_048_576  # Excel's rows per sheet, the header row included
PARQUET_BATCH = 10_000


def write_csv(table: Table, out: TextIO, *, bom: bool = False) -> int:
    """Write the CSV export to ``out``; return the number of responses written."""
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out)
    count = -1
    with snapshot() as connection:
        for cells in text_rows(table, connection):
            writer.writerow(cells)
            count += 1
    return count


def csv_chunks(table: Table, *, bom: bool) -> Iterator[bytes]:
    """The CSV export as UTF-8 byte chunks, for a streamed HTTP response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if bom:
        buffer.write("\ufeff")
    with snapshot() as connection:
        for n, cells in enumerate(text_rows(table, connection), start=1):
            writer.writerow(cells)
            if n % BATCH == 0:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _csv_file(bom: bool) -> Callable[[Table, Path], int]:
    def write(table: Table, path: Path) -> int:
        with path.open("w", encoding="utf-8", newline="") as out:
            return write_csv(table, out, bom=bom)
    return write


def write_xlsx(table: Table, path: Path) -> int:
    """Typed layout in XLSX, a new sheet (``responses 2`` …) every 1,048,575 responses; formula-like text is
    stored as text with the quote prefix."""
    import xlsxwriter

    columns = table.typed_columns()
    options = {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
               "strings_to_urls": False}
    count = 0
    with xlsxwriter.Workbook(str(path), options) as book:
        quoted = book.add_format({"quote_prefix": True})
        sheet, row_number = None, XLSX_MAX_ROWS
        with snapshot() as connection:
            for row in typed_rows(table, connection):
                if row_number == XLSX_MAX_ROWS:
                    sheet, row_number = _new_sheet(book, columns), 1
                for col, value in enumerate(row):
                    if value is None:
                        continue
                    if isinstance(value, str):
                        sheet.write_string(row_number, col, value, quoted if is_formula(value) else None)
                    else:
                        sheet.write_number(row_number, col, value)
                row_number += 1
                count += 1
        if sheet is None:
            _new_sheet(book, columns)
    return count


def _new_sheet(book, columns: list[Column]):
    """``responses``, then ``responses 2`` …, each with the header row."""
    count = len(book.worksheets())
    sheet = book.add_worksheet("responses" if count == 0 else f"responses {count + 1}")
    sheet.write_row(0, 0, [c.name for c in columns])
    return sheet


def _integer(column: Column) -> bool:
    """Codes with value labels are whole numbers (Stata labels only integer variables)."""
    return column.kind == NUMERIC and bool(column.values)


def _batches(table: Table, size: int) -> Iterator[list[list[Any]]]:
    """Column-wise batches of the typed layout, read on one snapshot."""
    with snapshot() as connection:
        yield from typed_batches(table, connection, size)


def _polars_frame(columns: list[Column], data: list[list[Any]]):
    import polars as pl

    data = data or [[] for _ in columns]
    return pl.DataFrame([
        pl.Series(c.name, values, dtype=pl.Int32 if _integer(c) else pl.Float64 if c.kind == NUMERIC else pl.String)
        for c, values in zip(columns, data, strict=True)])


def _labelled(fmt: str) -> Callable[[Table, Path], int]:
    def write(table: Table, path: Path) -> int:
        import polars as pl
        import pyreadstat

        columns = table.typed_columns()
        frames = [_polars_frame(columns, batch) for batch in _batches(table, PARQUET_BATCH)]
        frame = pl.concat(frames) if frames else _polars_frame(columns, [])
        limits, lang = LABEL_LIMITS[fmt], table.language
        labels = {c.name: fit(c.label.get(lang), *limits["variable"]) for c in columns}
        values = {c.name: {v.code: fit(v.label.get(lang), *limits["value"]) for v in c.values}
                  for c in columns if c.values}
        if fmt == "sav":
            pyreadstat.write_sav(frame, str(path), column_labels=labels, variable_value_labels=values)
        else:
            pyreadstat.write_dta(frame, str(path), column_labels=labels, variable_value_labels=values, version=15)
        return frame.height
    return write


def fit(text: str, unit: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters or UTF-8 bytes, ending with "…" when cut (never inside a character)."""
    size = len if unit == "chars" else (lambda t: len(t.encode("utf-8")))
    if size(text) <= limit:
        return text
    while size(text + "…") > limit:
        text = text[:-1]
    return text + "…"


def parquet_schema(table: Table):
    """Arrow schema of the typed layout; each field carries its label and value labels as metadata."""
    import pyarrow as pa

    fields = []
    for c in table.typed_columns():
        kind = pa.int32() if _integer(c) else pa.float64() if c.kind == NUMERIC else pa.string()
        meta = {"label": c.label.get(table.language), "label_zh": c.label.zh, "label_en": c.label.en}
        if c.values:
            meta["value_labels"] = json.dumps({str(v.code): v.label.to_dict() for v in c.values}, ensure_ascii=False)
        fields.append(pa.field(c.name, kind, metadata=meta))
    return pa.schema(fields)


def write_parquet(table: Table, out: Path | BinaryIO) -> int:
    """Typed layout in Parquet, one row group per batch (raw values: no formula prefix)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema(table)
    count = 0
    with pq.ParquetWriter(out, schema) as writer:
        for data in _batches(table, PARQUET_BATCH):
            arrays = [pa.array(values, type=field.type) for values, field in zip(data, schema, strict=True)]
            writer.write_batch(pa.record_batch(arrays, schema=schema))
            count += len(data[0])
    return count


@dataclass(frozen=True)
class Format:
    name: str
    extension: str
    mimetype: str
    write: Callable[[Table, Path], int]


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("csv", "csv", "text/csv", _csv_file(bom=False)),
    Format("excel-csv", "csv", "text/csv", _csv_file(bom=True)),
    Format("xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", write_xlsx),
    Format("sav", "sav", "application/x-spss-sav", _labelled("sav")),
    Format("dta", "dta", "application/x-stata-dta", _labelled("dta")),
    Format("parquet", "parquet", "application/vnd.apache.parquet", write_parquet),
)}
