"""The personal data access log (PIPL): who read which resident's personal data, and which
phone holds which resident's full contact phone.

Two sources, one list for the admin: every unmasked read or export
(``PersonalDataAccess``, written by ``revealPersonalData`` and the register export), and the
devices' holdings (``DeviceHolding``, written by each sync pull): a covering volunteer's
phone is sent the full contact phones of its households on purpose (they call them), so
each such phone appears here with the residents it holds and since when, until a removal
reaches it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Account, Device, DeviceHolding, PersonalDataAccess, Resident
from domain.permissions import require_admin
from domain.principal import Principal

LOG_MAX = 500
SYNCED_PERSONAL_DATA = "phone (full), ID number (masked), birth year"
"""What a phone holding a resident document holds of that resident's personal data."""


class AccessKind(StrEnum):
    READ = "read"  # an unmasked read (revealPersonalData) or an export
    DEVICE_HOLDS = "device_holds"  # a phone was sent the resident's full contact phone


@dataclass(frozen=True)
class AccessEntry:
    kind: AccessKind
    at: datetime  # when it was read; for a phone, since when it holds it
    account_id: uuid.UUID
    account_name: str
    resident_id: uuid.UUID | None
    device_id: uuid.UUID | None
    device_name: str | None
    purpose: str
    detail: str


def _reads(who: Principal, resident_id: uuid.UUID | None) -> Select[PersonalDataAccess, str]:
    statement = (
        select(PersonalDataAccess, Account.display_name)
        .join(Account, Account.id == PersonalDataAccess.account_id)
        .where(PersonalDataAccess.community_id == who.community_id)
    )
    if resident_id is not None:
        statement = statement.where(PersonalDataAccess.resident_id == resident_id)
    return statement.order_by(PersonalDataAccess.created_at.desc()).limit(LOG_MAX)


def _holdings(who: Principal, resident_id: uuid.UUID | None) -> Select[DeviceHolding, Device, str]:
    statement = (
        select(DeviceHolding, Device, Account.display_name)
        .join(Device, Device.id == DeviceHolding.device_id)
        .join(Account, Account.id == DeviceHolding.account_id)
        .join(Resident, Resident.id == DeviceHolding.document_id)
        .where(
            DeviceHolding.community_id == who.community_id,
            DeviceHolding.collection == "resident",
            DeviceHolding.released_at.is_(None),
            Resident.phone.is_not(None),
        )
    )
    if resident_id is not None:
        statement = statement.where(DeviceHolding.document_id == resident_id)
    return statement.order_by(DeviceHolding.held_since.desc()).limit(LOG_MAX)


async def access_log(
    session: AsyncSession, principal: Principal | None, resident_id: uuid.UUID | None = None
) -> list[AccessEntry]:
    """Newest first, at most ``LOG_MAX`` of each source; admin only."""
    who = require_admin(principal)
    entries = [
        AccessEntry(
            AccessKind.READ,
            row.created_at,
            row.account_id,
            name,
            row.resident_id,
            None,
            None,
            row.purpose,
            row.detail,
        )
        for row, name in await session.execute(_reads(who, resident_id))
    ]
    entries += [
        AccessEntry(
            AccessKind.DEVICE_HOLDS,
            holding.held_since,
            holding.account_id,
            name,
            holding.document_id,
            device.id,
            device.name,
            "sync",
            SYNCED_PERSONAL_DATA,
        )
        for holding, device, name in await session.execute(_holdings(who, resident_id))
    ]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries
