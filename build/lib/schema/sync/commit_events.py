"""Every committed write announced to live streams, whichever code path made it.

The database hands its commit listeners the (community, table) pairs a transaction wrote
(``domain.changes``): a sync push, an ordinary mutation, the conflict inbox, a CLI import. This
listener publishes one event per community on its sync channel, naming the collections those
tables feed. A stream wakes on any such event and pulls past its own checkpoint (scope changes
and moves touch other collections than the table written, so it does not filter by name), so
one event per commit and community is enough however many rows the commit wrote. A device
revocation writes no synced row and names no collection: its event only makes the streams
re-check their access.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from functools import cache

from domain.changes import Change, CommitListener
from schema.events import EventBus, sync_channel
from sync.collections import COLLECTIONS


@cache
def _collections_by_table() -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = defaultdict(list)
    for name, collection in COLLECTIONS.items():
        found[str(collection.model.__tablename__)].append(name)  # type: ignore[attr-defined]
    return {table: tuple(names) for table, names in found.items()}


def collections_of(table: str) -> tuple[str, ...]:
    """The synced collections a table feeds (none for bookkeeping tables)."""
    return _collections_by_table().get(table, ())


def sync_event_publisher(bus: Callable[[], EventBus]) -> CommitListener:
    """A commit listener publishing on ``bus()`` (looked up per commit: the server swaps its
    in-process bus for the PostgreSQL one when it starts)."""

    async def publish(changes: frozenset[Change]) -> None:
        by_community: dict[uuid.UUID, set[str]] = defaultdict(set)
        for change in changes:
            by_community[change.community_id].update(collections_of(change.table))
        events = bus()
        for community_id, names in sorted(by_community.items()):
            payload = {"collections": sorted(names), "reemit": []}
            await events.publish(sync_channel(community_id), payload)

    return publish
