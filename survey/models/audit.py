"""The audit log of administrators' actions: one row per action, never updated."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._common import one_of, utcnow


class Action(StrEnum):
    """Every action the audit log records, declared once (the database constraint is built from it)."""

    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_IN_LOCKED = "sign_in_locked"  # refused by the throttle before the password was checked
    SIGN_OUT = "sign_out"
    SIGN_OUT_EVERYWHERE = "sign_out_everywhere"
    USER_CREATED = "user_created"
    PASSWORD_RESET = "password_reset"  # a new random password given by an administrator (CLI)
    PASSWORD_CHANGED = "password_changed"  # changed by the user on the account page
    FRAME_LOADED = "frame_loaded"
    FRAME_REFUSED = "frame_refused"
    EXPORT_RESPONSES = "export_responses"
    EXPORT_QR = "export_qr"
    ROUND_CREATED = "round_created"
    ROUND_CHANGED = "round_changed"
    ROUND_OPENED = "round_opened"
    ROUND_CLOSED = "round_closed"


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    __table_args__ = (one_of("action", Action),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    actor: Mapped[str] = mapped_column(String(64))  # the username at the time, the name tried, or "(command line)"
    address: Mapped[str | None] = mapped_column(String(64))  # the client's address for web actions
    detail: Mapped[str] = mapped_column(Text, default="{}")  # JSON object
