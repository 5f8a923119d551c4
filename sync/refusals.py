"""A pushed row the server would not store: kept with its reason, and told to the device.

Nothing a volunteer typed is dropped silently. The row as sent goes to ``refused_push``, and
the reason reaches the app as a document of its ``deviceNotice`` collection, stored as its
template and parameters so that the phone reads it in its own language (``sync.notices``).
A retried push of the same row records it once.

Kept, but not forever: each device keeps its newest ``PER_DEVICE`` refused rows and notices
(the oldest beyond go in the transaction that stores new ones, a few statements however many
go), and compaction removes those older than the retention (``forget``). A notice is retired
as a tombstone, not deleted: a phone holding it learns to drop it, and the tombstone goes
with the others once every device has passed it (``sync.devices``).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.changes import note
from domain.errors import DomainError
from domain.models import DeviceNotice, RefusedPush
from domain.positions import reserve_position
from sync import notices
from sync.declaration import ScopeSpec

REASON_MAX = 500
PER_DEVICE = 200
"""Refused rows (and their notices) a device keeps by default: the newest."""
RETENTION = timedelta(days=30)
"""How long a refused row (and its notice) is kept by default."""
KIND = "push_refused"


def _key(*parts: Any) -> str:
    return hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS)).hexdigest()


async def refuse(
    session: AsyncSession,
    scope: ScopeSpec,
    collection: str,
    document_id: str,
    error: DomainError,
    row: dict[str, Any],
) -> None:
    """``error``'s English text is kept with the row (for staff); the device gets a notice."""
    key = _key(str(scope.device_id), collection, document_id, row)
    if await session.scalar(select(RefusedPush.id).where(RefusedPush.dedupe_key == key)):
        return
    try:
        async with session.begin_nested():
            _add(session, scope, collection, document_id, error, row, key)
    except IntegrityError:
        pass  # the same refusal, recorded by a concurrent copy of this push


def _add(
    session: AsyncSession,
    scope: ScopeSpec,
    collection: str,
    document_id: str,
    error: DomainError,
    row: dict[str, Any],
    key: str,
) -> None:
    code = error.code
    session.add(
        RefusedPush(
            community_id=scope.community_id,
            collection=collection,
            document_id=document_id[:100],
            device_id=scope.device_id,
            account_id=scope.account_id,
            code=code[:40],
            reason=error.message[:REASON_MAX],
            row=row,
            dedupe_key=key,
        )
    )
    if scope.device_id is not None:
        session.add(
            DeviceNotice(
                community_id=scope.community_id,
                device_id=scope.device_id,
                kind=KIND,
                collection=collection,
                document_id=document_id[:100],
                code=code[:40],
                message=notices.encode_error(error, REASON_MAX),
            )
        )


async def cap(session: AsyncSession, scope: ScopeSpec, keep: int) -> None:
    """Keep the device's newest ``keep`` refused rows and notices; the older ones go."""
    if scope.device_id is None:
        return
    rows = (
        select(RefusedPush.id)
        .where(RefusedPush.device_id == scope.device_id)
        .order_by(RefusedPush.created_at.desc(), RefusedPush.id.desc())
        .limit(keep)
    )
    await session.execute(
        delete(RefusedPush)
        .where(RefusedPush.device_id == scope.device_id, RefusedPush.id.not_in(rows))
        .execution_options(synchronize_session=False)
    )
    shown = (
        select(DeviceNotice.id)
        .where(*_live(DeviceNotice.device_id == scope.device_id))
        .order_by(DeviceNotice.created_at.desc(), DeviceNotice.id.desc())
        .limit(keep)
    )
    await _retire(
        session,
        scope.community_id,
        DeviceNotice.device_id == scope.device_id,
        DeviceNotice.id.not_in(shown),
    )


async def forget(session: AsyncSession, community_id: uuid.UUID, before: datetime) -> int:
    """Remove the community's refused rows stored before ``before`` and retire their notices;
    how many rows went."""
    gone = await session.execute(
        delete(RefusedPush)
        .where(RefusedPush.community_id == community_id, RefusedPush.created_at < before)
        .execution_options(synchronize_session=False)
    )
    await _retire(session, community_id, DeviceNotice.created_at < before)
    return int(gone.rowcount or 0)  # type: ignore[attr-defined]


def _live(*where: ColumnElement[bool]) -> tuple[ColumnElement[bool], ...]:
    return (DeviceNotice.kind == KIND, DeviceNotice.deleted.is_(False), *where)


async def _retire(
    session: AsyncSession, community_id: uuid.UUID, *where: ColumnElement[bool]
) -> None:
    """Turn the matching refusal notices into tombstones at one new change position (the
    pull orders by position, then id), so that the phones holding them drop them."""
    matching = (DeviceNotice.community_id == community_id, *_live(*where))
    if await session.scalar(select(DeviceNotice.id).where(*matching).limit(1)) is None:
        return  # the usual case: no position taken, no counter locked
    position = await reserve_position(session, community_id)
    if position is None:
        return  # nothing synced in this community yet, so no notice either
    await session.execute(
        update(DeviceNotice)
        .where(*matching)
        .values(deleted=True, position=position)
        .execution_options(synchronize_session=False)
    )
    note(session, community_id, DeviceNotice.__tablename__)
