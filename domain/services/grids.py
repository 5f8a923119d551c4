"""The grid tree (网格 → 微网格): reading it, and the admin's changes to it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Conflict, InvalidInput, NotFound
from domain.i18n import N_, word
from domain.models import Grid, GridLevel, GridPost, Household
from domain.permissions import require_admin, require_login
from domain.principal import Principal
from domain.services.grid_order import reading_order
from domain.validation import clean_text

NAME_MAX = 100


async def community_grids(session: AsyncSession, community_id: uuid.UUID) -> list[Grid]:
    """Every live node of the community, in the order of siblings (``sort_key``)."""
    rows = await session.scalars(
        select(Grid)
        .where(Grid.community_id == community_id, Grid.deleted.is_(False))
        .order_by(Grid.sort_key, Grid.id)
    )
    return list(rows)


class TreeNode(Protocol):
    """A grid row, or what ``grid_tree_cache`` keeps of one."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def parent_id(self) -> uuid.UUID | None: ...


def subtree_ids(grids: Iterable[TreeNode], roots: Iterable[uuid.UUID]) -> frozenset[uuid.UUID]:
    """The given nodes and every node below them."""
    children: dict[uuid.UUID | None, list[uuid.UUID]] = {}
    for grid in grids:
        children.setdefault(grid.parent_id, []).append(grid.id)
    known = {grid.id for grid in grids}
    found: set[uuid.UUID] = set()
    stack = [root for root in roots if root in known]
    while stack:
        node = stack.pop()
        if node not in found:
            found.add(node)
            stack.extend(children.get(node, ()))
    return frozenset(found)


async def grid_tree(session: AsyncSession, principal: Principal | None) -> list[Grid]:
    """All grid nodes of the principal's community (the structure is not personal data), in
    reading order: top grids first, then each grid's micro-grids (``grid_order``)."""
    who = require_login(principal)
    return reading_order(await community_grids(session, who.community_id))


async def get_grid(session: AsyncSession, principal: Principal, grid_id: uuid.UUID) -> Grid:
    grid = await session.get(Grid, grid_id)
    if grid is None or grid.community_id != principal.community_id or grid.deleted:
        raise NotFound(N_("grid"), grid_id)
    return grid


async def subtree_of(
    session: AsyncSession, principal: Principal, grid_id: uuid.UUID
) -> frozenset[uuid.UUID]:
    grids = await community_grids(session, principal.community_id)
    found = subtree_ids(grids, [grid_id])
    if not found:
        raise NotFound(N_("grid"), grid_id)
    return found


async def create_grid(
    session: AsyncSession,
    principal: Principal | None,
    *,
    name: str,
    parent_id: uuid.UUID | None,
    grid_id: uuid.UUID | None = None,
) -> Grid:
    who = require_admin(principal)
    level = GridLevel.GRID
    if parent_id is not None:
        parent = await get_grid(session, who, parent_id)
        if parent.level is not GridLevel.GRID:
            raise InvalidInput("parentId", N_("a micro-grid cannot have children"))
        level = GridLevel.MICRO_GRID
    grid = Grid(
        id=grid_id or uuid.uuid4(),
        community_id=who.community_id,
        parent_id=parent_id,
        level=level,
        name=clean_text("name", name, max_length=NAME_MAX),
    )
    session.add(grid)
    await session.flush()
    return grid


async def update_grid(
    session: AsyncSession,
    principal: Principal | None,
    grid_id: uuid.UUID,
    changes: Mapping[str, Any],
) -> Grid:
    who = require_admin(principal)
    grid = await get_grid(session, who, grid_id)
    if "name" in changes:
        grid.name = clean_text("name", changes["name"], max_length=NAME_MAX)
    await session.flush()
    return grid


async def delete_grid(
    session: AsyncSession, principal: Principal | None, grid_id: uuid.UUID
) -> Grid:
    """Soft-delete an empty node; one that still has children, households or posts is refused."""
    who = require_admin(principal)
    grid = await get_grid(session, who, grid_id)
    for model, column, what in (
        (Grid, Grid.parent_id, N_("child grids")),
        (Household, Household.grid_id, N_("households")),
        (GridPost, GridPost.grid_id, N_("posts")),
    ):
        busy = await session.scalar(
            select(model.id).where(column == grid.id, model.deleted.is_(False)).limit(1)
        )
        if busy is not None:
            raise Conflict(N_("grid still has {what}; move or delete them first"), what=word(what))
    grid.deleted = True
    await session.flush()
    return grid
