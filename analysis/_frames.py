"""Tables in, arrays out: the one place that turns data frames and columnar tables into numpy arrays.

Every public function takes arrays (numpy arrays, lists, pandas / polars Series, pyarrow arrays). ``Design`` also
takes ``data=``: a pandas or polars DataFrame, a pyarrow Table, any object with the DataFrame interchange protocol
(``__dataframe__``) or a mapping name -> array; then weights, strata, psu, fpc and the estimators' ``y`` /
``domain`` may be column names. Columns are converted on first use, once each:

* integers without missing values -> int64; integers with missing values, floats, decimals -> float64 (NaN missing);
* booleans -> bool (float64 with NaN when some are missing);
* text -> object arrays with None for missing (an empty string is missing too, as everywhere in the package);
* strata, PSU and domain columns of text or categories are factorised by pyarrow (``dictionary_encode``): integer
  codes and the sorted, trimmed levels (:class:`Factor`), without a Python loop over rows.

Numbers are read from the arrow buffers with numpy (``_numbers``), never with ``to_numpy()``, which makes pyarrow
import pandas (0.3 s) wherever pandas is installed.

pandas, polars and pyarrow are never imported here: an object is recognised by its type's module, and pyarrow is
imported only when a frame or Series is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ._errors import AnalysisError

__all__ = ["Columns", "Factor", "as_array", "columns"]


@dataclass(frozen=True, eq=False)
class Factor:
    """A factorised column: ``codes`` (int64, -1 missing) into ``levels`` (sorted, as R's factor levels)."""

    codes: np.ndarray
    levels: np.ndarray

    def __len__(self) -> int:
        return int(self.codes.shape[0])


def as_array(values) -> np.ndarray:
    """A 1-D column as numpy: Series and arrow arrays through pyarrow (nullable types as NaN / None)."""
    if isinstance(values, np.ndarray):
        return values
    arrow = _arrow_column(values)
    if arrow is None:
        return np.asarray(values)
    return _to_numpy(arrow)


def columns(data, source: str = "data") -> Columns:
    """``data`` as :class:`Columns` (itself if it already is one)."""
    return data if isinstance(data, Columns) else Columns(data, source)


class Columns:
    """Named columns of a table (see the module notes for the kinds of table), each converted once.

    ``integer_order``: text labels that are all integers (no leading zero) sort as numbers (2 before 10), as the
    command line's ``--by`` levels do; else text sorts as text (R's factor levels).
    """

    def __init__(self, data, source: str = "data", *, integer_order: bool = False):
        self.source, self.integer_order = source, integer_order
        self._get, names = _accessor(data)
        self.names = [str(name) for name in names]
        seen: set[str] = set()
        for name in self.names:
            if name in seen:
                raise AnalysisError(f"{source}: column name {name!r} appears more than once")
            seen.add(name)
        self._cache: dict[tuple, object] = {}

    def __contains__(self, name) -> bool:
        return name in self.names

    def _column(self, name: str):
        if name not in self.names:
            raise AnalysisError(f"unknown column {name!r} in {self.source} (columns: {', '.join(self.names)})")
        return self._get(name)

    def array(self, name: str) -> np.ndarray:
        """The column as numpy (see the module notes)."""
        key = ("array", name)
        if key not in self._cache:
            column = self._column(name)
            arrow = _arrow_column(column)
            self._cache[key] = _to_numpy(arrow) if arrow is not None else np.asarray(column)
        return self._cache[key]

    def factor(self, name: str) -> Factor | np.ndarray:
        """Labels for strata, PSUs and domains: a :class:`Factor` for text or categories, else :meth:`array`."""
        key = ("factor", name)
        if key not in self._cache:
            arrow = _arrow_column(self._column(name))
            if arrow is None or not _is_text(arrow.type):
                self._cache[key] = self.array(name)
            else:
                self._cache[key] = _factor(arrow, self.integer_order)
        return self._cache[key]


def _accessor(data):
    """(function name -> column, column names) for every kind of table."""
    module = type(data).__module__.split(".")[0]
    if isinstance(data, Mapping):
        return data.__getitem__, list(data)
    if module == "pandas":
        return (lambda name: data[name]), list(data.columns)
    if module == "polars":
        return data.get_column, list(data.columns)
    if module == "pyarrow" and hasattr(data, "column_names"):
        return data.column, list(data.column_names)
    if hasattr(data, "__dataframe__"):
        from pyarrow import interchange

        table = interchange.from_dataframe(data)
        return table.column, list(table.column_names)
    raise AnalysisError(f"{_source_type(data)}: expected a DataFrame (pandas, polars, pyarrow, or one with the "
                        "DataFrame interchange protocol) or a mapping of column names to arrays")


def _source_type(data) -> str:
    return f"data: {type(data).__module__}.{type(data).__name__}"


def _arrow_column(values):
    """A pyarrow Array / ChunkedArray for Series and arrow columns; None for anything numpy reads directly."""
    module = type(values).__module__.split(".")[0]
    if module not in ("pandas", "polars", "pyarrow"):
        return None
    import pyarrow as pa

    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values
    if module == "polars":
        return values.to_arrow()
    if module == "pandas":
        return pa.array(values, from_pandas=True)
    return None


def _is_text(arrow_type) -> bool:
    import pyarrow.types as pt

    return (pt.is_string(arrow_type) or pt.is_large_string(arrow_type) or pt.is_string_view(arrow_type)
            or pt.is_dictionary(arrow_type))


def _to_numpy(column) -> np.ndarray:
    """Numbers through their arrow buffers (no copy of valid data); text and other types as Python objects."""
    import pyarrow as pa
    import pyarrow.types as pt

    kind = column.type
    if pt.is_dictionary(kind):
        return _to_numpy(_decoded(column))
    if pt.is_null(kind):
        return np.full(len(column), np.nan)
    if pt.is_decimal(kind):
        column, kind = column.cast(pa.float64()), pa.float64()
    if pt.is_integer(kind) or pt.is_floating(kind) or pt.is_boolean(kind):
        values, valid = _numbers(column)
        if valid is None:
            return values.astype(np.int64, copy=False) if pt.is_integer(kind) else values
        out = values.astype(np.float64)
        out[~valid] = np.nan
        return out
    return np.array(column.to_pylist(), dtype=object)


def _numbers(column) -> tuple[np.ndarray, np.ndarray | None]:
    """Values and validity (None: no nulls) of a numeric arrow column, read from its buffers.

    Reading the buffers with numpy, rather than ``to_numpy()``, keeps pyarrow from importing pandas (0.3 s).
    """
    import pyarrow.types as pt

    chunks = column.chunks if hasattr(column, "chunks") else [column]
    values, valid = [], []
    for chunk in chunks:
        validity, data = chunk.buffers()[:2]
        start, stop = chunk.offset, chunk.offset + len(chunk)
        if chunk.type.bit_width == 1:  # booleans are bit-packed
            values.append(_bits(data, start, stop))
        else:
            kind = "f" if pt.is_floating(chunk.type) else "i" if pt.is_signed_integer(chunk.type) else "u"
            dtype = np.dtype(f"{kind}{chunk.type.bit_width // 8}")
            values.append(np.frombuffer(data, dtype=dtype, count=stop)[start:] if stop else np.empty(0, dtype))
        valid.append(_bits(validity, start, stop) if chunk.null_count else np.ones(len(chunk), dtype=bool))
    if not values:
        return np.empty(0), None
    joined = values[0] if len(values) == 1 else np.concatenate(values)
    mask = valid[0] if len(valid) == 1 else np.concatenate(valid)
    return joined, (None if mask.all() else mask)


def _bits(buffer, start: int, stop: int) -> np.ndarray:
    raw = np.frombuffer(buffer, dtype=np.uint8, count=(stop + 7) // 8)
    return np.unpackbits(raw, bitorder="little")[start:stop].astype(bool)


def _decoded(column):
    import pyarrow as pa

    if isinstance(column, pa.ChunkedArray):
        return pa.chunked_array([chunk.dictionary_decode() for chunk in column.chunks], column.type.value_type)
    return column.dictionary_decode()


def _factor(column, integer_order: bool) -> Factor:
    """Codes and sorted levels of a text column by pyarrow's hash table; labels are trimmed, '' is missing."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_dictionary(column.type):
        column = _decoded(column)
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if not pa.types.is_string(column.type):
        column = column.cast(pa.string())
    encoded = pc.dictionary_encode(column)
    raw, valid = _numbers(encoded.indices)
    labels = [str(v).strip() for v in encoded.dictionary.to_pylist()]
    distinct = sorted({v for v in labels if v}, key=_integer_key if integer_order and all(
        _is_integer(v) for v in labels if v) else None)
    position = {v: i for i, v in enumerate(distinct)}
    remap = np.array([position.get(v, -1) for v in labels] + [-1], dtype=np.int64)
    codes = remap[raw.astype(np.int64)]
    if valid is not None:
        codes[~valid] = -1
    return Factor(codes, np.array(distinct, dtype=object))


def _integer_key(text: str) -> int:
    return int(text)


def _is_integer(text: str) -> bool:
    digits = text[1:] if text.startswith("-") else text
    return digits.isascii() and digits.isdigit() and (digits == "0" or not digits.startswith("0"))
