"""Where an in-person ballot may be given: at an open meeting, by a voter who attends it.

A ballot given in person (现场投票) is recorded against a meeting (议事会 or 汇报会, the
polling session) that is open at the moment it is given: not cancelled, started, and less
than ``MEETING_OPEN_FOR`` ago. The recorder must run that meeting (staff covering its grid,
the admin for a community-wide one) as well as cover the voter, and the voter's attendance
at the meeting is on record: if the recorder has not recorded it yet, recording the ballot
records it, by the recorder, where every attendance list shows it. So a ballot in a
resident's name always leaves a visible trace of who recorded it, where and when; the admin
sees per meeting and recorder how many in-person ballots were recorded (``sessions_of``).

What the recorder learns. Recording a ballot for a voter who has already voted (online, in
person elsewhere, or through a housemate) answers exactly as a first ballot does: a receipt
and a slip token. That ballot is set aside (``SetAsideBallot``, without its choice): the
voter's own ballot stands, nothing is counted twice, and the admin sees the conflict. A
later change with that slip looks like any change. So a refusal never tells staff whether a
resident voted; only the slip from a voter's own earlier in-person ballot opens a change,
and the voter shows it themself. (What stays public is the live turnout every eligible
reader sees: on a quiet vote it moves by one for a counted ballot and not for a set-aside
one. Hiding it is a rule of what a vote shows while it runs, not of recording.)
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.electorate import VoterFacts
from domain.errors import DomainError, NotFound
from domain.i18n import N_
from domain.models import (
    Account,
    Attendance,
    Channel,
    Meeting,
    SetAsideBallot,
    Vote,
    VoterRecord,
)
from domain.permissions import require_admin
from domain.principal import Principal
from domain.services.ballot_keys import new_voter_secret, receipt_of
from domain.services.meetings import get_meeting, record_attendance

MEETING_OPEN_FOR = timedelta(hours=6)
"""How long after its start a meeting takes in-person ballots: an afternoon in the corridor."""


class MeetingNotOpen(DomainError):
    """The meeting named for an in-person ballot is not under way at the time it was given."""

    code = "MEETING_NOT_OPEN"


async def open_meeting(
    session: AsyncSession, who: Principal, meeting_id: uuid.UUID | None, at: datetime
) -> Meeting:
    """The meeting the recorder runs, if it is open at ``at`` (now, or a phone's cast time)."""
    if meeting_id is None:
        raise MeetingNotOpen(N_("name the meeting at which the ballot is given in person"))
    meeting = await get_meeting(session, who, meeting_id)
    if not who.is_admin and (meeting.grid_id is None or not who.covers(meeting.grid_id)):
        raise NotFound(N_("meeting"), meeting_id)
    if meeting.cancelled:
        raise MeetingNotOpen(N_("{title} was cancelled"), title=meeting.title)
    if at < meeting.starts_at:
        raise MeetingNotOpen(
            N_("{title} starts at {starts_at}; ballots are given in person there once it starts"),
            title=meeting.title,
            starts_at=meeting.starts_at.isoformat(timespec="minutes"),
        )
    if at >= meeting.starts_at + MEETING_OPEN_FOR:
        raise MeetingNotOpen(
            N_("{title} is over; in-person ballots are recorded while a meeting is under way"),
            title=meeting.title,
        )
    return meeting


async def attend(
    session: AsyncSession, who: Principal, meeting: Meeting, facts: VoterFacts
) -> None:
    """The voter's attendance at the meeting: already recorded, or recorded now by ``who``."""
    if facts.resident_id is not None:
        here = Attendance.resident_id == facts.resident_id
        name = None
    else:
        account = await session.get(Account, facts.account_id)
        if account is None:
            raise NotFound(N_("account"), facts.account_id)
        name = account.display_name
        here = (Attendance.resident_id.is_(None)) & (Attendance.name == name)
    found = await session.scalar(
        select(Attendance.id).where(
            Attendance.meeting_id == meeting.id, here, Attendance.deleted.is_(False)
        )
    )
    if found is None:
        await record_attendance(session, who, meeting.id, resident_id=facts.resident_id, name=name)


@dataclass(frozen=True)
class SetAside:
    """What the recorder is told about a set-aside ballot: the same as about a counted one."""

    receipt: str
    token: str


async def slip_set_aside(
    session: AsyncSession, vote: Vote, voter_key: str, token: str | None
) -> bool:
    """Whether ``token`` is the slip of a ballot set aside for this voter."""
    if token is None:
        return False
    found = await session.scalar(
        select(SetAsideBallot.id).where(
            SetAsideBallot.vote_id == vote.id,
            SetAsideBallot.voter_key == voter_key,
            SetAsideBallot.receipt == receipt_of(token),
        )
    )
    return found is not None


def set_aside(
    session: AsyncSession,
    who: Principal,
    vote: Vote,
    meeting: Meeting,
    voter_key: str,
    token: str | None,
) -> SetAside:
    """Keep the ballot for the admin, count nothing, and answer as for a counted one."""
    token = token or new_voter_secret()
    receipt = receipt_of(token)
    session.add(
        SetAsideBallot(
            id=uuid.uuid4(),
            community_id=vote.community_id,
            vote_id=vote.id,
            meeting_id=meeting.id,
            voter_key=voter_key,
            recorded_by_id=who.account_id,
            receipt=receipt,
        )
    )
    return SetAside(receipt, token)


@dataclass(frozen=True)
class PollingSession:
    """One meeting's in-person ballots by one recorder: counted, and set aside (conflicts)."""

    meeting_id: uuid.UUID
    meeting_title: str
    starts_at: datetime
    recorded_by_id: uuid.UUID
    recorded_by: str
    counted: int
    set_aside: int


async def sessions_of(
    session: AsyncSession, principal: Principal | None, vote_id: uuid.UUID
) -> list[PollingSession]:
    """Per meeting and recorder, the in-person ballots of a vote (admin only): who recorded
    how many, and how many were set aside because the voter had voted already."""
    who = require_admin(principal)
    vote = await session.scalar(
        select(Vote.id).where(Vote.id == vote_id, Vote.community_id == who.community_id)
    )
    if vote is None:
        raise NotFound(N_("vote"), vote_id)
    counted = await session.execute(
        select(VoterRecord.meeting_id, VoterRecord.recorded_by_id, func.count())
        .where(
            VoterRecord.vote_id == vote_id,
            VoterRecord.channel == Channel.IN_PERSON,
            VoterRecord.meeting_id.is_not(None),
        )
        .group_by(VoterRecord.meeting_id, VoterRecord.recorded_by_id)
    )
    aside = await session.execute(
        select(SetAsideBallot.meeting_id, SetAsideBallot.recorded_by_id, func.count())
        .where(SetAsideBallot.vote_id == vote_id)
        .group_by(SetAsideBallot.meeting_id, SetAsideBallot.recorded_by_id)
    )
    tallies: dict[tuple[uuid.UUID, uuid.UUID], list[int]] = {}
    for index, rows in enumerate((counted, aside)):
        for meeting_id, recorder, number in rows:
            assert meeting_id is not None and recorder is not None
            tallies.setdefault((meeting_id, recorder), [0, 0])[index] += int(number)
    if not tallies:
        return []
    meetings = {
        m.id: m
        for m in await session.scalars(
            select(Meeting).where(Meeting.id.in_({m for m, _ in tallies}))
        )
    }
    accounts = await session.scalars(select(Account).where(Account.id.in_({r for _, r in tallies})))
    names = {account.id: account.display_name for account in accounts}
    found = [
        PollingSession(
            meeting_id=meeting_id,
            meeting_title=meetings[meeting_id].title,
            starts_at=meetings[meeting_id].starts_at,
            recorded_by_id=recorder,
            recorded_by=names.get(recorder, ""),
            counted=numbers[0],
            set_aside=numbers[1],
        )
        for (meeting_id, recorder), numbers in tallies.items()
    ]
    return sorted(found, key=lambda s: (s.starts_at, s.meeting_title, s.recorded_by))
