"""Bulk inserts inside the session's transaction: COPY on PostgreSQL, multi-row executemany elsewhere.

Loading a frame of 100 000 households writes about 300 000 rows; PostgreSQL's COPY does that several
times faster than batched INSERT statements, and it runs on the session's own connection, so a load
stays one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table, insert, text

from ..extensions import db


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def insert_rows(table: Table, columns: Sequence[str], rows: Sequence[Sequence]) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table``."""
    if not rows:
        return
    if _postgresql():
        driver = db.session.connection().connection.driver_connection
        names = ", ".join(f'"{name}"' for name in columns)
        with driver.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
        return
    db.session.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])


def insert_rows_returning_ids(table: Table, columns: Sequence[str], rows: Sequence[Sequence]) -> list[int]:
    """Insert ``rows`` into ``table`` (integer primary key ``id``); return their ids in row order."""
    if not rows:
        return []
    if _postgresql():
        ids = list(db.session.scalars(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
            {"table": table.name, "n": len(rows)},
        ))
        insert_rows(table, ["id", *columns], [(i, *row) for i, row in zip(ids, rows, strict=True)])
        return ids
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(db.session.execute(statement, [dict(zip(columns, row, strict=True)) for row in rows]).scalars())


def insert_columns(table: Table, columns: dict[str, Sequence]) -> None:
    """Insert rows given as columns (numpy arrays or lists, equal length; NaN and None are NULL) into ``table``.

    On PostgreSQL the columns are written as CSV by pyarrow (C++) and loaded by one COPY, so a million rows of
    weights take a second or two instead of the tens of seconds a row-by-row load would."""
    names = list(columns)
    if not names or len(columns[names[0]]) == 0:
        return
    if not _postgresql():
        rows = zip(*(_python(columns[name]) for name in names), strict=True)
        db.session.execute(insert(table), [dict(zip(names, row, strict=True)) for row in rows])
        return
    import io

    import pyarrow as pa
    import pyarrow.csv as pacsv

    arrays = [pa.array(columns[name], from_pandas=True) for name in names]  # from_pandas: NaN is null
    buffer = io.BytesIO()
    pacsv.write_csv(pa.table(arrays, names=names), buffer,
                    write_options=pacsv.WriteOptions(include_header=False, quoting_style="needed"))
    driver = db.session.connection().connection.driver_connection
    quoted = ", ".join(f'"{name}"' for name in names)
    with driver.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN WITH (FORMAT csv)') as copy:
        copy.write(buffer.getbuffer())


def _python(values) -> list:
    """A column as Python values with NaN as None (what executemany binds)."""
    out = values.tolist() if hasattr(values, "tolist") else list(values)
    return [None if isinstance(v, float) and v != v else v for v in out]
