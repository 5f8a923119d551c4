"""The conflict inbox: every true conflict, kept with both values until a person decides.

Recording is idempotent (a retried push records a conflict once). Staff see the conflicts of
the grid nodes they cover; resolving one (keep the server's value, take the device's, or
enter another) writes a normal change through the collection's writer, so it syncs out. A
conflict is resolved once: a second resolution answers CONFLICT and changes nothing.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from domain.i18n import N_
from domain.models import ConflictStatus, Household, Resident, SyncConflict
from domain.models.base import utcnow
from domain.permissions import require_staff
from domain.principal import Principal
from sync.declaration import Actor, Owner, ScopeSpec, SyncedType
from sync.merge import FieldConflict

KEEP_SERVER = "keep_server"
TAKE_DEVICE = "take_device"
ENTER_VALUE = "enter_value"
RESOLUTIONS = (KEEP_SERVER, TAKE_DEVICE, ENTER_VALUE)
LIST_MAX = 200


def _key(scope: ScopeSpec, collection: str, document_id: uuid.UUID, c: FieldConflict) -> str:
    parts = [
        str(scope.device_id),
        collection,
        str(document_id),
        c.field,
        c.base,
        c.server,
        c.device,
    ]
    return hashlib.sha256(orjson.dumps(parts)).hexdigest()


async def record(
    session: AsyncSession,
    scope: ScopeSpec,
    collection: SyncedType,
    document_id: uuid.UUID,
    conflicts: Sequence[FieldConflict],
) -> None:
    grid_id = await _grid_of(session, collection, document_id)
    for conflict in conflicts:
        key = _key(scope, collection.name, document_id, conflict)
        if await session.scalar(select(SyncConflict.id).where(SyncConflict.dedupe_key == key)):
            continue
        try:
            async with session.begin_nested():
                session.add(_row(scope, collection, document_id, conflict, grid_id, key))
        except IntegrityError:
            continue  # recorded a moment ago by a concurrent copy of this push


def _row(
    scope: ScopeSpec,
    collection: SyncedType,
    document_id: uuid.UUID,
    conflict: FieldConflict,
    grid_id: uuid.UUID | None,
    key: str,
) -> SyncConflict:
    return SyncConflict(
        community_id=scope.community_id,
        collection=collection.name,
        document_id=document_id,
        field=conflict.field,
        policy=conflict.policy.value,
        base_value=conflict.base,
        server_value=conflict.server,
        device_value=conflict.device,
        device_id=scope.device_id,
        account_id=scope.account_id,
        grid_id=grid_id,
        status=ConflictStatus.RESOLVED if conflict.settled else ConflictStatus.OPEN,
        resolution=f"auto_{conflict.policy.value}" if conflict.settled else None,
        resolved_value=conflict.result if conflict.settled else None,
        resolved_at=utcnow() if conflict.settled else None,
        dedupe_key=key,
    )


async def _grid_of(
    session: AsyncSession, collection: SyncedType, document_id: uuid.UUID
) -> uuid.UUID | None:
    if collection.grid_of is None:
        return None
    statement = collection.source(select(collection.grid_of()).select_from(collection.model)).where(
        collection.model.id == document_id
    )
    found = await session.scalar(statement)
    return found if isinstance(found, uuid.UUID) else None


def _visible(who: Principal) -> Any:
    where = SyncConflict.community_id == who.community_id
    if who.is_admin:
        return where
    return where & SyncConflict.grid_id.in_(who.covered_grid_ids)


async def list_conflicts(
    session: AsyncSession, principal: Principal | None, status: ConflictStatus | None
) -> list[SyncConflict]:
    """The conflicts of the grids the staff member covers, newest first."""
    who = require_staff(principal)
    statement = select(SyncConflict).where(_visible(who))
    if status is not None:
        statement = statement.where(SyncConflict.status == status)
    rows = await session.scalars(
        statement.order_by(SyncConflict.created_at.desc(), SyncConflict.id).limit(LIST_MAX)
    )
    return list(rows)


async def resolve(
    session: AsyncSession,
    actor: Actor,
    collections: dict[str, SyncedType],
    conflict_id: uuid.UUID,
    resolution: str,
    value: Any = None,
) -> SyncConflict:
    """Decide a conflict once; taking the device's or an entered value writes it as a change.

    The row is locked (``FOR UPDATE`` on PostgreSQL; SQLite's writers take ``BEGIN
    IMMEDIATE``), so of two resolutions racing, the second waits, sees the first's decision
    and answers CONFLICT: the record and the document never disagree.
    """
    who = require_staff(actor.principal)
    conflict = await session.scalar(
        select(SyncConflict).where(SyncConflict.id == conflict_id, _visible(who)).with_for_update()
    )
    if conflict is None:
        raise NotFound(N_("conflict"), conflict_id)
    if conflict.status is ConflictStatus.RESOLVED:
        raise Conflict(N_("this conflict was already resolved; nothing was changed"))
    if resolution not in RESOLUTIONS:
        raise InvalidInput(
            "resolution", N_("must be one of: {allowed}"), allowed=", ".join(RESOLUTIONS)
        )
    collection = collections.get(conflict.collection)
    if collection is None or collection.writer is None:
        raise NotFound(N_("conflict"), conflict_id)
    chosen = {KEEP_SERVER: None, TAKE_DEVICE: conflict.device_value, ENTER_VALUE: value}
    if resolution != KEEP_SERVER:
        field = collection.field(conflict.field) if conflict.field != "deleted" else None
        if field is None or field.owner is not Owner.CLIENT:
            raise PermissionDenied(N_("this conflict can only be settled by keeping the server's"))
        changes = {field.write_key: chosen[resolution]}
        await collection.writer.update(session, actor, conflict.document_id, changes)
    conflict.status = ConflictStatus.RESOLVED
    conflict.resolution = resolution
    conflict.resolved_value = (
        chosen[resolution] if resolution != KEEP_SERVER else conflict.server_value
    )
    conflict.resolved_by_id = who.account_id
    conflict.resolved_at = utcnow()
    await session.flush()
    return conflict


async def subjects(
    session: AsyncSession, who: Principal, keys: Sequence[tuple[str, uuid.UUID]]
) -> dict[tuple[str, uuid.UUID], str]:
    """What each conflict is about, as staff say it: a household's building and unit, a
    resident's name with theirs (two statements for any number of conflicts). Only the
    conflicts a person may list reach here, so only for households they cover; never the room."""
    wanted: dict[str, set[uuid.UUID]] = {}
    for collection, document_id in keys:
        wanted.setdefault(collection, set()).add(document_id)
    found: dict[tuple[str, uuid.UUID], str] = {}
    if wanted.get("household"):
        homes = await session.execute(
            select(Household.id, Household.building, Household.unit).where(
                Household.id.in_(wanted["household"]), Household.community_id == who.community_id
            )
        )
        for id_, building, unit in homes:
            found[("household", id_)] = _address(building, unit)
    if wanted.get("resident"):
        people = await session.execute(
            select(Resident.id, Resident.name, Household.building, Household.unit)
            .join(Household, Household.id == Resident.household_id)
            .where(Resident.id.in_(wanted["resident"]), Resident.community_id == who.community_id)
        )
        for id_, name, building, unit in people:
            found[("resident", id_)] = f"{name}（{_address(building, unit)}）"
    return found


def _address(building: str, unit: str) -> str:
    return f"{building}{unit}"  # as registry.js writes it: 3号楼2单元
