"""What each device was sent: the documents it may hold, since when.

Two rules rest on it. A deletion (a tombstone, a removal after a scope change) reaches a
device only for a document its account's devices were sent or it pushed itself, so a forged
checkpoint lists no ids the phone never received (the account, as a phone that logs in again
gets a new device id and keeps its data). And the access log can say which phone holds which
resident's full contact phone, and since when (``domain.services.access_log``).

A pull records its page after reading it, in one statement per kind (live documents
upserted, tombstones marking holdings released), so the cost does not grow in statements
with the page.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, exists, false, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.dialect import upsert_by_ids
from domain.models import DeviceHolding, SyncPushReceipt
from domain.models.base import utcnow
from sync.declaration import ScopeSpec, SyncedType


def held(collection: SyncedType, scope: ScopeSpec, document_id: Any) -> ColumnElement[bool]:
    """A device of the account was sent ``document_id`` (or this device pushed it): the
    phone may hold it, so it may learn of its deletion. An index look-up per tombstone
    candidate."""
    if scope.device_id is None:
        return false()
    sent = exists().where(
        DeviceHolding.account_id == scope.account_id,
        DeviceHolding.collection == collection.name,
        DeviceHolding.document_id == document_id,
    )
    if not collection.pushable:
        return sent
    pushed = exists().where(
        SyncPushReceipt.device_id == scope.device_id,
        SyncPushReceipt.collection == collection.name,
        SyncPushReceipt.document_id == document_id,
    )
    return or_(sent, pushed)


def _ids(documents: Iterable[dict[str, Any]], deleted: bool) -> list[uuid.UUID]:
    return [uuid.UUID(doc["id"]) for doc in documents if bool(doc["deleted"]) is deleted]


async def record(
    session: AsyncSession,
    scope: ScopeSpec,
    collection: SyncedType,
    documents: list[dict[str, Any]],
) -> None:
    """Note what a page sent the device: live documents held (since now, unless already
    held and not released since), tombstones released."""
    if scope.device_id is None or not documents:
        return
    now = utcnow()
    live = _ids(documents, deleted=False)
    if live:
        current = DeviceHolding.__table__.c
        await upsert_by_ids(
            session,
            DeviceHolding.__table__,
            id_column="document_id",
            ids=list(dict.fromkeys(live)),
            fixed={
                "device_id": scope.device_id,
                "account_id": scope.account_id,
                "collection": collection.name,
                "community_id": scope.community_id,
                "held_since": now,
                "released_at": None,
            },
            conflict=["device_id", "collection", "document_id"],
            refresh=["held_since"],
            reset={"released_at": None},
            where=current.released_at.is_not(None),
        )
    gone = _ids(documents, deleted=True)
    if gone:
        await session.execute(
            update(DeviceHolding)
            .where(
                DeviceHolding.device_id == scope.device_id,
                DeviceHolding.collection == collection.name,
                DeviceHolding.document_id.in_(gone),
                DeviceHolding.released_at.is_(None),
            )
            .values(released_at=now)
            .execution_options(synchronize_session=False)
        )


async def forget(session: AsyncSession, community_id: uuid.UUID, before: datetime) -> int:
    """Drop holdings released before ``before`` (past the tombstone retention: a device
    still behind that resyncs from scratch anyway)."""
    gone = await session.execute(
        delete(DeviceHolding).where(
            DeviceHolding.community_id == community_id,
            DeviceHolding.released_at.is_not(None),
            DeviceHolding.released_at < before,
        )
    )
    return int(gone.rowcount or 0)  # type: ignore[attr-defined]
