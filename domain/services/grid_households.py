"""The households of grid nodes, a page per node, for many nodes in one statement.

``Grid.households`` under a list of grids (the tree a grid chief opens) would otherwise run
one page query per node. The tree has two levels (a 网格 and its 微网格), so a node's
households are those on the node itself and on its children: each household is paired with
both the node it is on and that node's parent (the "anchor"), and a window numbers the rows
per anchor in address order so that one statement returns the first page of every node.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, literal_column, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Grid, Household
from domain.pagination import Page, after_cursor, encode_cursor
from domain.permissions import household_pii_visible, households_visible
from domain.principal import Principal
from domain.services.households import ORDER


def _anchors(wanted: list[uuid.UUID]) -> Any:
    """(node, anchor) pairs: every asked node with itself, and each child with its parent."""
    return union_all(
        select(Grid.id.label("node"), Grid.id.label("anchor")).where(Grid.id.in_(wanted)),
        select(Grid.id.label("node"), Grid.parent_id.label("anchor")).where(
            Grid.parent_id.in_(wanted), Grid.deleted.is_(False)
        ),
    ).subquery("anchors")


async def household_counts_of_grids(
    session: AsyncSession, principal: Principal, grid_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """How many visible households each node holds (itself and below): one statement."""
    wanted = list(dict.fromkeys(grid_ids))
    anchors = _anchors(wanted)
    rows = await session.execute(
        select(anchors.c.anchor, func.count(Household.id))
        .join(anchors, anchors.c.node == Household.grid_id)
        .where(households_visible(principal))
        .group_by(anchors.c.anchor)
    )
    counts = {key: 0 for key in wanted}
    counts.update({anchor: int(count) for anchor, count in rows})
    return counts


async def households_of_grids(
    session: AsyncSession,
    principal: Principal,
    grid_ids: Sequence[uuid.UUID],
    *,
    first: int,
    after: str | None,
) -> dict[uuid.UUID, Page[Any]]:
    """For each of ``grid_ids``: its visible households (this node and below), by address."""
    wanted = list(dict.fromkeys(grid_ids))
    anchors = _anchors(wanted)
    place = func.row_number().over(partition_by=anchors.c.anchor, order_by=ORDER).label("place")
    ranked = (
        select(
            Household.id.label("household_id"),
            anchors.c.anchor,
            household_pii_visible(principal).label("room_visible"),
            place,
        )
        .join(anchors, anchors.c.node == Household.grid_id)
        .where(households_visible(principal))
    )
    if after is not None:
        ranked = ranked.where(after_cursor(ORDER, after))
    pages = ranked.subquery("ranked")
    rows = await session.execute(
        select(Household, pages.c.anchor, pages.c.room_visible)
        .join(pages, pages.c.household_id == Household.id)
        .where(pages.c.place <= first + 1)
        .order_by(pages.c.anchor, literal_column("place"))
    )
    found: dict[uuid.UUID, list[tuple[Household, bool]]] = {key: [] for key in wanted}
    for household, anchor, visible in rows:
        found[anchor].append((household, bool(visible)))
    return {key: _page(items, first, after) for key, items in found.items()}


def _page(items: list[tuple[Household, bool]], first: int, after: str | None) -> Page[Any]:
    shown = items[:first]
    return Page(
        items=shown,
        cursors=[encode_cursor((row.sort_key, row.id)) for row, _ in shown],
        has_next_page=len(items) > first,
        has_previous_page=after is not None,
    )
