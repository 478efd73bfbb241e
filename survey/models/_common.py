"""Column helpers shared by the models."""

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import CheckConstraint


def utcnow() -> datetime:
    """Timezone-aware now; stored as UTC on both SQLite and PostgreSQL."""
    return datetime.now(UTC)


def one_of(column: str, values: Iterable[str], *, name: str | None = None) -> CheckConstraint:
    """A CHECK constraint that ``column`` holds one of ``values`` (an enum's members): the allowed values are
    declared once, on the enum, and the database enforces exactly that list."""
    allowed = ", ".join("'" + str(value).replace("'", "''") + "'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=name or column)
