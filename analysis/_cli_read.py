"""The command line's input: one data file read with pyarrow (or pyreadstat), only the columns a command uses.

By extension: ``.csv`` and ``.csv.gz`` (pyarrow's multi-threaded CSV reader; UTF-8, a BOM is skipped), ``.parquet``
(pyarrow), ``.sav`` and ``.dta`` (pyreadstat). An empty cell is a missing value; numbers are typed by the reader, and
a text column whose cells all convert to numbers becomes numbers. Columns in ``text`` (domains and margin columns)
are kept as text, so that codes such as ``0101`` keep their leading zeros; labels are trimmed when factorised
(``Columns.factor``) and numbers in text when converted (``as_numeric``). A column name that appears twice in the file
is an error, as is a column the command names and the file lacks.
"""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

from ._errors import AnalysisError
from ._frames import Columns, _is_text

__all__ = ["FORMATS", "read_table"]

FORMATS = (".csv", ".csv.gz", ".parquet", ".sav", ".dta")


def read_table(path: str, needed: list[str], text: set[str] = frozenset()) -> Columns:
    """The columns ``needed`` of the file at ``path`` (those in ``text`` as text) as :class:`Columns`."""
    import pyarrow as pa

    kind = _kind(path)
    try:
        names = _header(path, kind)
        _check_names(path, names, needed)
        table = _READERS[kind](path, list(dict.fromkeys(needed)), text)
        if table.num_rows == 0:
            raise AnalysisError(f"{path}: no data rows")
        columns = {name: _normalise(table.column(name), name in text) for name in table.column_names}
        return Columns(columns, path, integer_order=True)
    except pa.ArrowException as err:
        raise AnalysisError(f"{path}: {err}") from None


def _kind(path: str) -> str:
    lower = path.lower()
    for ext in sorted(FORMATS, key=len, reverse=True):
        if lower.endswith(ext):
            return ext
    raise AnalysisError(f"{path}: unknown file type; expected one of {', '.join(FORMATS)}")


def _header(path: str, kind: str) -> list[str]:
    if not Path(path).is_file():
        raise AnalysisError(f"{path}: no such file")
    if kind in (".csv", ".csv.gz"):  # the header line only: the data is read by pyarrow
        opener = gzip.open if kind == ".csv.gz" else open
        with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), None)
        if not header:
            raise AnalysisError(f"{path}: empty file")
        return header
    if kind == ".parquet":
        from pyarrow import parquet

        return parquet.read_schema(path).names
    _, meta = _readstat(kind)(path, metadataonly=True)
    return list(meta.column_names)


def _check_names(path: str, names: list[str], needed: list[str]) -> None:
    seen: dict[str, int] = {}
    for i, name in enumerate(names, start=1):
        if name in seen:
            raise AnalysisError(f"{path}: column name {name!r} appears twice (columns {seen[name]} and {i})")
        seen[name] = i
    for name in needed:
        if name not in seen:
            raise AnalysisError(f"unknown column {name!r} in {path} (columns: {', '.join(names)})")


def _read_csv(path: str, needed: list[str], text: set[str]):
    from pyarrow import csv, string

    convert = csv.ConvertOptions(include_columns=needed, column_types={name: string() for name in text},
                                 null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=True)
    return csv.read_csv(path, read_options=csv.ReadOptions(use_threads=True), convert_options=convert)


def _read_parquet(path: str, needed: list[str], text: set[str]):
    from pyarrow import parquet, string

    table = parquet.read_table(path, columns=needed)
    for name in text:
        column = table.column(name)
        if not _is_text(column.type):
            table = table.set_column(table.column_names.index(name), name, column.cast(string()))
    return table


def _read_stat(path: str, needed: list[str], text: set[str]):
    import pyarrow as pa

    data, _ = _readstat(_kind(path))(path, usecols=needed, output_format="dict")
    table = pa.table({name: data[name] for name in needed})
    for name in text:  # SPSS / Stata numbers are doubles: 3.0 becomes '3', as the CSV export writes it
        column = table.column(name)
        if not _is_text(column.type):
            if pa.types.is_floating(column.type) and _integral(column):
                column = column.cast(pa.int64())
            table = table.set_column(table.column_names.index(name), name, column.cast(pa.string()))
    return table


def _readstat(kind: str):
    import pyreadstat

    return pyreadstat.read_sav if kind == ".sav" else pyreadstat.read_dta


_READERS = {".csv": _read_csv, ".csv.gz": _read_csv, ".parquet": _read_parquet, ".sav": _read_stat,
            ".dta": _read_stat}


def _integral(column) -> bool:
    import pyarrow.compute as pc

    valid = column.drop_null()
    return len(valid) == 0 or bool(pc.all(pc.equal(pc.floor(valid), valid)).as_py())


def _normalise(column, keep_text: bool):
    """A text column of numbers becomes numbers (unless ``keep_text``); labels are trimmed when factorised."""
    import pyarrow as pa

    if keep_text or not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return column
    for numeric in (pa.int64(), pa.float64()):
        try:
            return column.cast(numeric)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
    return column
