"""ID numbers registered twice where the registrar may not learn so (PIPL: no existence oracle)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.models.base import Base, InCommunity, UTCDateTime
from domain.models.households import Resident


class DuplicateStatus(StrEnum):
    OPEN = "open"  # the admin has to decide
    MERGED = "merged"  # the same person: the new record was removed
    DISMISSED = "dismissed"  # not the same person: the new record's ID number was cleared


class DuplicateReview(InCommunity, Base):
    """查重: staff who do not cover a resident registered someone else with that resident's ID
    number. They were answered as for any new number (telling them would confirm that the
    number exists and belongs to someone in the community); the admin reviews the pair.

    The new record keeps the masked number (what its registrar typed) but no look-up hash,
    so the number still finds only its first holder.
    """

    __tablename__ = "duplicate_review"

    resident_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("resident.id"), index=True, nullable=False
    )
    existing_resident_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("resident.id"), nullable=False
    )
    reported_by_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("account.id"), nullable=False
    )
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=DuplicateStatus.OPEN)
    resolved_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("account.id"), nullable=True
    )
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    resident: Mapped[Resident] = relationship(foreign_keys=[resident_id], lazy="raise")
    """Set on creation so that one flush inserts the new resident first."""
