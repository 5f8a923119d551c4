"""The tally is one grouped query: reading a vote costs the same with 5 or 200 ballots."""

from __future__ import annotations

import uuid

import pytest

from domain.database import Database
from domain.models import Ballot, Channel, Choice, VoterRecord
from tests.votes.helpers import VOTE, VOTE_FIELDS, Voters, statements
from tests.world import World

CHOICES = (Choice.FOR, Choice.AGAINST, Choice.ABSTAIN)


async def _stuff(database: Database, world: World, vote: str, ballots: int) -> None:
    """Ballots inserted directly: the count query cannot tell them from cast ones."""
    async with database.transaction() as session:
        for n in range(ballots):
            key = f"resident:{uuid.uuid4()}"
            session.add(
                VoterRecord(
                    community_id=world.community,
                    vote_id=uuid.UUID(vote),
                    voter_key=key,
                    account_id=world.accounts["admin"],
                    channel=Channel.WEB,
                    receipt=uuid.uuid4().hex + uuid.uuid4().hex,
                )
            )
            session.add(
                Ballot(
                    community_id=world.community,
                    vote_id=uuid.UUID(vote),
                    choice=CHOICES[n % 3],
                    change_key_hash=uuid.uuid4().hex,
                    voter_key=key,
                )
            )


@pytest.mark.parametrize("query", ["one vote", "all votes"])
async def test_reading_tallies_costs_the_same_with_5_or_200_ballots(
    query: str, database: Database, world: World, voters: Voters
) -> None:
    costs = []
    for ballots in (5, 200):
        vote = await voters.open_vote(database, world, secret=False)
        await _stuff(database, world, vote, ballots)
        token = await voters.token("H1a-x")
        with statements(database) as seen:
            if query == "one vote":
                body = await voters.api.ok(VOTE, {"v": vote}, token)
                assert body["vote"]["tally"]["ballots"] == ballots
            else:
                body = await voters.api.ok(f"{{ votes {{ {VOTE_FIELDS} }} }}", token=token)
                assert len(body["votes"]) == len(costs) + 1
        costs.append(len(seen))
    assert costs[0] == costs[1], costs
    print(f"\n{query}: {costs[1]} statements with 200 ballots on {database.dialect}")
