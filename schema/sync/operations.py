"""``pullX`` and ``pushX`` resolvers, one pair per collection, generated from its declaration.

Thin: the rules live in ``sync``. The pull reads in its own short sessions; the push runs in
one transaction that the edge commits, then announces the change to every stream.

No ``from __future__ import annotations``: the argument types are built at run time.
"""

import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Annotated, Any, Optional

import strawberry

from domain.errors import AuthenticationRequired
from schema.context import Info
from schema.events import sync_channel
from schema.sync.types import CollectionTypes, as_wire
from sync import replication
from sync.declaration import Actor, SyncedType
from sync.push import PushRow, push


async def announce(
    info: Info,
    community_id: uuid.UUID,
    collection: str,
    reemit: Iterable[uuid.UUID] = (),
) -> None:
    """After commit: every stream of the community looks for new documents."""
    payload = {"collection": collection, "reemit": sorted(str(i) for i in reemit)}
    await info.context.events.publish(sync_channel(community_id), payload)


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
            pushed = await push(session, actor, collection, given)
        if pushed.changed or pushed.reemit or pushed.refused:
            await announce(info, principal.community_id, collection.name, pushed.reemit)
        return [types.document(**doc) for doc in pushed.answers]

    return push_rows
