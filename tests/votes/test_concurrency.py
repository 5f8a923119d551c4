"""One counted ballot per voter, enforced by the database, under concurrent requests."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import func, select

from domain.database import Database
from domain.models import Ballot, VoterRecord
from tests.votes.helpers import Voters
from tests.world import World


async def _counted(database: Database) -> tuple[int, int, int]:
    async with database.read() as session:
        records = await session.scalar(select(func.count()).select_from(VoterRecord))
        counted = await session.scalar(
            select(func.count()).select_from(Ballot).where(Ballot.superseded.is_(False))
        )
        every = await session.scalar(select(func.count()).select_from(Ballot))
    return int(records or 0), int(counted or 0), int(every or 0)


async def test_a_hundred_concurrent_casts_by_one_voter_count_once(
    database: Database, world: World, voters: Voters
) -> None:
    vote = await voters.open_vote(database, world)
    await voters.token("H1a-x")
    results = await asyncio.gather(*(voters.cast(vote, "H1a-x", "FOR") for _ in range(100)))
    outcomes = Counter(r.get("code", r["__typename"]) for r in results)
    assert outcomes == {"BallotReceipt": 1, "ALREADY_VOTED": 99}, outcomes
    assert await _counted(database) == (1, 1, 1)


async def test_a_hundred_concurrent_casts_through_a_household_count_once(
    database: Database, world: World, voters: Voters
) -> None:
    vote = await voters.open_vote(database, world, electorate="HOUSEHOLDS")
    await voters.token("H1a-x")
    await voters.token("H1a-y")
    results = await asyncio.gather(
        *(voters.cast(vote, ("H1a-x", "H1a-y")[i % 2], "FOR") for i in range(100))
    )
    outcomes = Counter(r.get("code", r["__typename"]) for r in results)
    assert outcomes == {"BallotReceipt": 1, "ALREADY_VOTED": 99}, outcomes
    assert await _counted(database) == (1, 1, 1)


async def test_fifty_concurrent_changes_with_one_token_leave_one_counted_ballot(
    database: Database, world: World, voters: Voters
) -> None:
    vote = await voters.open_vote(database, world, allowChange=True)
    first = await voters.cast(vote, "H1a-x", "FOR")
    choices = ("AGAINST", "ABSTAIN")
    results = await asyncio.gather(
        *(voters.cast(vote, "H1a-x", choices[i % 2], first["changeToken"]) for i in range(50))
    )
    changed = [r for r in results if r["__typename"] == "BallotReceipt"]
    refused = [r for r in results if r["__typename"] != "BallotReceipt"]
    assert changed, results
    assert all(r["code"] == "ALREADY_VOTED" for r in refused), refused
    records, counted, every = await _counted(database)
    assert (records, counted) == (1, 1)
    assert every == 1 + len(changed)  # each accepted change superseded exactly one ballot
