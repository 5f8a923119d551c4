"""The devices list (设备): every phone and browser signed in to the community, with when it
was last used and last synced, so that the admin can find a lost phone and revoke it.

A device is "seen" when it refreshes its session or acknowledges a sync pull
(``Device.last_seen_at``); its last sync is the newest acknowledgement over its collections
(``DeviceSync.synced_at``, refreshed at most once a minute while nothing moves). The admin sees
the community's devices; everyone else only their own, because only the owner or the admin may
revoke one (``sessions.revoke_device``): another person's phone is not theirs to judge.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Account, Device, DeviceSync
from domain.permissions import require_login
from domain.principal import Principal

LIST_MAX = 500


@dataclass(frozen=True)
class DeviceEntry:
    id: uuid.UUID
    name: str
    account_id: uuid.UUID
    account_name: str
    created_at: datetime
    last_seen_at: datetime | None
    last_sync_at: datetime | None
    revoked_at: datetime | None
    current: bool  # the device this request comes from


async def list_devices(
    session: AsyncSession, principal: Principal | None, *, include_revoked: bool = True
) -> list[DeviceEntry]:
    """Most recently used first, at most ``LIST_MAX``; one statement whatever the count."""
    who = require_login(principal)
    last_sync = (
        select(DeviceSync.device_id, func.max(DeviceSync.synced_at).label("at"))
        .where(DeviceSync.community_id == who.community_id)
        .group_by(DeviceSync.device_id)
        .subquery()
    )
    statement = (
        select(Device, Account.display_name, last_sync.c.at)
        .join(Account, Account.id == Device.account_id)
        .outerjoin(last_sync, last_sync.c.device_id == Device.id)
        .where(Device.community_id == who.community_id)
    )
    if not who.is_admin:
        statement = statement.where(Device.account_id == who.account_id)
    if not include_revoked:
        statement = statement.where(Device.revoked_at.is_(None))
    used = func.coalesce(Device.last_seen_at, Device.created_at)
    rows = await session.execute(statement.order_by(used.desc(), Device.id).limit(LIST_MAX))
    return [
        DeviceEntry(
            id=device.id,
            name=device.name,
            account_id=device.account_id,
            account_name=name,
            created_at=device.created_at,
            last_seen_at=device.last_seen_at,
            last_sync_at=synced,
            revoked_at=device.revoked_at,
            current=device.id == who.device_id,
        )
        for device, name, synced in rows
    ]
