"""A community's grid tree, kept per process and checked against the database each request.

Every request needs the nodes its asker's posts cover, which takes the community's whole
tree (110 rows in a district-sized community); the tree changes a few times a year. So the
statement that loads the principal also reads the tree's version, the newest change position
and the number of the community's grid rows (one look-up in ``ix_grid_sync``), and the tree
is read again only when that version differs from the one kept. Every write to a grid
stamps a new position (``domain.positions``), on whichever server process made it, so a
moved, added or deleted node is seen by the next request everywhere: no listener, no expiry.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from domain.models import Grid

KEPT_MAX = 1024
"""Communities whose tree one process keeps; past it the cache starts again (no LRU: a
server serves one district's few dozen communities)."""


@dataclass(frozen=True)
class Node:
    id: uuid.UUID
    parent_id: uuid.UUID | None


Version = tuple[int, int]
"""The newest change position among the community's grid rows, and how many there are."""

_kept: dict[tuple[str, uuid.UUID], tuple[Version, tuple[Node, ...]]] = {}


def version_columns(
    community_id: InstrumentedAttribute[uuid.UUID],
) -> tuple[ColumnElement[Any], ...]:
    """The tree's version, as columns for the caller's own statement."""
    of_community = Grid.community_id == community_id
    newest = select(func.coalesce(func.max(Grid.position), 0)).where(of_community)
    count = select(func.count()).select_from(Grid).where(of_community)
    return (
        newest.correlate_except(Grid).scalar_subquery().label("tree_position"),
        count.correlate_except(Grid).scalar_subquery().label("tree_rows"),
    )


async def live_nodes(
    session: AsyncSession, community_id: uuid.UUID, version: Version, *, keep: bool
) -> tuple[Node, ...]:
    """The community's live nodes as of ``version``: kept, or read now (one statement).

    ``keep`` only from a transaction that has written nothing: one that wrote a grid sees
    its own rows, and if it rolls back, a later commit may stamp the same position and reach
    the same count with another tree. Committed positions are never reused (the counter
    row is locked until commit), so a version read without writes names one tree."""
    key = (str(session.get_bind().engine.url), community_id)
    kept = _kept.get(key)
    if kept is not None and kept[0] == version:
        return kept[1]
    rows = await session.execute(
        select(Grid.id, Grid.parent_id).where(
            Grid.community_id == community_id, Grid.deleted.is_(False)
        )
    )
    nodes = tuple(Node(id=row.id, parent_id=row.parent_id) for row in rows)
    if not keep:
        return nodes
    if len(_kept) >= KEPT_MAX:
        _kept.clear()
    _kept[key] = (version, nodes)
    return nodes
