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
