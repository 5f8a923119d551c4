"""What a vote publishes for checking, as sets without order: commitments and choices.

Each voter's entry is a commitment, ``H(salt, receipt)`` with a salt only the voter is shown
(``ballot_keys.commitment_of``), never the receipt itself; the list is sorted by value and
carries no link to any other entry. A secret vote's choices go out under their random ballot
ids, sorted. The digest of both sets is sealed into the log's close entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.ballot_log import published_digest
from domain.models import Choice, Vote, VoterRecord
from domain.services.ballot_keys import commitment_of


async def commitments(session: AsyncSession, vote: Vote) -> list[str]:
    rows = await session.execute(
        select(VoterRecord.receipt, VoterRecord.commitment_salt).where(
            VoterRecord.vote_id == vote.id
        )
    )
    return sorted(commitment_of(salt, receipt) for receipt, salt in rows)


def choice_entries(vote: Vote, counted: Iterable[tuple[uuid.UUID | str, Choice]]) -> list[str]:
    """A secret vote's choices as published (random ballot id and choice); an open vote's as
    the bare choices (its names are published beside them anyway)."""
    if vote.secret:
        return sorted(f"{ballot_id}:{choice.value}" for ballot_id, choice in counted)
    return sorted(choice.value for _, choice in counted)


def digest(vote: Vote, found: list[str], counted: Iterable[tuple[uuid.UUID | str, Choice]]) -> str:
    return published_digest(str(vote.id), found, choice_entries(vote, counted))
