"""The conflict inbox on the GraphQL edge: staff list true conflicts and decide them."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.scalars import JSON

from domain import models
from schema.context import Info
from schema.errors import result_union
from schema.events import sync_channel
from schema.mutations.transaction import in_transaction
from sync import inbox
from sync.collections import COLLECTIONS
from sync.declaration import Actor

ConflictStatus = strawberry.enum(models.ConflictStatus, description="open: a person decides")


@strawberry.enum(description="How a person settles a conflict.")
class ConflictResolution(Enum):
    KEEP_SERVER = inbox.KEEP_SERVER
    TAKE_DEVICE = inbox.TAKE_DEVICE
    ENTER_VALUE = inbox.ENTER_VALUE


@strawberry.type(
    description="A true conflict from offline sync: the same field changed on the server and "
    "on a phone. Both values are kept until someone decides."
)
class SyncConflict:
    id: uuid.UUID
    collection: str
    document_id: uuid.UUID
    field: str
    policy: str
    base_value: JSON | None
    server_value: JSON | None
    device_value: JSON | None
    device_id: uuid.UUID | None
    account_id: uuid.UUID
    grid_id: uuid.UUID | None
    status: ConflictStatus
    resolution: str | None
    resolved_value: JSON | None
    created_at: datetime
    resolved_at: datetime | None

    @strawberry.field(description="Who pushed the device's value.")
    async def account_name(self, info: Info) -> str | None:
        account = await info.context.loaders.account.load(self.account_id)
        return account.display_name if account else None

    @strawberry.field(description="The phone it came from.")
    async def device_name(self, info: Info) -> str | None:
        if self.device_id is None:
            return None
        device = await info.context.loaders.device.load(self.device_id)
        return device.name if device else None

    @strawberry.field(description="The grid node of the household it concerns.")
    async def grid_name(self, info: Info) -> str | None:
        if self.grid_id is None:
            return None
        grid = await info.context.loaders.grid.load(self.grid_id)
        return grid.name if grid else None

    @strawberry.field(
        description="What it is about, as staff say it: a household's building and unit, a "
        "resident's name with theirs; null for other collections."
    )
    async def subject(self, info: Info) -> str | None:
        return await info.context.loaders.conflict_subject.load((self.collection, self.document_id))

    @staticmethod
    def of(row: models.SyncConflict) -> SyncConflict:
        return SyncConflict(
            id=row.id,
            collection=row.collection,
            document_id=row.document_id,
            field=row.field,
            policy=row.policy,
            base_value=row.base_value,
            server_value=row.server_value,
            device_value=row.device_value,
            device_id=row.device_id,
            account_id=row.account_id,
            grid_id=row.grid_id,
            status=row.status,
            resolution=row.resolution,
            resolved_value=row.resolved_value,
            created_at=row.created_at,
            resolved_at=row.resolved_at,
        )


ResolveConflictResult = result_union("ResolveConflictResult", SyncConflict)


@strawberry.type
class InboxQueries:
    @strawberry.field(description="Sync conflicts in the grids you cover, newest first.")
    async def sync_conflicts(
        self, info: Info, status: ConflictStatus | None = models.ConflictStatus.OPEN
    ) -> list[SyncConflict]:
        async with info.context.db.read() as session:
            rows = await inbox.list_conflicts(session, info.context.principal, status)
        return [SyncConflict.of(row) for row in rows]


@strawberry.type
class InboxMutations:
    @strawberry.mutation(
        description="Settle a conflict: keep the server's value, take the device's, or enter "
        "another. A new value is written as a normal change and syncs out to the phones. A "
        "conflict is settled once: a second resolution, even one racing the first, answers "
        "CONFLICT and changes nothing."
    )
    async def resolve_sync_conflict(
        self,
        info: Info,
        conflict_id: uuid.UUID,
        resolution: ConflictResolution,
        value: JSON | None = None,
    ) -> ResolveConflictResult:
        principal = info.context.principal

        async def work(session: AsyncSession) -> Any:
            assert principal is not None
            actor = Actor(principal, info.context.cipher)
            row = await inbox.resolve(
                session, actor, COLLECTIONS, conflict_id, resolution.value, value
            )
            return SyncConflict.of(row)

        if principal is None:
            from domain.errors import AuthenticationRequired
            from schema.errors import to_graphql_error

            return to_graphql_error(AuthenticationRequired())
        result = await in_transaction(info, work)
        if isinstance(result, SyncConflict):
            payload = {"collection": result.collection, "reemit": []}
            await info.context.events.publish(sync_channel(principal.community_id), payload)
        return result
