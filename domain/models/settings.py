"""Per-community rules of the council that the admin may tune (社区议事规则).

A community without a row uses the defaults below; the first change by its admin writes the
row. The defaults are the rules the council ran on before they became settings: a 7-day
rating window, a floor of 3.0, one rating enough, escalation to the cadre after 7 overdue
days and to the admin after 14.
"""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, Stamped

DEFAULT_RATING_WINDOW_DAYS = 7
DEFAULT_RATING_FLOOR = 3.0
DEFAULT_MINIMUM_RATINGS = 1
DEFAULT_ESCALATION_TO_CADRE_DAYS = 7
DEFAULT_ESCALATION_TO_ADMIN_DAYS = 14


class CommunitySettings(Stamped, Base):
    """The council's tunable rules for one community (one row at most per community)."""

    __tablename__ = "community_settings"
    __table_args__ = (
        CheckConstraint("rating_window_days BETWEEN 1 AND 60", name="window_range"),
        CheckConstraint("rating_floor BETWEEN 1 AND 5", name="floor_range"),
        CheckConstraint("minimum_ratings >= 1", name="minimum_positive"),
        CheckConstraint(
            "escalation_to_cadre_days >= 1 AND escalation_to_admin_days > escalation_to_cadre_days",
            name="escalation_order",
        ),
    )

    community_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("community.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    rating_window_days: Mapped[int] = mapped_column(
        Integer, nullable=False, default=DEFAULT_RATING_WINDOW_DAYS
    )
    rating_floor: Mapped[float] = mapped_column(Float, nullable=False, default=DEFAULT_RATING_FLOOR)
    minimum_ratings: Mapped[int] = mapped_column(
        Integer, nullable=False, default=DEFAULT_MINIMUM_RATINGS
    )
    escalation_to_cadre_days: Mapped[int] = mapped_column(
        Integer, nullable=False, default=DEFAULT_ESCALATION_TO_CADRE_DAYS
    )
    escalation_to_admin_days: Mapped[int] = mapped_column(
        Integer, nullable=False, default=DEFAULT_ESCALATION_TO_ADMIN_DAYS
    )
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("account.id"), nullable=True
    )
