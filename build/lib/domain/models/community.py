"""The community and its red grid (红色网格): the territory tree and the posts on it."""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, Stamped, Synced, enum_type


class Community(Stamped, Base):
    """社区: a residential community, the unit that governs itself."""

    __tablename__ = "community"

    name: Mapped[str] = mapped_column(String(100), nullable=False)


class ChangeCounter(Base):
    """The last change position handed out in a community.

    Writers increment it inside their own transaction, so the row lock orders positions by
    commit: a reader never sees position n+1 committed while n is still to come.
    """

    __tablename__ = "change_counter"

    community_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("community.id", ondelete="CASCADE"), primary_key=True
    )
    last_position: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)


class GridLevel(StrEnum):
    """Levels of the territory tree below the community."""

    GRID = "grid"  # 网格: a group of buildings
    MICRO_GRID = "micro_grid"  # 微网格: a building or stairwell


class Grid(Synced, Base):
    """A node of the grid tree (网格 / 微网格). Top nodes are grids; their children micro-grids."""

    __tablename__ = "grid"

    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("grid.id"), index=True, nullable=True
    )
    level: Mapped[GridLevel] = mapped_column(enum_type(GridLevel, "grid_level"), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)


class PostRole(StrEnum):
    """The five levels of the red grid chain (五级红色网格)."""

    CADRE = "cadre"  # 包联社区干部
    GRID_CHIEF = "grid_chief"  # 网格长
    DEPUTY_CHIEF = "deputy_chief"  # 副网格长
    GRID_MEMBER = "grid_member"  # 网格员
    MICRO_GRID_MEMBER = "micro_grid_member"  # 红色微网格员


class GridPost(Synced, Base):
    """定岗定责: an account holding one role on one grid node; it covers that node's subtree."""

    __tablename__ = "grid_post"

    grid_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("grid.id"), index=True, nullable=False
    )
    account_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("account.id"), index=True, nullable=False
    )
    role: Mapped[PostRole] = mapped_column(enum_type(PostRole, "post_role"), nullable=False)
