"""The periodic tombstone compaction each server process runs while it serves.

Without it tombstones (records of rows that moved between grid nodes, refused rows) pile up forever
and every first sync of a phone pulls them all. Every worker runs the task; the first run
comes a minute after start (or after one interval, if shorter), so that short-lived
processes and frequent restarts still compact, and concurrent runs are safe
(``sync.compaction`` takes a per-community lock on PostgreSQL). A failed run is logged and
the next one tries again: the server keeps serving either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from domain.database import Database
from sync.compaction import compact_all
from sync.refusals import RETENTION as REFUSED_RETENTION

log = logging.getLogger("changlang.compaction")

FIRST_RUN_SECONDS = 60.0
TASK_NAME = "changlang-compact-sync"


async def _every(
    db: Database, interval: float, retention: timedelta, refused_retention: timedelta
) -> None:
    await asyncio.sleep(min(interval, FIRST_RUN_SECONDS))
    while True:
        try:
            done = await compact_all(db, retention=retention, refused_retention=refused_retention)
            log.info(
                "sync compaction: %d communities (%d left to another process), "
                "%d tombstones, %d departure records and %d refused rows purged",
                done.communities,
                done.skipped,
                done.tombstones,
                done.departures,
                done.refusals,
            )
        except Exception:
            log.exception("sync compaction failed; it runs again after the next interval")
        await asyncio.sleep(interval)


@asynccontextmanager
async def periodic_compaction(
    db: Database,
    interval_seconds: float,
    retention: timedelta,
    refused_retention: timedelta = REFUSED_RETENTION,
) -> AsyncIterator[asyncio.Task[None] | None]:
    """Compact every ``interval_seconds`` while the block runs (never, when it is 0)."""
    if interval_seconds <= 0:
        yield None
        return
    task = asyncio.create_task(
        _every(db, interval_seconds, retention, refused_retention), name=TASK_NAME
    )
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
