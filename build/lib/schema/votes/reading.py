"""Reading votes: finalize what is due first, then present many votes in a fixed few queries.

A vote whose closing time has passed is finalized by the first read or write that meets it,
in its own transaction (so a refused late ballot cannot roll the closing back with it).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from domain import models
from domain.errors import DomainError
from domain.models.base import utcnow
from domain.permissions import require_login
from domain.principal import Principal
from domain.services import ballots, votes
from schema.context import Info
from schema.errors import Error, to_graphql_error
from schema.events import tally_channel
from schema.votes.types import Vote

T = TypeVar("T")


async def publish_tally(info: Info, vote_id: uuid.UUID) -> None:
    """Tell subscribers to re-read the tally; the payload names the vote and nothing else."""
    await info.context.events.publish(tally_channel(vote_id), {"voteId": str(vote_id)})


async def finalize(info: Info, principal: Principal, vote_id: uuid.UUID) -> None:
    async with info.context.db.transaction() as session:
        await ballots.finalize(session, principal.community_id, vote_id, utcnow())
    await publish_tally(info, vote_id)


async def settle(info: Info, vote_id: uuid.UUID) -> None:
    """Before a write: finalize the vote if its time is up. Unknown ids are left to the write."""
    principal = info.context.principal
    if principal is None:
        return
    try:
        async with info.context.db.read() as session:
            vote = await votes.get_vote(session, principal, vote_id)
            due = votes.is_due(vote, utcnow())
    except DomainError:
        return
    if due:
        await finalize(info, principal, vote_id)


async def present(
    session: AsyncSession, principal: Principal, rows: list[models.Vote]
) -> list[Vote]:
    """Votes with their tallies and the viewer's status: one grouped count for all of them."""
    now = utcnow()
    running = [row.id for row in rows if row.closed_at is None]
    counts = await votes.live_counts(session, running)
    statuses = await votes.voter_statuses(session, principal, rows)
    return [
        Vote.of(
            row,
            votes.status_of(row, now),
            votes.publish_tally(row, counts.get(row.id, []), now),
            statuses[row.id],
        )
        for row in rows
    ]


async def read_votes(
    info: Info,
    fetch: Callable[[AsyncSession, Principal], Awaitable[list[models.Vote]]],
) -> list[Vote]:
    who = require_login(info.context.principal)
    async with info.context.db.read() as session:
        rows = await fetch(session, who)
        now = utcnow()
        due = [row.id for row in rows if votes.is_due(row, now)]
        if not due:
            return await present(session, who, rows)
    for vote_id in due:
        await finalize(info, who, vote_id)
    async with info.context.db.read() as session:
        return await present(session, who, await fetch(session, who))


async def read_settled(
    info: Info,
    vote_id: uuid.UUID,
    read: Callable[[AsyncSession, Principal | None], Awaitable[T]],
) -> T | Error:
    """Run ``read`` on a vote once it is finalized if due; expected failures become errors."""
    try:
        require_login(info.context.principal)
        await settle(info, vote_id)
        async with info.context.db.read() as session:
            return await read(session, info.context.principal)
    except DomainError as error:
        return to_graphql_error(error)
