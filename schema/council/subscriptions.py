"""Live council events: new topics as they are raised, a meeting's agenda as it changes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator
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
from schema.live import subscriber, watch
from schema.loaders import Loaders


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
        who = await subscriber(info)
        async with info.context.events.subscribe(proposals_channel(who.community_id)) as events:
            async for event in events:
                info.context.loaders = Loaders(info.context.db, who)
                try:
                    rows = await _raised(info, who, event)
                except (DomainError, KeyError, ValueError, TypeError):
                    continue  # not visible to this subscriber, or not a topic event
                for row in rows:
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
