"""Households (户) and the residents (居民) who live in them."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, Synced


class Household(Synced, Base):
    """户: an address in a micro-grid, with its one assigned red grid contact (联系人).

    ``delegate_resident_id`` is who casts the household's ballot on one-per-household votes.
    """

    __tablename__ = "household"
    __table_args__ = (
        Index(
            "uq_household_address",
            "community_id",
            "building",
            "unit",
            "room",
            unique=True,
            sqlite_where=text("deleted = 0"),
            postgresql_where=text("NOT deleted"),
        ),
    )

    grid_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("grid.id"), index=True, nullable=False
    )
    building: Mapped[str] = mapped_column(String(20), nullable=False)
    unit: Mapped[str] = mapped_column(String(20), nullable=False)
    room: Mapped[str] = mapped_column(String(20), nullable=False)
    contact_post_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("grid_post.id", use_alter=True), index=True, nullable=True
    )
    delegate_resident_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("resident.id", use_alter=True), nullable=True
    )


class ResidentTag(StrEnum):
    """一老一小一弱一特: the priority groups grid workers look after first."""

    ELDERLY = "elderly"
    CHILD = "child"
    VULNERABLE = "vulnerable"
    SPECIAL_NEEDS = "special_needs"


class Resident(Synced, Base):
    """居民. The ID number is stored encrypted, with a keyed hash for look-up and a masked copy."""

    __tablename__ = "resident"
    __table_args__ = (
        Index(
            "uq_resident_id_number",
            "community_id",
            "id_number_hash",
            unique=True,
            sqlite_where=text("deleted = 0 AND id_number_hash IS NOT NULL"),
            postgresql_where=text("NOT deleted AND id_number_hash IS NOT NULL"),
        ),
    )

    household_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("household.id"), index=True, nullable=False
    )
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    id_number_cipher: Mapped[str | None] = mapped_column(String(200), nullable=True)
    id_number_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    id_number_masked: Mapped[str | None] = mapped_column(String(18), nullable=True)
    birth_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    tags: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    party_member: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
