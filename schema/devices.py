"""The devices list on the GraphQL edge (``domain.services.devices``)."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from domain.services import devices
from schema.context import Info


@strawberry.type(
    name="DeviceInfo",
    description="A phone or browser signed in with an account (设备). Revoked, it can refresh "
    "nothing and its tokens stop working (revokeDevice).",
)
class DeviceInfo:
    id: uuid.UUID
    name: str
    account_id: uuid.UUID
    account_name: str
    created_at: datetime = strawberry.field(description="When it first signed in.")
    last_seen_at: datetime | None = strawberry.field(
        description="Its last session refresh or sync pull."
    )
    last_sync_at: datetime | None = strawberry.field(
        description="Its last acknowledged sync pull (to the minute); null: it never synced."
    )
    revoked_at: datetime | None
    current: bool = strawberry.field(description="The device this request comes from.")


@strawberry.type
class DeviceQueries:
    @strawberry.field(
        description="Devices, most recently used first: the admin sees the community's, "
        f"everyone else their own (at most {devices.LIST_MAX})."
    )
    async def devices(self, info: Info, include_revoked: bool = True) -> list[DeviceInfo]:
        async with info.context.db.read() as session:
            found = await devices.list_devices(
                session, info.context.principal, include_revoked=include_revoked
            )
        return [DeviceInfo(**vars(entry)) for entry in found]
