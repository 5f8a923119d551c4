"""Running meetings: schedule, agenda (add accepts a topic), attendance, minutes, deliberate.

Agenda changes are announced on the meeting's channel after they commit (ids only).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from domain.services import follow_up, meetings
from schema.context import Info
from schema.council.meeting_types import Attendance, Meeting, MeetingKind
from schema.council.topic_types import Resolution
from schema.errors import Error, result_union
from schema.events import agenda_channel
from schema.mutations.transaction import in_transaction

MeetingChangeResult = result_union("MeetingChangeResult", Meeting)
AttendanceResult = result_union("AttendanceResult", Attendance)
DeliberateResult = result_union("DeliberateResult", Resolution)

T = TypeVar("T")


async def _announced(
    info: Info,
    meeting_id: uuid.UUID,
    event: str,
    work: Callable[[AsyncSession], Awaitable[T]],
) -> T | Error:
    result = await in_transaction(info, work)
    if not isinstance(result, Error):
        await info.context.events.publish(
            agenda_channel(meeting_id), {"event": event, "meetingId": str(meeting_id)}
        )
    return result


@strawberry.input(description="Who agreed to do it by when: an account and/or a name.")
class AgreementInput:
    solution: str
    deadline: date
    contact_account_id: uuid.UUID | None = None
    contact_name: str | None = None


@strawberry.type
class MeetingMutations:
    @strawberry.mutation(description="Schedule a 议事会 or 汇报会 (a grid's, or the community's).")
    async def schedule_meeting(
        self,
        info: Info,
        kind: MeetingKind,
        title: str,
        starts_at: datetime,
        place: str,
        grid_id: uuid.UUID | None = None,
    ) -> MeetingChangeResult:
        async def work(session: AsyncSession) -> Meeting:
            row = await meetings.schedule_meeting(
                session,
                info.context.principal,
                kind=kind,
                title=title,
                starts_at=starts_at,
                place=place,
                grid_id=grid_id,
            )
            return Meeting.of(row)

        return await in_transaction(info, work)

    @strawberry.mutation(description="Put a topic on the agenda; a submitted topic is accepted.")
    async def add_agenda_item(
        self, info: Info, meeting_id: uuid.UUID, proposal_id: uuid.UUID
    ) -> MeetingChangeResult:
        async def work(session: AsyncSession) -> Meeting:
            return Meeting.of(
                await meetings.add_agenda_item(
                    session, info.context.principal, meeting_id, proposal_id
                )
            )

        return await _announced(info, meeting_id, "item_added", work)

    @strawberry.mutation(description="Take a topic off the agenda (it stays accepted).")
    async def remove_agenda_item(
        self, info: Info, meeting_id: uuid.UUID, proposal_id: uuid.UUID
    ) -> MeetingChangeResult:
        async def work(session: AsyncSession) -> Meeting:
            return Meeting.of(
                await meetings.remove_agenda_item(
                    session, info.context.principal, meeting_id, proposal_id
                )
            )

        return await _announced(info, meeting_id, "item_removed", work)

    @strawberry.mutation(description="The agenda's new order: every topic on it exactly once.")
    async def reorder_agenda(
        self, info: Info, meeting_id: uuid.UUID, proposal_ids: list[uuid.UUID]
    ) -> MeetingChangeResult:
        async def work(session: AsyncSession) -> Meeting:
            return Meeting.of(
                await meetings.reorder_agenda(
                    session, info.context.principal, meeting_id, proposal_ids
                )
            )

        return await _announced(info, meeting_id, "reordered", work)

    @strawberry.mutation(description="Staff record who came: a registered resident or a name.")
    async def record_attendance(
        self,
        info: Info,
        meeting_id: uuid.UUID,
        resident_id: uuid.UUID | None = None,
        name: str | None = None,
    ) -> AttendanceResult:
        async def work(session: AsyncSession) -> Attendance:
            row = await meetings.record_attendance(
                session, info.context.principal, meeting_id, resident_id=resident_id, name=name
            )
            return Attendance.of(row, True)

        return await in_transaction(info, work)

    @strawberry.mutation
    async def set_minutes(
        self, info: Info, meeting_id: uuid.UUID, minutes: str
    ) -> MeetingChangeResult:
        async def work(session: AsyncSession) -> Meeting:
            return Meeting.of(
                await meetings.set_minutes(session, info.context.principal, meeting_id, minutes)
            )

        return await in_transaction(info, work)

    @strawberry.mutation(
        description="议事: record the agreed solution, contact person (联系人) and deadline; "
        "refused (MEETING_NOT_STARTED) until the meeting has started, and dated at its start."
    )
    async def deliberate(
        self,
        info: Info,
        meeting_id: uuid.UUID,
        proposal_id: uuid.UUID,
        agreement: AgreementInput,
    ) -> DeliberateResult:
        async def work(session: AsyncSession) -> Resolution:
            row = await follow_up.deliberate(
                session,
                info.context.principal,
                meeting_id,
                proposal_id,
                follow_up.Agreement(
                    solution=agreement.solution,
                    deadline=agreement.deadline,
                    contact_account_id=agreement.contact_account_id,
                    contact_name=agreement.contact_name,
                ),
            )
            return Resolution.of(row)

        return await _announced(info, meeting_id, "deliberated", work)
