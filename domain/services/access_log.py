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
"""The most entries one request returns; ``first`` asks for fewer."""
SYNC_PURPOSE = "sync"
"""The purpose of every holding: the phone was sent the data by sync."""
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
    resident_name: str | None = None  # None for an export of many


@dataclass(frozen=True)
class LogFilter:
    """Which entries to list; every field left out matches all. ``until`` is exclusive, so
    that the ``at`` of the oldest entry on one page asks for the page before it."""

    resident_id: uuid.UUID | None = None
    account_id: uuid.UUID | None = None
    kind: AccessKind | None = None
    purpose: str | None = None  # as recorded: a reveal's reason, "export", "sync"
    since: datetime | None = None
    until: datetime | None = None
    first: int = LOG_MAX


def _reads(who: Principal, where: LogFilter) -> Select[PersonalDataAccess, str, str | None]:
    statement = (
        select(PersonalDataAccess, Account.display_name, Resident.name)
        .join(Account, Account.id == PersonalDataAccess.account_id)
        .outerjoin(Resident, Resident.id == PersonalDataAccess.resident_id)
        .where(PersonalDataAccess.community_id == who.community_id)
    )
    at = PersonalDataAccess.created_at
    if where.resident_id is not None:
        statement = statement.where(PersonalDataAccess.resident_id == where.resident_id)
    if where.account_id is not None:
        statement = statement.where(PersonalDataAccess.account_id == where.account_id)
    if where.purpose is not None:
        statement = statement.where(PersonalDataAccess.purpose == where.purpose)
    if where.since is not None:
        statement = statement.where(at >= where.since)
    if where.until is not None:
        statement = statement.where(at < where.until)
    return statement.order_by(at.desc(), PersonalDataAccess.id).limit(where.first)


def _holdings(who: Principal, where: LogFilter) -> Select[DeviceHolding, Device, str, str]:
    statement = (
        select(DeviceHolding, Device, Account.display_name, Resident.name)
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
    at = DeviceHolding.held_since
    if where.resident_id is not None:
        statement = statement.where(DeviceHolding.document_id == where.resident_id)
    if where.account_id is not None:
        statement = statement.where(DeviceHolding.account_id == where.account_id)
    if where.since is not None:
        statement = statement.where(at >= where.since)
    if where.until is not None:
        statement = statement.where(at < where.until)
    order = (at.desc(), DeviceHolding.device_id, DeviceHolding.document_id)
    return statement.order_by(*order).limit(where.first)


def _wants(where: LogFilter, kind: AccessKind) -> bool:
    if where.kind is not None and where.kind is not kind:
        return False
    if where.purpose is None:
        return True
    return (where.purpose == SYNC_PURPOSE) == (kind is AccessKind.DEVICE_HOLDS)


async def access_log(
    session: AsyncSession,
    principal: Principal | None,
    where: LogFilter | None = None,
) -> list[AccessEntry]:
    """Newest first, at most ``where.first`` (up to ``LOG_MAX``) entries; admin only.

    Each source is asked for ``first`` entries at most, so the merged list cut to ``first``
    is exactly the newest ``first`` of both."""
    who = require_admin(principal)
    where = where or LogFilter()
    entries: list[AccessEntry] = []
    if _wants(where, AccessKind.READ):
        entries += [
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
                resident_name,
            )
            for row, name, resident_name in await session.execute(_reads(who, where))
        ]
    if _wants(where, AccessKind.DEVICE_HOLDS):
        entries += [
            AccessEntry(
                AccessKind.DEVICE_HOLDS,
                holding.held_since,
                holding.account_id,
                name,
                holding.document_id,
                device.id,
                device.name,
                SYNC_PURPOSE,
                SYNCED_PERSONAL_DATA,
                resident_name,
            )
            for holding, device, name, resident_name in await session.execute(_holdings(who, where))
        ]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[: where.first]
