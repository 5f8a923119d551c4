"""A council decides at its meeting (议事会) and reports back at its 汇报会, never before them.

Deliberating a topic or reporting it back at a meeting is refused until the meeting has
started. What the meeting did is dated at the meeting: the topic's history entry takes the
meeting's start time, so the record reads "deliberated at the meeting of the 5th" even when
the secretary types the minutes in the next morning. One exception keeps the history in
order: when the topic's latest entry is later than the meeting's start (it was put on the
agenda of a meeting already under way, or entered after the fact), the entry takes the time
it is recorded instead.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.i18n import N_
from domain.models import Meeting, Proposal, ProposalTransition
from domain.models.base import utcnow
from domain.services.council_errors import MeetingNotStarted

STEP = timedelta(microseconds=1)
"""Between two entries one meeting records for one topic (begun, then reported back)."""


def require_started(meeting: Meeting, now: datetime | None = None) -> None:
    if (now or utcnow()) < meeting.starts_at:
        raise MeetingNotStarted(
            N_("{title} has not started yet (it starts at {starts_at}): record it at the meeting"),
            title=meeting.title,
            starts_at=meeting.starts_at.isoformat(timespec="minutes"),
        )


async def meeting_time(
    session: AsyncSession, proposal: Proposal, meeting: Meeting
) -> datetime | None:
    """When the meeting's decision on ``proposal`` is dated; None: the time it is recorded."""
    latest = await session.scalar(
        select(func.max(ProposalTransition.created_at)).where(
            ProposalTransition.proposal_id == proposal.id
        )
    )
    if latest is not None and latest >= meeting.starts_at:
        return None
    return meeting.starts_at
