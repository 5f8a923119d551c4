"""长廊议事会 and 长廊汇报会: scheduling, the ordered agenda, attendance and minutes.

Putting a submitted topic on an agenda is what accepts it; deliberating it at the meeting
(see ``domain.services.resolutions``) records the agreed solution. A meeting with a grid is
run by staff covering that grid; a community-wide one by the admin.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InvalidInput, NotFound, PermissionDenied
from domain.i18n import N_
from domain.lifecycle import InvalidTransition
from domain.models import (
    AgendaItem,
    Attendance,
    Household,
    Meeting,
    MeetingKind,
    ProposalStatus,
    Resident,
    Resolution,
)
from domain.permissions import require_login, require_staff
from domain.principal import Principal
from domain.services.council_errors import (
    AlreadyDeliberated,
    AlreadyOnAgenda,
    AlreadyRecorded,
    NotOnAgenda,
    WrongMeetingKind,
)
from domain.services.proposal_access import (
    check_grid,
    clean_long_text,
    get_proposal,
    move,
    require_manage,
)
from domain.stored_text import encode as stored
from domain.validation import clean_text

TITLE_MAX = 100
PLACE_MAX = 100
NAME_MAX = 50
MINUTES_MAX = 20_000
AGENDA_MAX = 100


def _require_runs(principal: Principal, meeting: Meeting) -> None:
    if principal.is_admin:
        return
    if meeting.grid_id is None or not principal.covers(meeting.grid_id):
        raise PermissionDenied(N_("this meeting is not in a grid under your posts"))


async def get_meeting(
    session: AsyncSession, principal: Principal, meeting_id: uuid.UUID, *, lock: bool = False
) -> Meeting:
    statement = select(Meeting).where(
        Meeting.id == meeting_id, Meeting.community_id == principal.community_id
    )
    if lock:
        statement = statement.with_for_update()
    meeting = await session.scalar(statement)
    if meeting is None:
        raise NotFound(N_("meeting"), meeting_id)
    return meeting


async def meeting_to_run(
    session: AsyncSession, principal: Principal | None, meeting_id: uuid.UUID
) -> tuple[Principal, Meeting]:
    """The meeting, locked, for staff who run it: agenda changes are serialised per meeting."""
    who = require_staff(principal)
    meeting = await get_meeting(session, who, meeting_id, lock=True)
    _require_runs(who, meeting)
    return who, meeting


async def schedule_meeting(
    session: AsyncSession,
    principal: Principal | None,
    *,
    kind: MeetingKind,
    title: str,
    starts_at: datetime,
    place: str,
    grid_id: uuid.UUID | None,
) -> Meeting:
    who = require_staff(principal)
    if starts_at.tzinfo is None:
        raise InvalidInput("startsAt", N_("give a time with its UTC offset"))
    if grid_id is not None:
        await check_grid(session, who, grid_id)
    meeting = Meeting(
        id=uuid.uuid4(),
        community_id=who.community_id,
        kind=kind,
        title=clean_text("title", title, max_length=TITLE_MAX),
        starts_at=starts_at,
        place=clean_text("place", place, max_length=PLACE_MAX),
        grid_id=grid_id,
        minutes="",
    )
    _require_runs(who, meeting)
    session.add(meeting)
    await session.flush()
    return meeting


async def list_meetings(session: AsyncSession, principal: Principal | None) -> list[Meeting]:
    who = require_login(principal)
    rows = await session.scalars(
        select(Meeting)
        .where(Meeting.community_id == who.community_id)
        .order_by(Meeting.starts_at.desc(), Meeting.id)
        .limit(200)
    )
    return list(rows)


async def agenda_of(session: AsyncSession, meeting_id: uuid.UUID) -> list[AgendaItem]:
    rows = await session.scalars(
        select(AgendaItem)
        .where(AgendaItem.meeting_id == meeting_id)
        .order_by(AgendaItem.sort_order, AgendaItem.id)
    )
    return list(rows)


async def add_agenda_item(
    session: AsyncSession,
    principal: Principal | None,
    meeting_id: uuid.UUID,
    proposal_id: uuid.UUID,
) -> Meeting:
    """On the agenda of a 议事会, a submitted topic is accepted (an accepted one may move on)."""
    who, meeting = await meeting_to_run(session, principal, meeting_id)
    if meeting.kind is not MeetingKind.DELIBERATION:
        raise WrongMeetingKind(
            N_("topics are put on the agenda of a deliberation meeting (议事会)")
        )
    proposal = await get_proposal(session, who, proposal_id, lock=True)
    require_manage(who, proposal)
    items = await agenda_of(session, meeting.id)
    if any(item.proposal_id == proposal.id for item in items):
        raise AlreadyOnAgenda(N_("this topic is already on the meeting's agenda"))
    if len(items) >= AGENDA_MAX:
        raise InvalidInput(
            "proposalId", N_("an agenda holds at most {count} items"), count=AGENDA_MAX
        )
    if proposal.status is ProposalStatus.SUBMITTED:
        move(
            session,
            proposal,
            ProposalStatus.ACCEPTED,
            actor=who.account_id,
            reason=stored(N_("on the agenda of {title}"), {"title": meeting.title}),
        )
    elif proposal.status is not ProposalStatus.ACCEPTED:
        raise InvalidTransition(proposal.status, ProposalStatus.ACCEPTED)
    last = max((item.sort_order for item in items), default=0)
    session.add(
        AgendaItem(
            community_id=meeting.community_id,
            meeting_id=meeting.id,
            proposal_id=proposal.id,
            sort_order=last + 1,
        )
    )
    await session.flush()
    return meeting


async def remove_agenda_item(
    session: AsyncSession,
    principal: Principal | None,
    meeting_id: uuid.UUID,
    proposal_id: uuid.UUID,
) -> Meeting:
    """The topic stays accepted, waiting for another meeting; a deliberated item stays put."""
    _who, meeting = await meeting_to_run(session, principal, meeting_id)
    items = await agenda_of(session, meeting.id)
    item = next((item for item in items if item.proposal_id == proposal_id), None)
    if item is None:
        raise NotOnAgenda(N_("this topic is not on the meeting's agenda"))
    decided = await session.scalar(
        select(Resolution.id).where(
            Resolution.proposal_id == proposal_id, Resolution.meeting_id == meeting.id
        )
    )
    if decided is not None:
        raise AlreadyDeliberated(N_("this item was deliberated at the meeting and stays on record"))
    await session.delete(item)
    for position, rest in enumerate((i for i in items if i is not item), start=1):
        rest.sort_order = position
    await session.flush()
    return meeting


async def reorder_agenda(
    session: AsyncSession,
    principal: Principal | None,
    meeting_id: uuid.UUID,
    proposal_ids: Sequence[uuid.UUID],
) -> Meeting:
    _who, meeting = await meeting_to_run(session, principal, meeting_id)
    items = {item.proposal_id: item for item in await agenda_of(session, meeting.id)}
    if len(proposal_ids) != len(set(proposal_ids)) or set(proposal_ids) != set(items):
        raise InvalidInput("proposalIds", N_("list every topic on the agenda exactly once"))
    for position, proposal_id in enumerate(proposal_ids, start=1):
        items[proposal_id].sort_order = position
    await session.flush()
    return meeting


async def record_attendance(
    session: AsyncSession,
    principal: Principal | None,
    meeting_id: uuid.UUID,
    *,
    resident_id: uuid.UUID | None,
    name: str | None,
    attendance_id: uuid.UUID | None = None,
) -> Attendance:
    """A resident from the register, or just a name for a neighbour without an account.

    ``attendance_id`` is the id a phone minted when it recorded the attendance offline.
    """
    who, meeting = await meeting_to_run(session, principal, meeting_id)
    if resident_id is not None:
        resident = await session.scalar(
            select(Resident)
            .join(Household, Household.id == Resident.household_id)
            .where(
                Resident.id == resident_id,
                Resident.community_id == who.community_id,
                Resident.deleted.is_(False),
            )
        )
        if resident is None:
            raise NotFound(N_("resident"), resident_id)
        duplicate = await session.scalar(
            select(func.count(Attendance.id)).where(
                Attendance.meeting_id == meeting.id,
                Attendance.resident_id == resident.id,
                Attendance.deleted.is_(False),
            )
        )
        if duplicate:
            raise AlreadyRecorded(N_("this resident's attendance is already recorded"))
        shown = resident.name
    else:
        shown = clean_text("name", name, max_length=NAME_MAX)
    attendance = Attendance(
        id=attendance_id or uuid.uuid4(),
        community_id=who.community_id,
        meeting_id=meeting.id,
        resident_id=resident_id,
        name=shown,
        recorded_by_id=who.account_id,
    )
    session.add(attendance)
    await session.flush()
    return attendance


async def remove_attendance(
    session: AsyncSession, principal: Principal | None, attendance_id: uuid.UUID
) -> Attendance:
    """A mistaken attendance record, withdrawn by staff who run the meeting (a soft delete)."""
    who = require_staff(principal)
    attendance = await session.scalar(
        select(Attendance).where(
            Attendance.id == attendance_id, Attendance.community_id == who.community_id
        )
    )
    if attendance is None:
        raise NotFound(N_("attendance"), attendance_id)
    await meeting_to_run(session, who, attendance.meeting_id)
    attendance.deleted = True
    await session.flush()
    return attendance


async def set_minutes(
    session: AsyncSession, principal: Principal | None, meeting_id: uuid.UUID, minutes: str
) -> Meeting:
    _who, meeting = await meeting_to_run(session, principal, meeting_id)
    meeting.minutes = clean_long_text("minutes", minutes, max_length=MINUTES_MAX, required=False)
    await session.flush()
    return meeting
