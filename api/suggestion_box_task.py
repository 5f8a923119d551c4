"""The scheduled opening of the suggestion boxes (民主决议箱) each server process runs.

Without it a suggestion would wait until staff open its box; with it, every box that holds
the minimum (or whose oldest suggestion waited past the maximum age) is released on a
schedule that no one triggers, so even the staff cannot choose the moment. Each community
is released in its own transaction and announced once after it commits. Concurrent runs in
several workers are safe: the box's rows are locked and deleted by whoever releases them
first. A failed run is logged and the next one tries again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from domain.database import Database
from domain.services.suggestion_box import BoxRules, communities_waiting, release_due
from schema.council.box_events import announce_release
from schema.events import EventBus

log = logging.getLogger("changlang.suggestion_box")

TASK_NAME = "changlang-release-suggestion-boxes"


async def release_all(db: Database, rules: BoxRules, bus: EventBus) -> int:
    """Open every community's boxes by the rule; the number of topics released."""
    async with db.read() as session:
        communities = await communities_waiting(session)
    released = 0
    for community_id in communities:
        async with db.transaction() as session:
            release = await release_due(session, community_id, rules)
        await announce_release(bus, release)
        released += len(release.proposal_ids)
    return released


async def _every(
    db: Database, interval: float, rules: BoxRules, bus: Callable[[], EventBus]
) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            released = await release_all(db, rules, bus())
            log.info("suggestion boxes opened on schedule: %d topics released", released)
        except Exception:
            log.exception("opening the suggestion boxes failed; it runs again next interval")


@asynccontextmanager
async def periodic_release(
    db: Database, interval_seconds: float, rules: BoxRules, bus: Callable[[], EventBus]
) -> AsyncIterator[asyncio.Task[None] | None]:
    """Open the boxes every ``interval_seconds`` while the block runs (never, when it is 0)."""
    if interval_seconds <= 0:
        yield None
        return
    task = asyncio.create_task(_every(db, interval_seconds, rules, bus), name=TASK_NAME)
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
