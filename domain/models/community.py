"""The community and its red grid (红色网格): the territory tree and the posts on it."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Uuid, event
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, Stamped, Synced, enum_type, sort_key_type
from domain.natural_order import KEY_MAX, explicit_key

DEFAULT_RESIDENT_TAGS = (
    "独居老人",
    "高龄老人",
    "空巢老人",
    "残疾人",
    "低保户",
    "困难家庭",
    "退役军人",
    "儿童",
    "孕产妇",
    "重点关注",
)
"""A new community's vocabulary: the groups a grid worker looks after first."""


class Community(Stamped, Base):
    """社区: a residential community, the unit that governs itself."""

    __tablename__ = "community"

    name: Mapped[str] = mapped_column(String(100), nullable=False)
    resident_tags: Mapped[list[str]] = mapped_column(
        JSON, nullable=False, default=lambda: list(DEFAULT_RESIDENT_TAGS)
    )
    """The words staff may tag residents with (标签), in the admin's order: communities name
    their priority groups (一老一小一弱一特) differently, so the list is theirs to edit."""


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
    """A node of the grid tree (网格 / 微网格). Top nodes are grids; their children micro-grids.

    Siblings are read in ``sort_key`` order: their explicit place (``sort_order``, set by staff
    with ``reorder_grids``) if they have one, else their name read with its numerals as
    numbers (第二 < 第十一; ``domain.natural_order``). The key is recomputed on every flush
    that changes the name or the place, whichever code path made the change.
    """

    __tablename__ = "grid"
    __table_args__ = (Index("ix_grid_siblings", "community_id", "parent_id", "sort_key"),)

    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("grid.id"), index=True, nullable=True
    )
    level: Mapped[GridLevel] = mapped_column(enum_type(GridLevel, "grid_level"), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    sort_order: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sort_key: Mapped[str] = mapped_column(sort_key_type(KEY_MAX), nullable=False, default="")


@event.listens_for(Grid, "before_insert")
@event.listens_for(Grid, "before_update")
def _grid_sort_key(_mapper: Any, _connection: Any, grid: Grid) -> None:
    grid.sort_key = explicit_key(grid.sort_order, grid.name)


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
