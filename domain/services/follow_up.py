"""议事 → 落实 → 汇报 → 销号: a resolution agreed at a meeting, worked on, reported, closed.

Every step moves the topic through ``domain.lifecycle`` and leaves a transition record, so
the closed loop "every item has an outcome, every matter a reply" can be audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InvalidInput, NotFound
from domain.i18n import N_
from domain.lifecycle import FOLLOW_UP, InvalidTransition
from domain.models import (
    Account,
    AgendaItem,
    Meeting,
    MeetingKind,
    ProgressReport,
    Proposal,
    ProposalStatus,
    Resolution,
)
from domain.models.base import utcnow
from domain.permissions import require_login
from domain.principal import Principal
from domain.services.community_settings import rules_of
from domain.services.contacts import require_reporter
from domain.services.council_errors import NotOnAgenda, WrongMeetingKind
from domain.services.grids import community_grids, subtree_ids
from domain.services.meeting_clock import STEP, meeting_time, require_started
from domain.services.meetings import get_meeting, meeting_to_run
from domain.services.proposal_access import (
    Reference,
    clean_long_text,
    clean_reason,
    clean_references,
    get_proposal,
    move,
    require_manage,
)
from domain.services.rating_windows import open_window
from domain.stored_text import encode as stored
from domain.validation import clean_text

SOLUTION_MAX = 2000
CONTACT_NAME_MAX = 50
REPORT_MAX = 2000
DEADLINE_HORIZON = timedelta(days=3 * 366)


@dataclass(frozen=True)
class Agreement:
    """What the meeting agreed: the solution, the contact person (联系人), the deadline."""

    solution: str
    deadline: date
    contact_account_id: uuid.UUID | None = None
    contact_name: str | None = None


async def _contact(
    session: AsyncSession, principal: Principal, agreement: Agreement
) -> tuple[uuid.UUID | None, str]:
    name = clean_text(
        "contactName", agreement.contact_name, max_length=CONTACT_NAME_MAX, required=False
    )
    if agreement.contact_account_id is None:
        if not name:
            raise InvalidInput("contactName", N_("name a contact person, or give their account"))
        return None, name
    account = await session.get(Account, agreement.contact_account_id)
    if account is None or account.community_id != principal.community_id or account.disabled:
        raise NotFound(N_("account"), agreement.contact_account_id)
    return account.id, name or account.display_name


async def deliberate(
    session: AsyncSession,
    principal: Principal | None,
    meeting_id: uuid.UUID,
    proposal_id: uuid.UUID,
    agreement: Agreement,
) -> Resolution:
    """议事: the agenda item's resolution is recorded and the topic becomes deliberated."""
    who, meeting = await meeting_to_run(session, principal, meeting_id)
    if meeting.kind is not MeetingKind.DELIBERATION:
        raise WrongMeetingKind(N_("topics are deliberated at a deliberation meeting (议事会)"))
    on_agenda = await session.scalar(
        select(AgendaItem.id).where(
            AgendaItem.meeting_id == meeting.id, AgendaItem.proposal_id == proposal_id
        )
    )
    if on_agenda is None:
        raise NotOnAgenda(N_("put the topic on this meeting's agenda first"))
    require_started(meeting)
    proposal = await get_proposal(session, who, proposal_id, lock=True)
    require_manage(who, proposal)
    solution = clean_long_text(
        "solution", agreement.solution, max_length=SOLUTION_MAX, required=True
    )
    contact_account, contact_name = await _contact(session, who, agreement)
    held_on = meeting.starts_at.date()
    if agreement.deadline < held_on:
        raise InvalidInput("deadline", N_("the deadline cannot be before the meeting"))
    if agreement.deadline > held_on + DEADLINE_HORIZON:
        raise InvalidInput("deadline", N_("the deadline must be within three years"))
    move(
        session,
        proposal,
        ProposalStatus.DELIBERATED,
        actor=who.account_id,
        reason=stored(N_("deliberated at {title}"), {"title": meeting.title}),
        at=(agreed_at := await meeting_time(session, proposal, meeting)),
    )
    resolution = await session.scalar(
        select(Resolution).where(Resolution.proposal_id == proposal.id)
    )
    if resolution is None:
        resolution = Resolution(
            id=uuid.uuid4(), community_id=proposal.community_id, proposal_id=proposal.id
        )
        session.add(resolution)
    # A resolution that a failed vote sent back to deliberation is agreed anew in its place;
    # the topic's history keeps the vote's result, the vote its own record.
    resolution.meeting_id = meeting.id
    resolution.solution = solution
    resolution.contact_account_id = contact_account
    resolution.contact_name = contact_name
    resolution.deadline = agreement.deadline
    if agreed_at is not None:
        resolution.created_at = resolution.updated_at = agreed_at
    await session.flush()
    return resolution


async def report_progress(
    session: AsyncSession,
    principal: Principal | None,
    proposal_id: uuid.UUID,
    *,
    text: str,
    percent_done: int,
    photos: Sequence[Reference] = (),
    meeting_id: uuid.UUID | None = None,
) -> ProgressReport:
    """落实: work starts with the first report; a report given at a 汇报会 reports it back.

    Staff who manage the topic report, and so does its resolution's contact (联系人).
    """
    proposal = await get_proposal(session, require_login(principal), proposal_id, lock=True)
    who = await require_reporter(session, principal, proposal, at_meeting=meeting_id is not None)
    body = clean_long_text("text", text, max_length=REPORT_MAX, required=True)
    if not 0 <= percent_done <= 100:
        raise InvalidInput("percentDone", N_("must be between 0 and 100"))
    cleaned_photos = clean_references("photos", photos)
    meeting: Meeting | None = None
    if meeting_id is not None:
        meeting = await get_meeting(session, who, meeting_id)
        if meeting.kind is not MeetingKind.REPORT_BACK:
            raise WrongMeetingKind(
                N_("progress is reported back at a report-back meeting (汇报会)")
            )
        require_started(meeting)
    if proposal.status not in FOLLOW_UP:
        raise InvalidTransition(proposal.status, ProposalStatus.IN_PROGRESS)
    at = await meeting_time(session, proposal, meeting) if meeting is not None else None
    if proposal.status is ProposalStatus.DELIBERATED:
        move(
            session,
            proposal,
            ProposalStatus.IN_PROGRESS,
            actor=who.account_id,
            reason=stored(N_("first progress report")),
            at=at,
        )
        at = at + STEP if at is not None else None
    if meeting is not None and proposal.status is ProposalStatus.IN_PROGRESS:
        move(
            session,
            proposal,
            ProposalStatus.REPORTED,
            actor=who.account_id,
            reason=stored(N_("reported back at {title}"), {"title": meeting.title}),
            at=at,
        )
    report = ProgressReport(
        id=uuid.uuid4(),
        community_id=proposal.community_id,
        proposal_id=proposal.id,
        meeting_id=meeting.id if meeting else None,
        text=body,
        photos=cleaned_photos,
        percent_done=percent_done,
        reported_by_id=who.account_id,
    )
    session.add(report)
    await session.flush()
    return report


async def close_proposal(
    session: AsyncSession,
    principal: Principal | None,
    proposal_id: uuid.UUID,
    reason: str | None = None,
    *,
    now: datetime | None = None,
) -> Proposal:
    """销号: a new closing round opens its rating window (评菜期) for raisers and supporters."""
    who = require_login(principal)
    proposal = await get_proposal(session, who, proposal_id, lock=True)
    require_manage(who, proposal)
    why = clean_reason(reason, required=False)
    moment = now or utcnow()
    move(session, proposal, ProposalStatus.CLOSED, actor=who.account_id, reason=why, at=now)
    proposal.close_round += 1
    await session.flush()
    await open_window(session, proposal, await rules_of(session, proposal.community_id), moment)
    return proposal


async def report_back(
    session: AsyncSession, principal: Principal | None, meeting_id: uuid.UUID
) -> tuple[Meeting, list[Proposal]]:
    """A 汇报会 lists every open resolution (in its grid, if it has one), oldest deadline first."""
    who = require_login(principal)
    meeting = await get_meeting(session, who, meeting_id)
    if meeting.kind is not MeetingKind.REPORT_BACK:
        raise WrongMeetingKind(N_("only a report-back meeting (汇报会) lists open resolutions"))
    statement = (
        select(Proposal)
        .join(Resolution, Resolution.proposal_id == Proposal.id)
        .where(
            Proposal.community_id == who.community_id,
            Proposal.deleted.is_(False),
            Proposal.status.in_(FOLLOW_UP),
        )
        .order_by(Resolution.deadline, Proposal.id)
    )
    if meeting.grid_id is not None:
        grids = await community_grids(session, who.community_id)
        statement = statement.where(Proposal.grid_id.in_(subtree_ids(grids, [meeting.grid_id])))
    return meeting, list(await session.scalars(statement))
