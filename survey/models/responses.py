"""Responses and their answers.

One row per answered item, holding the answer in its export form (the question type's
``export``), so extraction for analysis is one streaming query.  A household answers once per round:
``(response.round_id, response.household_id)`` is unique, which the database enforces even under concurrent
posts.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from questionnaires import Status

from ..extensions import db
from ._common import one_of, utcnow
from .questionnaire import QuestionnaireVersion

__all__ = ["Answer", "Mode", "PageSubmission", "Response", "Status"]


class Mode(StrEnum):
    """How a response was collected: the one list of modes (the database constraint is built from it)."""

    QR_HOUSEHOLD = "qr_household"  # a household's single-use door-hanger QR
    QR_COMMUNITY = "qr_community"  # a community's open poster link: self-selected, not a probability sample
    INTERVIEWER = "interviewer"
    ASSISTED = "assisted"
    PAPER = "paper"  # a paper questionnaire typed in and loaded with import-responses


class Response(db.Model):
    __tablename__ = "response"
    __table_args__ = (
        one_of("status", Status),
        one_of("mode", Mode),
        UniqueConstraint("round_id", "household_id", name="uq_response_round_household"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_round.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    token_id: Mapped[int | None] = mapped_column(ForeignKey("token.id"), index=True)
    mode: Mapped[str] = mapped_column(String(16))
    probability_sample: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str] = mapped_column(String(8), default="zh")
    status: Mapped[str] = mapped_column(String(16), default=Status.PARTIAL, index=True)
    page: Mapped[int] = mapped_column(Integer, default=0)  # index of the next page to answer
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answers: Mapped[list[Answer]] = relationship(back_populates="response", cascade="all, delete-orphan")
    # Every use of a response needs its questionnaire version: load it in the same query.
    version: Mapped[QuestionnaireVersion] = relationship(lazy="joined", innerjoin=True)

    @hybrid_property
    def is_open(self) -> bool:
        """Still being answered (in SQL too: ``select(Response).where(Response.is_open)``)."""
        return self.status == Status.PARTIAL

    @property
    def is_eligible(self) -> bool:
        return self.status != Status.INELIGIBLE

    @property
    def status_label(self):
        """The bilingual label of the status (a :class:`questionnaires.Label`)."""
        return Status(self.status).label


class Answer(db.Model):
    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("response_id", "item", name="uq_answer_response_item"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    item: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Text)
    response: Mapped[Response] = relationship(back_populates="answers")


class PageSubmission(db.Model):
    """Each page POST carries a one-time key; a re-sent POST finds its key here and changes nothing."""

    __tablename__ = "page_submission"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), index=True)
    page: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
