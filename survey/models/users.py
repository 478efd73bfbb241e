"""Platform users and their roles (hashed passwords, Flask-Login sessions)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ._common import one_of, utcnow


class Role(StrEnum):
    """The roles, declared once (the database constraint is built from it); what each may do is checked by the
    blueprints' guards, which ask the user (``is_admin``), never compare role names themselves."""

    ADMIN = "admin"  # everything
    SUPERVISOR = "supervisor"  # the streets or communities given to them (fieldwork)
    INTERVIEWER = "interviewer"  # their own assignments (fieldwork)
    ANALYST = "analyst"  # results only, no addresses (reports)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (one_of("role", Role),)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default=Role.ADMIN)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Every signed-in session carries the version it was opened under; raising it ends them all
    # (sign out, password change, "sign out everywhere"), whichever worker or machine serves them.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)
