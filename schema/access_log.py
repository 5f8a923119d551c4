"""The personal data access log as the admin reads it (``domain.services.access_log``)."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from domain.services import access_log
from schema.context import Info

AccessKind = strawberry.enum(
    access_log.AccessKind,
    description="READ: an unmasked read or export; DEVICE_HOLDS: a phone was sent the "
    "resident's full contact phone by sync (and holds it since `at`)",
)


@strawberry.type(description="One entry of the personal data access log (PIPL).")
class AccessLogEntry:
    kind: AccessKind
    at: datetime = strawberry.field(description="When it was read; for a phone, held since.")
    account_id: uuid.UUID
    account_name: str
    resident_id: uuid.UUID | None
    device_id: uuid.UUID | None
    device_name: str | None
    purpose: str
    detail: str = strawberry.field(description="For a phone: what of the resident it holds.")


@strawberry.type
class AccessLogQueries:
    @strawberry.field(
        description="Who read which resident's personal data, and which phone holds whose full "
        "contact phone since when; newest first (admin only)."
    )
    async def personal_data_access_log(
        self, info: Info, resident_id: uuid.UUID | None = None
    ) -> list[AccessLogEntry]:
        async with info.context.db.read() as session:
            entries = await access_log.access_log(session, info.context.principal, resident_id)
        return [AccessLogEntry(**vars(entry)) for entry in entries]
