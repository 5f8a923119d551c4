"""What a voter's own page may add to their status: the choice they made on an open vote,
and on a household vote (每户一票) who in the household cast its ballot.

Neither reaches anyone a secret ballot must be kept from: a secret vote's choice is never
read here (its ballot row has no voter key to find it by), and the name of the housemate
who cast a household's ballot is shown only to that household's own members, who may see
each other anyway.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.electorate import VoterFacts
from domain.models import Account, Ballot, Choice, Electorate, Vote, VoterRecord


def household_key(vote: Vote, facts: VoterFacts | None) -> str | None:
    """The household's voter key on a household vote, whether or not this member may cast."""
    if facts is None or facts.household_id is None or vote.electorate is not Electorate.HOUSEHOLDS:
        return None
    return f"household:{facts.household_id}"


async def household_casters(
    session: AsyncSession, votes: Iterable[Vote], facts: VoterFacts | None
) -> dict[uuid.UUID, tuple[uuid.UUID, str]]:
    """Per household vote with a ballot in: the casting account and its display name."""
    keyed = {vote.id: key for vote in votes if (key := household_key(vote, facts)) is not None}
    if not keyed:
        return {}
    rows = await session.execute(
        select(VoterRecord.vote_id, VoterRecord.voter_key, Account.id, Account.display_name)
        .join(Account, Account.id == VoterRecord.account_id)
        .where(
            VoterRecord.vote_id.in_(list(keyed)),
            VoterRecord.voter_key.in_(set(keyed.values())),
        )
    )
    return {
        vote_id: (account_id, name)
        for vote_id, key, account_id, name in rows
        if keyed.get(vote_id) == key
    }


async def own_choices(
    session: AsyncSession, mine: dict[uuid.UUID, str], secret: set[uuid.UUID]
) -> dict[uuid.UUID, Choice]:
    """The counted choice under each voter key of an open (not secret) vote."""
    wanted = {vote_id: key for vote_id, key in mine.items() if vote_id not in secret}
    if not wanted:
        return {}
    rows = await session.execute(
        select(Ballot.vote_id, Ballot.voter_key, Ballot.choice).where(
            Ballot.vote_id.in_(list(wanted)),
            Ballot.voter_key.in_(set(wanted.values())),
            Ballot.superseded.is_(False),
        )
    )
    return {vote_id: choice for vote_id, key, choice in rows if wanted.get(vote_id) == key}
