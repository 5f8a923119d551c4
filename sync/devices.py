"""Devices as sync sees them: what each has acknowledged, and tombstones nobody needs.

A device acknowledges a position by pulling from a checkpoint past it (the client stores the
checkpoint only after the documents). Tombstones (and departure records, ``SyncDeparture``)
at or below the lowest acknowledgement of the active devices (seen within the retention
window, not revoked) may be purged; a device behind the purge is told to resync from scratch
(``RESYNC_REQUIRED``, and a notice), never left holding documents whose deletion it can no
longer learn.

Who is behind is judged per device, when it pulls: compaction marks the devices it leaves
behind (``STRANDED``), and a marked device may pull only from scratch. A position alone
cannot tell: a phone that began its first sync after a purge passes through positions below
it page by page, exactly like a phone that slept through the purge. Only a device with no
record of its own (a new device id on a phone that kept its data) is judged by the position
it presents against the purge line (``SyncHorizon``).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.i18n import N_, word
from domain.models import (
    Base,
    ChangeCounter,
    Device,
    DeviceNotice,
    DeviceSync,
    SyncDeparture,
    SyncHorizon,
)
from domain.models.base import utcnow
from sync import notices
from sync.declaration import ScopeSpec, SyncedType
from sync.errors import ResyncRequired

RETENTION = timedelta(days=30)
REFRESH_SYNCED_AT = timedelta(minutes=1)
STRANDED = -1
"""``DeviceSync.position`` of a device a compaction left behind: until it pulls from scratch
(position 0) every pull of that collection answers ``RESYNC_REQUIRED``."""


async def acknowledge(
    session: AsyncSession, scope: ScopeSpec, collection: str, position: int
) -> None:
    """Record the device's acknowledged position (a write only when it moved or went stale),
    or raise ``ResyncRequired`` when its copy may miss purged tombstones.

    A pull from scratch (position 0) records the community's newest position instead: the
    device holds only what it reads from now on, and any later deletion of that gets a
    position above it. Recording 0 would hold every tombstone back for as long as the
    device stays active with nothing in the collection (its checkpoint never moves).
    """
    assert scope.device_id is not None
    now = utcnow()
    row = await session.get(DeviceSync, (scope.device_id, collection))
    fresh = row is not None and now - row.synced_at <= REFRESH_SYNCED_AT
    if position <= 0:
        position = await _newest(session, scope.community_id)
    elif row is None:
        await _check_unknown(session, scope.community_id, collection, position)
    elif row.position == STRANDED:
        raise _resync(collection)
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
    elif row.position != position or not fresh:
        row.position = position
        row.synced_at = now
    else:
        return
    # One statement, no read first: a pull acknowledges on every page.
    await session.execute(
        update(Device).where(Device.id == scope.device_id).values(last_seen_at=now)
    )


async def _newest(session: AsyncSession, community_id: uuid.UUID) -> int:
    found = await session.scalar(
        select(ChangeCounter.last_position).where(ChangeCounter.community_id == community_id)
    )
    return int(found or 0)


async def _check_unknown(
    session: AsyncSession, community_id: uuid.UUID, collection: str, position: int
) -> None:
    """A device with no record here presenting a checkpoint (its data came under another
    device id): it may hold what was purged unless the checkpoint is past the purge line."""
    purged = await session.scalar(
        select(SyncHorizon.purged_through).where(
            SyncHorizon.community_id == community_id, SyncHorizon.collection == collection
        )
    )
    if purged is not None and position < purged:
        raise _resync(collection)


def _resync(collection: str) -> ResyncRequired:
    return ResyncRequired(
        N_("this device was offline too long: drop the local {collection} data and pull again"),
        collection=word(collection),
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


async def horizon(
    session: AsyncSession,
    community_id: uuid.UUID,
    collection: str,
    *,
    retention: timedelta = RETENTION,
    now: datetime | None = None,
) -> int:
    """The lowest position an active device of the collection acknowledged (with none
    active, the community's newest position): everything at or below it may be purged."""
    now = now or utcnow()
    active = await session.scalar(
        select(func.min(DeviceSync.position))
        .join(Device, Device.id == DeviceSync.device_id)
        .where(
            DeviceSync.community_id == community_id,
            DeviceSync.collection == collection,
            DeviceSync.synced_at >= now - retention,
            DeviceSync.position >= 0,
            Device.revoked_at.is_(None),
        )
    )
    return int(active) if active is not None else await _newest(session, community_id)


async def compact(
    session: AsyncSession,
    community_id: uuid.UUID,
    collection: SyncedType,
    *,
    retention: timedelta = RETENTION,
    now: datetime | None = None,
) -> int:
    """Purge the tombstones every active device has passed; returns how many went."""
    through = await horizon(session, community_id, collection.name, retention=retention, now=now)
    return await purge(session, community_id, collection, through)


async def purge(
    session: AsyncSession, community_id: uuid.UUID, collection: SyncedType, through: int
) -> int:
    """Purge the collection's tombstones at or below ``through`` (a ``horizon``), move the
    purge line, and mark (and tell) the devices left behind it."""
    model = collection.model
    purged = await session.execute(
        delete(model).where(
            model.community_id == community_id,
            model.deleted.is_(True),
            model.position <= through,
            *_unreferenced(model),  # type: ignore[arg-type]
        )
    )
    row = await session.get(SyncHorizon, (community_id, collection.name))
    if row is None:
        session.add(
            SyncHorizon(
                community_id=community_id, collection=collection.name, purged_through=through
            )
        )
    else:
        row.purged_through = max(row.purged_through, through)
    await _strand(session, community_id, collection.name, through)
    await session.flush()
    return int(purged.rowcount or 0)  # type: ignore[attr-defined]


async def purge_departures(session: AsyncSession, community_id: uuid.UUID, through: int) -> int:
    """Purge the records of rows that left a grid node at or below ``through``.

    Pass the lowest horizon of every collection (which collections read which departures is
    the pull's business): each device still needing one is behind some horizon, so stranded.
    """
    purged = await session.execute(
        delete(SyncDeparture).where(
            SyncDeparture.community_id == community_id, SyncDeparture.position <= through
        )
    )
    return int(purged.rowcount or 0)  # type: ignore[attr-defined]


async def _strand(
    session: AsyncSession, community_id: uuid.UUID, collection: str, through: int
) -> None:
    """Mark the devices behind the purge and tell each once (a marked one is not told again
    by the next compaction)."""
    stranded = list(
        await session.scalars(
            select(DeviceSync)
            .join(Device, Device.id == DeviceSync.device_id)
            .where(
                DeviceSync.community_id == community_id,
                DeviceSync.collection == collection,
                DeviceSync.position >= 0,
                DeviceSync.position < through,
                Device.revoked_at.is_(None),
            )
        )
    )
    for row in stranded:
        row.position = STRANDED
        session.add(
            DeviceNotice(
                community_id=community_id,
                device_id=row.device_id,
                kind="resync_required",
                collection=collection,
                document_id=None,
                code=ResyncRequired.code,
                message=notices.encode(
                    N_("offline too long: drop the local {collection} data and pull again"),
                    {"collection": word(collection)},
                ),
            )
        )
