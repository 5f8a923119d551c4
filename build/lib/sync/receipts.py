"""Which pushed rows a device has already had applied: a late or duplicated delivery is
answered, never merged a second time.

A phone whose answer was lost sends the row again; a network can also deliver an old push
after the device's newer ones. Merged again, such a row is a three-way merge against a base
the master has long left: policies that keep both sides (a tag union, both note texts, the
device winning a field) would bring an old value back over a newer one. A receipt, keyed by
the device and a digest of the row's assumed and new state (the assumed state carries the
master's position, so a genuinely new edit never shares a digest), makes the second delivery
a read. Sealed fields are left out of the digest: a secret choice is never hashed beside the
device that recorded it.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import SyncPushReceipt
from domain.models.base import utcnow
from sync.declaration import ScopeSpec


def digest(collection: str, assumed: dict[str, Any] | None, new: dict[str, Any]) -> str:
    return hashlib.sha256(
        orjson.dumps([collection, assumed, new], option=orjson.OPT_SORT_KEYS)
    ).hexdigest()


async def already_applied(
    session: AsyncSession, scope: ScopeSpec, digests: Iterable[str]
) -> set[str]:
    wanted = sorted(set(digests))
    if scope.device_id is None or not wanted:
        return set()
    found = await session.scalars(
        select(SyncPushReceipt.digest).where(
            SyncPushReceipt.device_id == scope.device_id, SyncPushReceipt.digest.in_(wanted)
        )
    )
    return set(found)


async def record(
    session: AsyncSession, scope: ScopeSpec, collection: str, applied: Mapping[str, uuid.UUID]
) -> None:
    """In the caller's transaction: a receipt (digest -> document) exists exactly when its row
    was applied. A concurrent copy of the same push that got there first is no error."""
    if scope.device_id is None or not applied:
        return
    now = utcnow()
    rows = [
        {
            "device_id": scope.device_id,
            "digest": value,
            "community_id": scope.community_id,
            "collection": collection,
            "document_id": applied[value],
            "received_at": now,
        }
        for value in sorted(applied)
    ]
    connection = await session.connection()
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    await connection.execute(insert(SyncPushReceipt).on_conflict_do_nothing(), rows)


async def recently_pushed(
    session: AsyncSession, scope: ScopeSpec, collection: str, since: datetime, limit: int
) -> list[uuid.UUID]:
    """The documents of ``collection`` this device pushed since ``since``, newest first."""
    if scope.device_id is None:
        return []
    found = await session.execute(
        select(SyncPushReceipt.document_id, func.max(SyncPushReceipt.received_at))
        .where(
            SyncPushReceipt.device_id == scope.device_id,
            SyncPushReceipt.collection == collection,
            SyncPushReceipt.received_at >= since,
        )
        .group_by(SyncPushReceipt.document_id)
        .order_by(func.max(SyncPushReceipt.received_at).desc())
        .limit(limit)
    )
    return [document_id for document_id, _ in found]


async def forget(session: AsyncSession, community_id: uuid.UUID, before: datetime) -> int:
    """Receipts older than the retention window (and a day): a device that old resyncs."""
    result = await session.execute(
        delete(SyncPushReceipt).where(
            SyncPushReceipt.community_id == community_id, SyncPushReceipt.received_at < before
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


RETENTION_SLACK = timedelta(days=1)
"""Receipts outlive the tombstone retention by this much (a delivery in flight at the edge)."""
