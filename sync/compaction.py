"""Compaction of a whole database: what ``changlang compact-sync`` and the server run.

Each community in its own transaction: every collection's tombstones up to its horizon
(``sync.devices``), then the departure records (rows that moved between grid nodes) at or
below the lowest of those horizons, then push receipts older than the retention window
(``sync.receipts``), holdings released before it (``sync.holdings``), and refused rows older
than theirs (their notices retired as tombstones, ``sync.refusals``). Every server process
runs the periodic task, so on PostgreSQL a transaction-level lock per community lets one
process do the work while the others skip it; running it twice in a row is harmless (the
second finds nothing new).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.database import Database
from domain.dialect import try_transaction_lock
from domain.models import Community
from domain.models.base import utcnow
from sync import holdings, receipts, refusals
from sync.collections import COLLECTIONS
from sync.devices import RETENTION, horizon, purge, purge_departures
from sync.receipts import RETENTION_SLACK


@dataclass(frozen=True)
class Compacted:
    """What a run did: communities compacted, skipped (another process held them), and the
    tombstones and departure records purged."""

    communities: int = 0
    skipped: int = 0
    tombstones: int = 0
    departures: int = 0
    receipts: int = 0
    refusals: int = 0

    def __add__(self, other: Compacted) -> Compacted:
        return Compacted(
            self.communities + other.communities,
            self.skipped + other.skipped,
            self.tombstones + other.tombstones,
            self.departures + other.departures,
            self.receipts + other.receipts,
            self.refusals + other.refusals,
        )


async def compact_community(
    session: AsyncSession,
    community_id: uuid.UUID,
    *,
    retention: timedelta,
    now: datetime,
    refused_retention: timedelta = refusals.RETENTION,
) -> Compacted:
    if not await try_transaction_lock(session, f"compact-sync:{community_id}"):
        return Compacted(skipped=1)
    tombstones = 0
    lowest: int | None = None
    for collection in COLLECTIONS.values():
        through = await horizon(
            session, community_id, collection.name, retention=retention, now=now
        )
        tombstones += await purge(session, community_id, collection, through)
        lowest = through if lowest is None else min(lowest, through)
    departures = await purge_departures(session, community_id, lowest or 0)
    forgotten = await receipts.forget(session, community_id, now - retention - RETENTION_SLACK)
    await holdings.forget(session, community_id, now - retention)
    refused = await refusals.forget(session, community_id, now - refused_retention)
    return Compacted(1, 0, tombstones, departures, forgotten, refused)


async def compact_all(
    db: Database,
    *,
    retention: timedelta = RETENTION,
    now: datetime | None = None,
    refused_retention: timedelta = refusals.RETENTION,
) -> Compacted:
    """Compact every community, each in its own short transaction."""
    now = now or utcnow()
    async with db.read() as session:
        communities = list(await session.scalars(select(Community.id).order_by(Community.id)))
    done = Compacted()
    for community_id in communities:
        async with db.transaction() as session:
            done += await compact_community(
                session,
                community_id,
                retention=retention,
                now=now,
                refused_retention=refused_retention,
            )
    return done
