"""``streamX``: every commit in the device's scope, in checkpoint order, as it happens.

The stream keeps its own checkpoint (starting at the community's newest position) and after
every sync event pulls what lies past it through the same code as ``pullX`` and emits it with
the checkpoint the client then keeps. Every committed write to a synced row publishes such an
event, whichever code path made it (``schema.sync.commit_events``). Its session is checked on
every wake, when it ends and when its token expires (``schema.live_session``): the socket is
closed (4401 expired, 4403 revoked), as the client expects; it never completes or errors.

A slow safety poll (``POLL_SECONDS``) remains, for what no event reports: a write by a process
without the event bus (a CLI import into SQLite while the server runs), an event published
while a process's PostgreSQL listener was reconnecting, or a failed publish after a commit.

When it (re)connects, it first sends the documents the device pushed in the last minutes
(``_recently_pushed``): the one way a phone whose stream was cut while a push was answered
still learns their server-owned fields.

Authentication: the ``headers`` argument (the client's whole ``headers`` option), else the
``connection_init`` payload, else the socket's own ``Authorization`` header.
"""

import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Optional

from domain.models.base import utcnow
from domain.principal import Principal
from schema.context import Info
from schema.events import sync_channel
from schema.live import live_session
from schema.sync.types import CollectionTypes
from sync import receipts, replication
from sync.checkpoint import Checkpoint
from sync.declaration import SyncedType
from sync.scope import fingerprint, scope_of

STREAM_BATCH = 200
POLL_SECONDS = 30.0


async def _reemitted(
    info: Info, collection: SyncedType, who: Principal, event: dict[str, Any]
) -> list[dict[str, Any]]:
    if event.get("collection") != collection.name or not event.get("reemit"):
        return []
    if event.get("device") not in (None, str(who.device_id)):
        return []  # meant for the device that pushed them
    ids = [uuid.UUID(value) for value in event["reemit"]]
    return await replication.documents_by_id(info.context.db, who, collection, ids)


ECHO_SECONDS = 600
"""How far back a (re)connecting stream sends the device's own pushes once more."""


async def _recently_pushed(
    info: Info, collection: SyncedType, who: Principal
) -> list[dict[str, Any]]:
    """The documents this device pushed in the last ``ECHO_SECONDS``, sent first when its
    stream (re)connects. A push's documents are sent again a second after its answer
    (``schema.sync.operations``), but a stream cut at that moment loses that, and the client's
    resync on reconnect pulls only past its checkpoint, which is beyond them: without this the
    phone keeps its copy without the server-owned fields until the document next changes."""
    if not collection.pushable:
        return []
    since = utcnow() - timedelta(seconds=ECHO_SECONDS)
    async with info.context.db.read() as session:
        ids = await receipts.recently_pushed(
            session, scope_of(who), collection.name, since, STREAM_BATCH
        )
    if not ids:
        return []
    return await replication.documents_by_id(info.context.db, who, collection, ids)


@dataclass(frozen=True)
class _Emission:
    documents: list[dict[str, Any]]
    cursor: Checkpoint


async def _emit(
    info: Info,
    collection: SyncedType,
    types: CollectionTypes,
    who: Principal,
    cursor: Checkpoint,
    event: dict[str, Any],
) -> AsyncIterator[_Emission]:
    """Everything past the cursor, page by page, then any documents to send again."""
    while True:
        page = await replication.stream_page(info.context.db, who, collection, cursor, STREAM_BATCH)
        cursor = page.checkpoint
        yield _Emission(page.documents, cursor)
        if len(page.documents) < STREAM_BATCH:
            break
    again = await _reemitted(info, collection, who, event)
    if again:
        yield _Emission(again, cursor)


def stream_resolver(collection: SyncedType, types: CollectionTypes) -> Callable[..., Any]:
    async def stream(
        info: Info,
        headers: Optional[types.headers] = None,  # type: ignore[name-defined]  # noqa: UP045
    ) -> AsyncGenerator[types.bulk, None]:  # type: ignore[name-defined]
        authorization = headers.Authorization if headers is not None else None
        async with live_session(info, authorization) as session:
            who = session.principal
            scope = scope_of(who)
            async with info.context.events.subscribe(sync_channel(who.community_id)) as events:
                async with info.context.db.read() as db_session:
                    start = await replication.head(db_session, scope)
                cursor = Checkpoint(start, "", fingerprint(collection, scope.grid_ids))
                echo = await _recently_pushed(info, collection, who)
                if echo:
                    yield types.bulk_of(echo, cursor.wire())
                while True:
                    event = await session.wait(events, POLL_SECONDS) or {}
                    async for bulk in _emit(
                        info, collection, types, session.principal, cursor, event
                    ):
                        cursor = bulk.cursor
                        if bulk.documents:
                            yield types.bulk_of(bulk.documents, cursor.wire())

    return stream
