"""Who came to a meeting, recorded on a phone at the corridor meeting itself."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InvalidInput
from domain.i18n import N_
from domain.models import Attendance, Meeting, Synced
from domain.services import meetings
from sync.collections.convert import as_uuid, required_uuid
from sync.collections.households import covers_through
from sync.declaration import Actor, Field, Kind, Owner, ScopeSpec, SyncedType


class AttendanceWriter:
    async def create(
        self, session: AsyncSession, actor: Actor, document_id: uuid.UUID, values: Mapping[str, Any]
    ) -> Synced:
        return await meetings.record_attendance(
            session,
            actor.principal,
            required_uuid("meetingId", values.get("meeting_id")),
            resident_id=as_uuid("residentId", values.get("resident_id"), required=False),
            name=values.get("name"),
            attendance_id=document_id,
        )

    async def update(
        self,
        session: AsyncSession,
        actor: Actor,
        document_id: uuid.UUID,
        changes: Mapping[str, Any],
    ) -> Synced:
        raise InvalidInput(
            next(iter(changes), "attendance"),
            N_("an attendance is recorded once; delete it and record it again"),
        )

    async def delete(self, session: AsyncSession, actor: Actor, document_id: uuid.UUID) -> Synced:
        return await meetings.remove_attendance(session, actor.principal, document_id)


def _scope(scope: ScopeSpec) -> ColumnElement[bool]:
    covered = covers_through(Meeting.grid_id, Meeting.id == Attendance.meeting_id, scope)
    if scope.grid_ids is None:
        return covered
    return or_(covered, Attendance.recorded_by_id == scope.account_id)


ATTENDANCE = SyncedType(
    name="attendance",
    model=Attendance,
    description="Attendance at meetings in the device's grids, and what its account recorded.",
    fields=(
        Field("meetingId", Kind.ID, lambda: Attendance.meeting_id, key="meeting_id"),
        Field("residentId", Kind.ID, lambda: Attendance.resident_id, key="resident_id"),
        Field("name", Kind.TEXT, lambda: Attendance.name),
        Field("recordedById", Kind.ID, lambda: Attendance.recorded_by_id, owner=Owner.SERVER),
    ),
    scope=_scope,
    writer=AttendanceWriter(),
    grid_of=lambda: (
        select(Meeting.grid_id).where(Meeting.id == Attendance.meeting_id).scalar_subquery()
    ),
)
