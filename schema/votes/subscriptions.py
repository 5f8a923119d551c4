"""The live tally of a vote, as far as its rule lets it be shown while it runs."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from domain import models
from domain.models.base import utcnow
from domain.principal import Principal
from domain.services import votes
from schema.context import Info
from schema.events import tally_channel
from schema.live import live_session
from schema.votes.reading import read_votes
from schema.votes.types import Tally, Vote


def _until_next_state(vote: Vote) -> float:
    now = utcnow()
    upcoming = [moment for moment in (vote.opens_at, vote.closes_at, vote.final_at) if moment > now]
    return max((min(upcoming, default=now) - now).total_seconds() + 0.5, 0.5)


@strawberry.type
class VoteSubscriptions:
    @strawberry.subscription(
        description="The tally now, after every ballot, and again at each change of the "
        "vote's state (open, closed and COUNTING, result fixed), which `status` says. Counts "
        "stay hidden where the rule hides them (secret votes and hideResultsUntilClose, until "
        "the result is fixed); turnout is always live."
    )
    async def vote_tally(self, info: Info, vote_id: uuid.UUID) -> AsyncGenerator[Tally, None]:

        async def fetch(session: AsyncSession, who: Principal) -> list[models.Vote]:
            return [await votes.get_vote(session, who, vote_id)]

        async def read() -> Vote:
            return (await read_votes(info, fetch))[0]

        async with (
            live_session(info) as session,
            info.context.events.subscribe(tally_channel(vote_id)) as events,
        ):
            vote = await read()
            yield vote.tally
            while True:
                # Until the result is fixed, wake at the vote's next change of state too
                # (its close, the end of counting): that read shows it, or fixes the result.
                timeout = None if vote.tally.final else _until_next_state(vote)
                await session.wait(events, timeout)
                vote = await read()
                yield vote.tally
