"""Devices as sync sees them: what each has acknowledged, and tombstones nobody needs.

A device acknowledges a position by pulling from a checkpoint past it (the client stores the
checkpoint only after the documents). Tombstones at or below the lowest acknowledgement of
the active devices (seen within the retention window, not revoked) may be purged; a device
behind the purge is told to resync from scratch (``RESYNC_REQUIRED``, and a notice), never
left holding documents whose deletion it can no longer learn.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Base, ChangeCounter, Device, DeviceNotice, DeviceSync, SyncHorizon
from domain.models.base import utcnow
from sync.declaration import ScopeSpec, SyncedType
from sync.errors import ResyncRequired

RETENTION = timedelta(days=30)
REFRESH_SYNCED_AT = timedelta(minutes=1)


async def acknowledge(
    session: AsyncSession, scope: ScopeSpec, collection: str, position: int
) -> None:
    """Record the device's acknowledged position (a write only when it moved or went stale)."""
    assert scope.device_id is not None
    now = utcnow()
    row = await session.get(DeviceSync, (scope.device_id, collection))
    if row is None:
        session.add(
            DeviceSync(
                device_id=scope.device_id,
                collection=collection,
                community_id=scope.community_id,
                position=position,
                synced_at=now,
            )
        )
    elif row.position != position or now - row.synced_at > REFRESH_SYNCED_AT:
        row.position = position
        row.synced_at = now
    else:
        return
    device = await session.get(Device, scope.device_id)
    if device is not None:
        device.last_seen_at = now


async def check_horizon(
    session: AsyncSession, community_id: uuid.UUID, collection: str, position: int
) -> None:
    if position <= 0:
        return  # a first pull holds nothing that could be stale
    purged = await session.scalar(
        select(SyncHorizon.purged_through).where(
            SyncHorizon.community_id == community_id, SyncHorizon.collection == collection
        )
    )
    if purged is not None and position < purged:
        raise ResyncRequired(
            f"this device was offline too long: drop the local {collection} data and pull again"
        )


def _unreferenced(model: type[Base]) -> list[object]:
    """Tombstones still referenced by another row (a resident of a deleted household) stay."""
    table = model.__table__
    guards: list[object] = []
    for other in Base.metadata.sorted_tables:
        for key in other.foreign_keys:
            if key.column.table is table:
                guards.append(~exists().where(key.parent == table.c.id))
    return guards


async def compact(
    session: AsyncSession,
    community_id: uuid.UUID,
    collection: SyncedType,
    *,
    retention: timedelta = RETENTION,
    now: datetime | None = None,
) -> int:
    """Purge the tombstones every active device has passed; returns how many went."""
    now = now or utcnow()
    active = await session.scalar(
        select(func.min(DeviceSync.position))
        .join(Device, Device.id == DeviceSync.device_id)
        .where(
            DeviceSync.community_id == community_id,
            DeviceSync.collection == collection.name,
            DeviceSync.synced_at >= now - retention,
            Device.revoked_at.is_(None),
        )
    )
    if active is None:
        active = await session.scalar(
            select(ChangeCounter.last_position).where(ChangeCounter.community_id == community_id)
        )
    horizon = int(active or 0)
    model = collection.model
    purged = await session.execute(
        delete(model).where(
            model.community_id == community_id,
            model.deleted.is_(True),
            model.position <= horizon,
            *_unreferenced(model),  # type: ignore[arg-type]
        )
    )
    row = await session.get(SyncHorizon, (community_id, collection.name))
    if row is None:
        session.add(
            SyncHorizon(
                community_id=community_id, collection=collection.name, purged_through=horizon
            )
        )
    else:
        row.purged_through = max(row.purged_through, horizon)
    await _tell_stranded(session, community_id, collection.name, horizon)
    await session.flush()
    return int(purged.rowcount or 0)  # type: ignore[attr-defined]


async def _tell_stranded(
    session: AsyncSession, community_id: uuid.UUID, collection: str, horizon: int
) -> None:
    stranded = await session.scalars(
        select(DeviceSync.device_id)
        .join(Device, Device.id == DeviceSync.device_id)
        .where(
            DeviceSync.community_id == community_id,
            DeviceSync.collection == collection,
            DeviceSync.position < horizon,
            Device.revoked_at.is_(None),
        )
    )
    for device_id in stranded:
        session.add(
            DeviceNotice(
                community_id=community_id,
                device_id=device_id,
                kind="resync_required",
                collection=collection,
                document_id=None,
                code=ResyncRequired.code,
                message=f"offline too long: drop the local {collection} data and pull again",
            )
        )
