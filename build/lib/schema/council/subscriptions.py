"""Live council events: new topics as they are raised, a meeting's agenda as it changes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator

import strawberry

from domain.errors import DomainError
from domain.services import meetings, proposal_queries
from schema.context import Info
from schema.council.meeting_types import Meeting
from schema.council.topic_types import Proposal
from schema.events import agenda_channel, proposals_channel
from schema.live import subscriber, watch
from schema.loaders import Loaders


@strawberry.type
class CouncilSubscriptions:
    @strawberry.subscription(description="Topics raised in your community from now on.")
    async def proposal_raised(self, info: Info) -> AsyncGenerator[Proposal, None]:
        who = await subscriber(info)
        async with info.context.events.subscribe(proposals_channel(who.community_id)) as events:
            async for event in events:
                info.context.loaders = Loaders(info.context.db, who)
                try:
                    async with info.context.db.read() as session:
                        row = await proposal_queries.read_proposal(
                            session, who, uuid.UUID(str(event["proposalId"]))
                        )
                except (DomainError, KeyError, ValueError):
                    continue  # not visible to this subscriber, or not a topic event
                yield Proposal.of(row)

    @strawberry.subscription(description="A meeting with its agenda: now, then after each change.")
    async def agenda_changed(
        self, info: Info, meeting_id: uuid.UUID
    ) -> AsyncGenerator[Meeting, None]:
        who = await subscriber(info)

        async def read() -> Meeting:
            async with info.context.db.read() as session:
                return Meeting.of(await meetings.get_meeting(session, who, meeting_id))

        async for meeting in watch(info, agenda_channel(meeting_id), read):
            yield meeting
