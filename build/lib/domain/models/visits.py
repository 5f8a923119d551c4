"""民情日记: the field diary a grid worker keeps of household visits (一事一访)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, Synced, UTCDateTime, enum_type


class VisitCategory(StrEnum):
    """What a visit was about; the report's recurring kinds of need and opinion."""

    ROUTINE = "routine"  # a regular call on the household
    NEED = "need"  # a need to follow up (repairs, care, paperwork)
    OPINION = "opinion"  # an opinion on community affairs
    DISPUTE = "dispute"  # a quarrel between neighbours to mediate
    CARE = "care"  # 一老一小一弱一特: looking after a priority group
    OTHER = "other"


class VisitNote(Synced, Base):
    """One entry of the 民情日记, written on a phone, often offline.

    ``visited_at`` is the device's clock: shown, never used to order anything.
    """

    __tablename__ = "visit_note"
    household_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("household.id"), index=True, nullable=False
    )
    author_account_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("account.id"), nullable=False
    )
    category: Mapped[VisitCategory] = mapped_column(
        enum_type(VisitCategory, "visit_category"), nullable=False
    )
    text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    follow_up: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    visited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
