"""民主决议箱: anonymous suggestions waiting in the box until a batch of them is released.

A row holds what was written and nothing about who or when: no account, resident, device,
position or timestamp column, only the calendar day it was dropped in (the box must know
when its oldest suggestion has waited long enough to be released alone). The id is random.
On SQLite the table has no rowid, so even its physical order is the random id's, not the
order of submission; a row is deleted when its topic is released.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, enum_type
from domain.models.council import ProposalCategory


class BoxSuggestion(Base):
    """One suggestion in the box (箱中建议): its content, the box (grid node) and the day."""

    __tablename__ = "box_suggestion"
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    community_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("community.id", ondelete="CASCADE"), index=True, nullable=False
    )
    grid_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("grid.id"), index=True, nullable=False
    )
    title: Mapped[str] = mapped_column(String(100), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    category: Mapped[ProposalCategory] = mapped_column(
        enum_type(ProposalCategory, "proposal_category"), nullable=False
    )
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    dropped_on: Mapped[date] = mapped_column(Date, nullable=False)
