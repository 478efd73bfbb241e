"""Geography (district -> street -> community) and the household frame.

A household's address is PII and lives in :class:`HouseholdContact`, apart from anything
that joins to answers.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


class District(db.Model):
    __tablename__ = "district"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    streets: Mapped[list[Street]] = relationship(back_populates="district")


class Street(db.Model):
    __tablename__ = "street"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    district: Mapped[District] = relationship(back_populates="streets")
    communities: Mapped[list[Community]] = relationship(back_populates="street")


class Community(db.Model):
    __tablename__ = "community"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    street_id: Mapped[int] = mapped_column(ForeignKey("street.id"), index=True)
    street: Mapped[Street] = relationship(back_populates="communities")
    households: Mapped[list[Household]] = relationship(back_populates="community")


class Household(db.Model):
    """One dwelling of the frame, identified by (community, building, unit)."""

    __tablename__ = "household"
    __table_args__ = (UniqueConstraint("community_id", "building", "unit", name="uq_household_dwelling"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    building: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(64))
    community: Mapped[Community] = relationship(back_populates="households")
    contact: Mapped[HouseholdContact | None] = relationship(back_populates="household", uselist=False)


class HouseholdContact(db.Model):
    """PII of a household, kept apart from answers and shown only to those who need it."""

    __tablename__ = "household_contact"
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), primary_key=True)
    address: Mapped[str] = mapped_column(String(500), default="")
    household: Mapped[Household] = relationship(back_populates="contact")
