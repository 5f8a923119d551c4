"""Live council events: new topics as they are raised, a meeting's agenda as it changes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import strawberry

from domain import models
from domain.errors import DomainError
from domain.principal import Principal
from domain.services import meetings, proposal_queries
from schema.context import Info
from schema.council.meeting_types import Meeting
from schema.council.topic_types import Proposal
from schema.events import agenda_channel, proposals_channel
from schema.live import live_session, watch
from schema.live_session import LiveSession


async def _raised(info: Info, who: Principal, event: dict[str, Any]) -> list[models.Proposal]:
    """One topic (``raised``) or a suggestion box batch (``released``), read in one statement."""
    async with info.context.db.read() as session:
        if event.get("event") == "released":
            ids = [uuid.UUID(str(value)) for value in event["proposalIds"]]
            return await proposal_queries.read_released(session, who, ids)
        return [
            await proposal_queries.read_proposal(session, who, uuid.UUID(str(event["proposalId"])))
        ]


@strawberry.type
class CouncilSubscriptions:
    @strawberry.subscription(
        description="Topics raised in your community from now on. Topics from the suggestion "
        "box arrive as a released batch, all at once and in random (id) order."
    )
    async def proposal_raised(self, info: Info) -> AsyncGenerator[Proposal, None]:
        async with live_session(info) as session:
            channel = proposals_channel(session.principal.community_id)
            async with info.context.events.subscribe(channel) as events:
                async for rows in _raised_rows(info, session, events):
                    for row in rows:
                        yield Proposal.of(row)

    @strawberry.subscription(description="A meeting with its agenda: now, then after each change.")
    async def agenda_changed(
        self, info: Info, meeting_id: uuid.UUID
    ) -> AsyncGenerator[Meeting, None]:
        async def read(session: LiveSession) -> Meeting:
            async with info.context.db.read() as db_session:
                return Meeting.of(
                    await meetings.get_meeting(db_session, session.principal, meeting_id)
                )

        async for meeting in watch(info, agenda_channel(meeting_id), read):
            yield meeting


async def _raised_rows(
    info: Info, session: LiveSession, events: AsyncIterator[dict[str, Any]]
) -> AsyncIterator[list[models.Proposal]]:
    """The topics of each event, read as the subscriber now is (checked on every event)."""
    while True:
        event = await session.wait(events)
        if event is None:
            continue
        who = session.principal
        try:
            rows = await _raised(info, who, event)
        except (DomainError, KeyError, ValueError, TypeError):
            continue  # not visible to this subscriber, or not a topic event
        yield rows
