"""Households (户) and the residents (居民) who live in them."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, String, Uuid, event, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, Synced, enum_type, sort_key_type
from domain.natural_order import KEY_MAX, composite_key


class Household(Synced, Base):
    """户: an address in a micro-grid, with its one assigned red grid contact (联系人).

    ``delegate_resident_id`` is who casts the household's ballot on one-per-household votes.
    ``sort_key`` orders addresses as they are read on the building (2单元 < 10单元, room 101
    < 102 < 1001; ``domain.natural_order``): recomputed on every flush that changes the
    address, whether the API, the register import, a phone's push or the demo wrote it.
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
        Index("ix_household_address_order", "community_id", "sort_key", "id"),
    )

    grid_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("grid.id"), nullable=False)
    """Indexed with the address order (``ix_household_grid_order``, ``domain.models.listings``)."""
    building: Mapped[str] = mapped_column(String(20), nullable=False)
    unit: Mapped[str] = mapped_column(String(20), nullable=False)
    room: Mapped[str] = mapped_column(String(20), nullable=False)
    contact_post_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("grid_post.id", use_alter=True), index=True, nullable=True
    )
    delegate_resident_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("resident.id", use_alter=True), nullable=True
    )
    sort_key: Mapped[str] = mapped_column(sort_key_type(KEY_MAX), nullable=False, default="")


@event.listens_for(Household, "before_insert")
@event.listens_for(Household, "before_update")
def _household_sort_key(_mapper: Any, _connection: Any, household: Household) -> None:
    household.sort_key = composite_key((household.building, household.unit, household.room))


class Gender(StrEnum):
    """性别 as the register records it; ``unknown`` when a row leaves it blank."""

    MALE = "male"
    FEMALE = "female"
    UNKNOWN = "unknown"


class Relation(StrEnum):
    """与户主关系. ``head`` (户主/本人) is the household's head: at most one per household,
    which the resident services enforce (a second head is refused, not silently demoted)."""

    HEAD = "head"
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    GRANDPARENT = "grandparent"
    GRANDCHILD = "grandchild"
    SIBLING = "sibling"
    OTHER = "other"


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
    """Words of the community's vocabulary (``Community.resident_tags``), sorted."""
    party_member: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    political_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    """政治面貌 as written (中共党员, 共青团员, 群众…); ``party_member`` is what rules read."""
    gender: Mapped[Gender] = mapped_column(
        enum_type(Gender, "gender"), nullable=False, default=Gender.UNKNOWN
    )
    relation_to_head: Mapped[Relation | None] = mapped_column(
        enum_type(Relation, "relation_to_head"), nullable=True
    )
