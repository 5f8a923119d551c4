"""``pullX`` and ``pushX`` resolvers, one pair per collection, generated from its declaration.

Thin: the rules live in ``sync``. The pull reads in its own short sessions; the push runs in
one transaction that the edge commits. Its writes reach every stream through the database's
commit listener (``schema.sync.commit_events``), like any other write; the push itself
announces only the documents a stream must send again although nothing changed (a retry).

And once more, a moment after answering, it asks the pushing device's streams to send every
document it wrote or was retried on: the client skips a stream event for a document whose
push is still in flight, and the commit's event can beat the answer, so without this the
phone could keep its own copy without the server-owned fields (who recorded it, a masked
number, the new position) until the document next changes (seen with the real client on a
flaky network). The second sending is skipped by the client when it already has the master.

No ``from __future__ import annotations``: the argument types are built at run time.
"""

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Annotated, Any, Optional

import strawberry

from domain.errors import AuthenticationRequired
from domain.principal import Principal
from schema.context import Info
from schema.events import EventBus, sync_channel
from schema.sync.types import CollectionTypes, as_wire
from sync import replication
from sync.declaration import Actor, SyncedType
from sync.push import Pushed, PushRow, push


async def announce(
    events: EventBus,
    community_id: uuid.UUID,
    collection: str,
    reemit: Iterable[uuid.UUID] = (),
    *,
    device: uuid.UUID | None = None,
) -> None:
    """After commit: every stream of the community looks for new documents and sends the
    ``reemit`` ones again (to the devices whose scope holds them; only ``device``'s if given)."""
    payload: dict[str, Any] = {"collection": collection, "reemit": sorted(str(i) for i in reemit)}
    if device is not None:
        payload["device"] = str(device)
    await events.publish(sync_channel(community_id), payload)


REEMIT_AFTER_SECONDS = 1.0
"""Long enough for the client to have stored the push's answer, short enough to be live."""

_later: set[asyncio.Task[None]] = set()  # held until done: the loop keeps only weak references
log = logging.getLogger("changlang.sync")


def announce_later(
    events: EventBus, community_id: uuid.UUID, collection: str, reemit: set[uuid.UUID], device: Any
) -> None:
    """``announce`` to one device's streams after ``REEMIT_AFTER_SECONDS``, in the background."""

    async def later() -> None:
        await asyncio.sleep(REEMIT_AFTER_SECONDS)
        try:
            await announce(events, community_id, collection, reemit, device=device)
        except Exception:  # the answer went out long ago: log, never raise into the loop
            log.exception("sending pushed documents again failed")

    task = asyncio.create_task(later())
    _later.add(task)
    task.add_done_callback(_later.discard)


async def after_push(
    events: EventBus, principal: Principal, collection: SyncedType, pushed: Pushed
) -> None:
    """After a push has committed (either path: the resolver, ``schema.sync.fast_push``):
    retried documents sent again now, everything written or retried again a moment later."""
    if pushed.reemit:
        await announce(events, principal.community_id, collection.name, pushed.reemit)
    if pushed.changed or pushed.reemit:
        again = pushed.changed | pushed.reemit
        announce_later(events, principal.community_id, collection.name, again, principal.device_id)


def pull_resolver(collection: SyncedType, types: CollectionTypes) -> Callable[..., Awaitable[Any]]:
    async def pull(
        info: Info,
        limit: int,
        checkpoint: Optional[types.input_checkpoint] = None,  # type: ignore[name-defined]  # noqa: UP045
    ) -> types.bulk:  # type: ignore[name-defined]
        given = (checkpoint.id, checkpoint.updatedAt) if checkpoint is not None else None
        page = await replication.pull(
            info.context.db, info.context.principal, collection, given, limit
        )
        return types.bulk_of(page.documents, page.checkpoint.wire())

    return pull


def push_resolver(collection: SyncedType, types: CollectionTypes) -> Callable[..., Awaitable[Any]]:
    argument = strawberry.argument(name=f"{collection.name}PushRow")

    async def push_rows(
        info: Info,
        rows: Annotated[
            Optional[list[Optional[types.push_row]]],  # type: ignore[name-defined]  # noqa: UP045
            argument,
        ] = None,
    ) -> list[types.document]:  # type: ignore[name-defined]
        principal = info.context.principal
        if principal is None:
            raise AuthenticationRequired()
        given = [
            PushRow(
                as_wire(collection, row.assumedMasterState),
                as_wire(collection, row.newDocumentState) or {},
            )
            for row in rows or ()
            if row is not None
        ]
        actor = Actor(
            principal,
            info.context.cipher,
            device_time_ms=info.context.device_time_ms,
            max_clock_skew=info.context.config.max_device_clock_skew,
        )
        async with info.context.db.transaction() as session:
            pushed = await push(
                session,
                actor,
                collection,
                given,
                refused_per_device=info.context.config.refused_per_device,
            )
        await after_push(info.context.events, principal, collection, pushed)
        return [types.document(**doc) for doc in pushed.answers]

    return push_rows
