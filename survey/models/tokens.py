"""Access tokens behind the QR codes: single-use per household, open per community."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._common import one_of, utcnow
from .geo import Community, Household
from .responses import Mode


class TokenKind(StrEnum):
    """The two kinds of QR link, declared once."""

    HOUSEHOLD = "household"  # single use, bound to one sampled household of one round
    COMMUNITY = "community"  # the open poster link of a community

    @property
    def mode(self) -> Mode:
        """The mode of the responses collected through this kind of link."""
        return Mode.QR_HOUSEHOLD if self is TokenKind.HOUSEHOLD else Mode.QR_COMMUNITY


HOUSEHOLD = TokenKind.HOUSEHOLD
COMMUNITY = TokenKind.COMMUNITY


class Token(db.Model):
    __tablename__ = "token"
    __table_args__ = (
        one_of("kind", TokenKind),
        CheckConstraint(f"(kind = '{HOUSEHOLD}') = (household_id IS NOT NULL)", name="household_kind"),
        CheckConstraint(f"(kind = '{HOUSEHOLD}') = (round_id IS NOT NULL)", name="household_round"),
        UniqueConstraint("round_id", "household_id", name="uq_token_round_household"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    # Household tokens belong to a round (a new round prints new door-hangers); community tokens to none:
    # their answers go to the current round.
    round_id: Mapped[int | None] = mapped_column(ForeignKey("survey_round.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    community: Mapped[Community] = relationship()
    household: Mapped[Household | None] = relationship()

    @property
    def single_use(self) -> bool:
        """A household's door-hanger: one response in its round."""
        return self.kind == TokenKind.HOUSEHOLD

    @property
    def response_mode(self) -> Mode:
        return TokenKind(self.kind).mode
