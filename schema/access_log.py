"""The personal data access log as the admin reads it (``domain.services.access_log``)."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from domain.errors import InvalidInput
from domain.i18n import N_
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
    purpose: str = strawberry.field(
        description="Why: the reason given for a reveal, `export` for a register export, "
        "`sync` for a phone holding it."
    )
    detail: str = strawberry.field(description="For a phone: what of the resident it holds.")
    resident_name: str | None = strawberry.field(
        default=None, description="Whose data; null for an export of many residents."
    )


@strawberry.type
class AccessLogQueries:
    @strawberry.field(
        description="Who read which resident's personal data, and which phone holds whose full "
        "contact phone since when; newest first (admin only). Filters combine; `until` is "
        "exclusive, so the oldest entry's `at` asks for the page before it. At most `first` "
        f"entries (1 to {access_log.LOG_MAX})."
    )
    async def personal_data_access_log(
        self,
        info: Info,
        resident_id: uuid.UUID | None = None,
        account_id: uuid.UUID | None = None,
        kind: AccessKind | None = None,
        purpose: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        first: int = 100,
    ) -> list[AccessLogEntry]:
        if not 1 <= first <= access_log.LOG_MAX:
            raise InvalidInput(
                "first", N_("must be between 1 and {maximum}"), maximum=access_log.LOG_MAX
            )
        for name, moment in (("since", since), ("until", until)):
            if moment is not None and moment.tzinfo is None:
                raise InvalidInput(
                    name, N_("must include a time zone, e.g. 2026-01-01T00:00:00+08:00")
                )
        if since is not None and until is not None and since >= until:
            raise InvalidInput("until", N_("must be later than since"))
        where = access_log.LogFilter(
            resident_id=resident_id,
            account_id=account_id,
            kind=kind,
            purpose=purpose.strip() if purpose and purpose.strip() else None,
            since=since,
            until=until,
            first=first,
        )
        async with info.context.db.read() as session:
            entries = await access_log.access_log(session, info.context.principal, where)
        return [AccessLogEntry(**vars(entry)) for entry in entries]
