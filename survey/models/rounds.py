"""Survey rounds, the communities of a round's draw, its sampled households, and the tables of its weights.

A round (``survey_round``) is one wave of the survey: a questionnaire version, field dates, a sample design and a
status (``planned -> in_field -> closed``).  Exactly one round is *current* (``is_current`` is true on one row and
NULL on every other; the unique constraint lets the database, not process memory, keep it so).  Design and
formulas: ``shared/design/rounds-and-weights.md``.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from analysis import DESIGNS

from ..extensions import db
from ._common import one_of, utcnow
from .geo import Community, Household
from .questionnaire import QuestionnaireVersion

__all__ = ["HouseholdWeight", "Margin", "Round", "RoundCommunity", "RoundStatus", "SampledHousehold", "WeightRun"]


class RoundStatus(StrEnum):
    """The life of a round, declared once (the CHECK constraint is built from it)."""

    PLANNED = "planned"  # drawn, door-hangers may be printed; accepts no answers yet
    IN_FIELD = "in_field"  # accepts answers
    CLOSED = "closed"  # accepts no answers, ever again

    @property
    def label(self) -> str:
        return {"planned": "计划中 Planned", "in_field": "调查中 In the field", "closed": "已结束 Closed"}[self.value]


class Round(db.Model):
    __tablename__ = "survey_round"
    __table_args__ = (
        one_of("status", RoundStatus),
        one_of("design", DESIGNS),
        CheckConstraint("is_current IS NULL OR is_current", name="current_true_or_null"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    questionnaire_version_id: Mapped[int | None] = mapped_column(ForeignKey("questionnaire_version.id"))
    field_start: Mapped[date | None] = mapped_column(Date)
    field_end: Mapped[date | None] = mapped_column(Date)
    design: Mapped[str] = mapped_column(String(16))
    # The draw's parameters as given (per_community, proportional, sizes, buildings, per_building, pps, reserve)
    # and the frame it saw (``frame_max_household``), so the draw can be replayed exactly.
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)
    seed: Mapped[int] = mapped_column(BigInteger, default=0)
    generator: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16), default=RoundStatus.PLANNED)
    is_current: Mapped[bool | None] = mapped_column(unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Last change of the round's sample or answers: weights older than this are recomputed.
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[QuestionnaireVersion | None] = relationship()

    @property
    def status_label(self) -> str:
        return RoundStatus(self.status).label

    @property
    def accepts_answers(self) -> bool:
        return self.status == RoundStatus.IN_FIELD

    @property
    def is_closed(self) -> bool:
        return self.status == RoundStatus.CLOSED


class RoundCommunity(db.Model):
    """A community as the round's draw saw it: N_c and B_c at the draw, n asked, replicates drawn and released."""

    __tablename__ = "round_community"
    __table_args__ = (UniqueConstraint("round_id", "community_id", name="uq_round_community"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_round.id", ondelete="CASCADE"))
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    households: Mapped[int] = mapped_column(Integer)  # N_c
    buildings: Mapped[int] = mapped_column(Integer)  # B_c
    asked: Mapped[int | None] = mapped_column(Integer)  # n_c asked (take-all: None)
    replicates: Mapped[int] = mapped_column(Integer, default=1)  # replicates drawn (main sample + reserves)
    released: Mapped[int] = mapped_column(Integer, default=1)  # replicates released
    note: Mapped[str] = mapped_column(Text, default="")  # e.g. a shortfall: fewer households than asked
    community: Mapped[Community] = relationship()


class SampledHousehold(db.Model):
    """A household a round drew, with its replicate and selection probabilities (NULL while not released)."""

    __tablename__ = "sampled_household"
    __table_args__ = (UniqueConstraint("round_id", "household_id", name="uq_sampled_household_round_household"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_round.id", ondelete="CASCADE"))
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    replicate: Mapped[int] = mapped_column(Integer, default=1)
    released: Mapped[bool] = mapped_column(default=True)
    probability: Mapped[float | None] = mapped_column(Float)  # pi_h of the released sample
    building_probability: Mapped[float] = mapped_column(Float, default=1.0)  # first-stage pi of its building
    household: Mapped[Household] = relationship()


class Margin(db.Model):
    """A population margin of a round (``scope,variable,category,total``; scope a district code or ``*``)."""

    __tablename__ = "round_margin"
    __table_args__ = (UniqueConstraint("round_id", "scope", "variable", "category", name="uq_round_margin"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_round.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(32))
    variable: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(64))
    total: Mapped[float] = mapped_column(Float)


class WeightRun(db.Model):
    """One computation of a round's weights, with the parameters that produced it."""

    __tablename__ = "weight_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_round.id", ondelete="CASCADE"), index=True)
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)
    # What the weights page shows: per-community and overall summaries, margins achieved vs targets, merges.
    diagnostics: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class HouseholdWeight(db.Model):
    """Each sampled household's factors and weights after each step of the chain (NULL where a step does not
    apply)."""

    __tablename__ = "household_weight"
    # One row per sampled household and run; the key is the only index and the run the only foreign key (a
    # million rows load by COPY; a per-row check against sampled_household would double the load: the rows
    # are written from that table in the same transaction, and go with their run, which goes with its round).
    run_id: Mapped[int] = mapped_column(ForeignKey("weight_run.id", ondelete="CASCADE"), primary_key=True)
    sampled_household_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    base_weight: Mapped[float | None] = mapped_column(Float)
    unknown_factor: Mapped[float | None] = mapped_column(Float)
    nonresponse_factor: Mapped[float | None] = mapped_column(Float)
    adults: Mapped[int | None] = mapped_column(Integer)
    person_factor: Mapped[float | None] = mapped_column(Float)
    calibration_factor: Mapped[float | None] = mapped_column(Float)
    final_weight: Mapped[float | None] = mapped_column(Float)
    weight_class: Mapped[str | None] = mapped_column(String(64))
