"""The order in which people read the grid tree (网格 → 微网格), and staff setting it.

Siblings follow their ``sort_key`` (``domain.models.Grid``): the order staff gave them with
``reorder_grids``, else their names with numerals read as numbers (第一, 第二 … 第十一). The
whole tree reads top grids first, then each grid's micro-grids, grid by grid, in that order.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InvalidInput, NotFound, PermissionDenied
from domain.i18n import N_
from domain.models import Grid
from domain.permissions import require_login
from domain.principal import Principal

REORDER_MAX = 1000
"""More siblings than this under one node is not a grid tree a person can read."""


def sibling_order(grid: Grid) -> tuple[str, str]:
    return (grid.sort_key, str(grid.id))


def reading_order(grids: Iterable[Grid]) -> list[Grid]:
    """Top grids in their order, then the micro-grids grouped under their grids in the grids'
    order, each group in its own order (a node whose parent is missing sorts as a top one)."""
    nodes = list(grids)
    known = {grid.id: grid for grid in nodes}

    def key(grid: Grid) -> tuple[bool, tuple[str, str], tuple[str, str]]:
        parent = known.get(grid.parent_id) if grid.parent_id else None
        if parent is None:
            return (False, sibling_order(grid), ("", ""))
        return (True, sibling_order(parent), sibling_order(grid))

    return sorted(nodes, key=key)


def _may_reorder(who: Principal, parent_id: uuid.UUID | None) -> None:
    if who.is_admin:
        return
    if parent_id is None or not who.is_staff or not who.covers(parent_id):
        raise PermissionDenied(
            N_("only the admin or staff whose post covers the parent node may reorder its grids")
        )


async def reorder_grids(
    session: AsyncSession,
    principal: Principal | None,
    parent_id: uuid.UUID | None,
    ids: Sequence[uuid.UUID],
) -> list[Grid]:
    """Give the children of ``parent_id`` (the top grids when None) the order of ``ids``.

    ``ids`` lists every child exactly once; an empty list takes the explicit order away, so
    that the children sort by name again. Returns the children in their new order.
    """
    who = require_login(principal)
    _may_reorder(who, parent_id)
    if parent_id is not None:
        parent = await session.get(Grid, parent_id)
        if parent is None or parent.community_id != who.community_id or parent.deleted:
            raise NotFound(N_("grid"), parent_id)
    if len(ids) > REORDER_MAX:
        raise InvalidInput("ids", N_("at most {limit} grids at once"), limit=REORDER_MAX)
    children = {
        grid.id: grid
        for grid in await session.scalars(
            select(Grid).where(
                Grid.community_id == who.community_id,
                Grid.parent_id.is_(None) if parent_id is None else Grid.parent_id == parent_id,
                Grid.deleted.is_(False),
            )
        )
    }
    if ids and (len(ids) != len(set(ids)) or set(ids) != set(children)):
        raise InvalidInput(
            "ids",
            N_("list every grid under the node exactly once, or none to order them by name"),
        )
    places = {grid_id: place for place, grid_id in enumerate(ids, start=1)}
    for grid in children.values():
        grid.sort_order = places.get(grid.id)
    await session.flush()
    return sorted(children.values(), key=sibling_order)
