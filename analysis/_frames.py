"""Tables in, arrays out: the one place that turns data frames and columnar tables into numpy arrays.

Every public function takes arrays (numpy arrays, lists, pandas / polars Series, pyarrow arrays). ``Design`` also
takes ``data=``: a pandas or polars DataFrame, a pyarrow Table, any object with the DataFrame interchange protocol
(``__dataframe__``) or a mapping name -> array; then weights, strata, psu, fpc and the estimators' ``y`` /
``domain`` may be column names. Columns are converted on first use, once each:

* integers without missing values -> int64; integers with missing values, floats, decimals -> float64 (NaN missing);
* booleans -> bool (float64 with NaN when some are missing);
* text -> object arrays with None for missing (an empty string is missing too, as everywhere in the package);
* strata, PSU and domain columns of text or categories are factorised by pyarrow (``dictionary_encode``): integer
  codes and the sorted levels (:class:`Factor`), without a Python loop over rows.

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
    """Named columns of a table (see the module notes for the kinds of table), each converted once."""

    def __init__(self, data, source: str = "data"):
        self.source = source
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

    def factor(self, name: str, *, integer_order: bool = False) -> Factor | np.ndarray:
        """Labels for strata, PSUs and domains: a :class:`Factor` for text or categories, else :meth:`array`.

        ``integer_order``: text levels that are all integers (no leading zero) sort as numbers (2 before 10).
        """
        key = ("factor", name, integer_order)
        if key not in self._cache:
            arrow = _arrow_column(self._column(name))
            if arrow is None or not _is_text(arrow.type):
                self._cache[key] = self.array(name)
            else:
                self._cache[key] = _factor(arrow, integer_order)
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
    import pyarrow as pa
    import pyarrow.types as pt

    kind = column.type
    if pt.is_dictionary(kind):
        column = column.cast(kind.value_type)
        kind = column.type
    if pt.is_null(kind):
        return np.full(len(column), np.nan)
    if pt.is_integer(kind) and column.null_count == 0:
        return column.to_numpy().astype(np.int64, copy=False)
    if pt.is_boolean(kind) and column.null_count == 0:
        return column.to_numpy(zero_copy_only=False).astype(bool, copy=False)
    if pt.is_integer(kind) or pt.is_floating(kind) or pt.is_decimal(kind) or pt.is_boolean(kind):
        return column.cast(pa.float64()).to_numpy(zero_copy_only=False)
    return column.to_numpy(zero_copy_only=False).astype(object, copy=False)


def _factor(column, integer_order: bool) -> Factor:
    """Codes and sorted levels of a text column by pyarrow's hash table; '' and nulls are code -1."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    encoded = pc.dictionary_encode(column.cast(pa.string()))
    levels = encoded.dictionary.to_numpy(zero_copy_only=False).astype(object)
    codes = encoded.indices.fill_null(-1).to_numpy().astype(np.int64)
    keep = levels != ""
    if integer_order and levels[keep].size and all(_is_integer(v) for v in levels[keep]):
        order_key = np.array([int(v) if v else 0 for v in levels])
        order = np.argsort(np.where(keep, order_key, order_key.max(initial=0) + 1), kind="stable")
    else:
        order = np.argsort(np.where(keep, levels, ""), kind="stable")
    order = order[keep[order]]  # sorted levels without ''
    rank = np.full(levels.shape[0] + 1, -1, dtype=np.int64)
    rank[order] = np.arange(order.shape[0])
    return Factor(rank[codes], levels[order])


def _is_integer(text: str) -> bool:
    digits = text[1:] if text.startswith("-") else text
    return digits.isascii() and digits.isdigit() and (digits == "0" or not digits.startswith("0"))
