"""Deciding rating windows (评菜期) that have ended: before every request, and periodically.

A window's end changes a topic's fate (kept closed, reopened, closed without enough ratings)
without anyone acting, so something must decide it. Every GraphQL request and ledger export
first asks one indexed question (is any window past its end still undecided?) and, only if
so, decides those windows in a short transaction of their own, so that no answer shows an
ended window as still running. The periodic sweep lands the decisions (and their history
entries, which carry the window's end as their time) even when nobody asks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from domain.database import Database
from domain.models.base import utcnow
from domain.services.rating_windows import any_due, settle_due

log = logging.getLogger("changlang.ratings")

TASK_NAME = "changlang-rating-sweep"


async def settle_ended_windows(db: Database, now: datetime | None = None) -> int:
    """Decide every ended window; one read when there is none, which is nearly always."""
    moment = now or utcnow()
    async with db.read() as session:
        if not await any_due(session, moment):
            return 0
    async with db.transaction() as session:
        decided = await settle_due(session, moment)
    if decided:
        log.info("rating windows decided: %d", decided)
    return decided


async def _every(db: Database, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await settle_ended_windows(db)
        except Exception:
            log.exception("the rating window sweep failed; it runs again after the interval")


@asynccontextmanager
async def periodic_rating_sweep(
    db: Database, interval_seconds: float
) -> AsyncIterator[asyncio.Task[None] | None]:
    """Sweep every ``interval_seconds`` while the block runs (never, when it is 0)."""
    if interval_seconds <= 0:
        yield None
        return
    task = asyncio.create_task(_every(db, interval_seconds), name=TASK_NAME)
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
