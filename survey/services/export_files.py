"""The export file formats: CSV (UTF-8; ``excel-csv`` with a BOM), XLSX, SPSS ``.sav``, Stata ``.dta``, Parquet.

CSV uses the text layout (``export_csv``); the others the typed layout (``export_table.typed_columns``: one pyarrow
array per column and batch). Every writer reads the rows of one snapshot in batches; CSV, XLSX (xlsxwriter's
constant-memory mode; one Python call per cell, the slowest format) and Parquet (one row group per batch) keep
memory flat. SPSS and Stata files are written by pyreadstat from one data frame (it has no append): the batches
are gathered as compact typed arrow columns (int32 codes, float64, strings) and handed over as a polars frame
without a copy, so their memory grows with the number of rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from questionnaires import NUMERIC, Column

from .export_csv import write_csv
from .export_table import BATCH, Table, batches, snapshot, typed_columns
from .spreadsheet import formula_array

# Label limits of the file formats (longer labels end with "…"; the codebook has them whole):
# SPSS variable labels 256 bytes, value labels 120 bytes (UTF-8); Stata 118 variable labels 80 characters.
LABEL_LIMITS = {"sav": {"variable": ("bytes", 256), "value": ("bytes", 120)},
                "dta": {"variable": ("chars", 80), "value": ("chars", 32_000)}}
XLSX_MAX_ROWS = 1_048_576  # Excel's rows per sheet, the header row included


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
        for data in _batches(table):
            values = _xlsx_cells(data, quoted)
            for row in range(len(data[0])):
                if row_number == XLSX_MAX_ROWS:
                    sheet, row_number = _new_sheet(book, columns), 1
                for col, cells, formats in values:
                    value = cells[row]
                    if value is not None:
                        (sheet.write_number if formats is None else sheet.write_string)(
                            row_number, col, value, formats and formats[row])
                row_number += 1
            count += len(data[0])
        if sheet is None:
            _new_sheet(book, columns)
    return count


def _xlsx_cells(data: list[Any], quoted) -> list[tuple[int, list[Any], list[Any] | None]]:
    """Per column of a batch: its index, its values (Python), and for a text column each cell's format (the
    quote prefix where a spreadsheet would read a formula, else None); None for a number column."""
    import pyarrow as pa

    out = []
    for col, array in enumerate(data):
        formats = None
        if pa.types.is_string(array.type):
            formula = formula_array(array).to_pylist()
            formats = [quoted if f else None for f in formula]
        out.append((col, array.to_pylist(), formats))
    return out


def _new_sheet(book, columns: list[Column]):
    """``responses``, then ``responses 2`` …, each with the header row."""
    count = len(book.worksheets())
    sheet = book.add_worksheet("responses" if count == 0 else f"responses {count + 1}")
    sheet.write_row(0, 0, [c.name for c in columns])
    return sheet


def _integer(column: Column) -> bool:
    """Codes with value labels are whole numbers (Stata labels only integer variables)."""
    return column.kind == NUMERIC and bool(column.values)


def _batches(table: Table) -> Iterator[list[Any]]:
    """The typed layout in batches of BATCH responses (one pyarrow array per column), read on one snapshot."""
    with snapshot() as connection:
        for batch in batches(table, connection, BATCH):
            yield typed_columns(table, batch)


def _labelled(fmt: str) -> Callable[[Table, Path], int]:
    def write(table: Table, path: Path) -> int:
        import polars as pl
        import pyreadstat

        columns, schema = table.typed_columns(), parquet_schema(table)
        frames = [pl.from_arrow(_record_batch(data, schema)) for data in _batches(table)]  # one batch of arrow
        frame = pl.concat(frames) if frames else pl.from_arrow(schema.empty_table())
        del frames
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


def _record_batch(data: list[Any], schema):
    """A batch of typed arrays cast to the schema's types (labelled codes to int32; the cast checks they are
    whole)."""
    import pyarrow as pa

    return pa.record_batch([array.cast(field.type) for array, field in zip(data, schema, strict=True)],
                           schema=schema)


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
    import pyarrow.parquet as pq

    schema = parquet_schema(table)
    count = 0
    with pq.ParquetWriter(out, schema) as writer:
        for data in _batches(table):
            writer.write_batch(_record_batch(data, schema))
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
