"""Published questionnaire versions: immutable snapshots of a definition, identified by its digest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._common import utcnow


class QuestionnaireVersion(db.Model):
    __tablename__ = "questionnaire_version"
    __table_args__ = (UniqueConstraint("code", "version", name="uq_questionnaire_version_code_version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[str] = mapped_column(String(32))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    # Deferred: the parsed definition is cached by digest, so most requests never need the column.
    definition: Mapped[dict] = mapped_column(JSON, deferred=True)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
