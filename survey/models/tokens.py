"""Access tokens behind the QR codes: single-use per household, open per community."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._common import utcnow
from .geo import Community, Household

HOUSEHOLD = "household"
COMMUNITY = "community"


class Token(db.Model):
    __tablename__ = "token"
    __table_args__ = (
        CheckConstraint("kind IN ('household', 'community')", name="kind"),
        CheckConstraint("(kind = 'household') = (household_id IS NOT NULL)", name="household_kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    community: Mapped[Community] = relationship()
    household: Mapped[Household | None] = relationship()
