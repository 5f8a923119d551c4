"""The live tally of a vote, as far as its rule lets it be shown while it runs."""

from __future__ import annotations

import asyncio
import contextlib
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
from schema.live import subscriber
from schema.loaders import Loaders
from schema.votes.reading import read_votes
from schema.votes.types import Tally, Vote


@strawberry.type
class VoteSubscriptions:
    @strawberry.subscription(
        description="The tally now, after every ballot, and once more when the vote closes. "
        "Counts stay hidden where the rule hides them (secret votes while open, "
        "hideResultsUntilClose); turnout is always live."
    )
    async def vote_tally(self, info: Info, vote_id: uuid.UUID) -> AsyncGenerator[Tally, None]:
        await subscriber(info)

        async def fetch(session: AsyncSession, who: Principal) -> list[models.Vote]:
            return [await votes.get_vote(session, who, vote_id)]

        async def read() -> Vote:
            info.context.loaders = Loaders(info.context.db, info.context.principal)
            return (await read_votes(info, fetch))[0]

        async with info.context.events.subscribe(tally_channel(vote_id)) as events:
            vote = await read()
            yield vote.tally
            while True:
                # Until the vote closes, wake at its closing time too: that read closes it.
                until_close = (vote.final_at - utcnow()).total_seconds() + 0.5
                timeout = None if vote.tally.final else max(until_close, 0.5)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(anext(events), timeout)
                vote = await read()
                yield vote.tally
