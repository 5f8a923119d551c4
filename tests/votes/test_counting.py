"""The counting window (计票中) is a state of its own, and every answer agrees with it.

Votes here give ballots recorded offline an hour after the close (the server's setting);
between ``closesAt`` and ``countingEndsAt`` a vote is COUNTING: closed to new ballots, its
result not yet fixed, its hidden counts still hidden; then CLOSED, with its result.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from domain.database import Database
from tests import api_client
from tests.api_client import Api, api_for
from tests.votes.helpers import CHOICES, CLOSE, STATUS, VERIFY, Clock, Voters, row_counts
from tests.world import World

READ = """query($v: UUID!) { vote(id: $v) { __typename ... on Vote {
  status closesAt countingEndsAt finalAt closedAt
  tally { ballots for countsHidden hiddenReason final status } } } }"""
RECORD = """mutation($v: UUID!, $m: UUID!, $r: UUID) { recordInPersonBallot(voteId: $v,
  choice: FOR, meetingId: $m, residentId: $r) { __typename ... on Error { code message } } }"""


@pytest.fixture
async def api(database: Database) -> AsyncIterator[Api]:
    """These tests read what the answers say (counting, open until), in English."""
    client = api_for(
        database, api_client.test_settings(offline_ballot_grace_seconds=3600), language="en"
    )
    try:
        yield client
    finally:
        await client.client.aclose()


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


@pytest.mark.parametrize("secret", [True, False])
async def test_after_the_close_a_vote_is_counting_until_a_time_it_shows(
    secret: bool, database: Database, world: World, voters: Voters, clock: Clock, meeting: str
) -> None:
    vote = await voters.open_vote(database, world, secret=secret, allowChange=True)
    assert (await voters.cast(vote, "H1a-x", "FOR"))["__typename"] == "BallotReceipt"
    open_ = await voters.query(READ, vote)
    assert open_["status"] == "OPEN" and open_["tally"]["status"] == "OPEN"
    assert _at(open_["countingEndsAt"]) - _at(open_["closesAt"]) == timedelta(hours=1)
    clock.advance(timedelta(hours=1, minutes=10))

    counting = await voters.query(READ, vote)
    assert counting["status"] == "COUNTING" and counting["closedAt"] is None
    assert counting["tally"]["status"] == "COUNTING" and counting["tally"]["final"] is False
    if secret:
        assert counting["tally"]["countsHidden"] is True and counting["tally"]["for"] is None
        assert "counting" in counting["tally"]["hiddenReason"]
        hidden = await voters.query(CHOICES, vote)
        assert hidden["code"] == "RESULTS_HIDDEN" and "counting" in hidden["message"]
    before = await row_counts(database)
    late = await voters.cast(vote, "H1a-y", "AGAINST")
    assert late["code"] == "VOTE_CLOSED" and "counting" in late["message"], late
    recorded = await _record(voters, world, vote, "H1b-x", meeting)
    assert recorded["code"] == "VOTE_CLOSED" and "counting" in recorded["message"], recorded
    assert await row_counts(database) == before
    close = await voters.query(CLOSE, vote)
    assert close["code"] == "VOTE_COUNTING", close
    assert counting["countingEndsAt"][:16] in close["message"].replace("+00:00", "")
    assert (await voters.query(STATUS, vote, "H1a-x"))["canChange"] is False
    verified = await voters.query(VERIFY, vote)
    assert verified["ok"] is True and verified["recount"] is None

    clock.advance(timedelta(minutes=55))
    closed = await voters.query(CLOSE, vote)
    assert closed["__typename"] == "Vote" and closed["status"] == "CLOSED", closed
    final = await voters.query(READ, vote)
    assert final["tally"] == {
        "ballots": 1,
        "for": 1,
        "countsHidden": False,
        "hiddenReason": None,
        "final": True,
        "status": "CLOSED",
    }
    assert (await voters.query(CHOICES, vote))["__typename"] == "ChoiceList"
    assert (await voters.query(VERIFY, vote))["recount"]["for"] == 1


async def test_before_the_close_close_vote_says_the_vote_is_open(
    database: Database, world: World, voters: Voters, clock: Clock
) -> None:
    vote = await voters.open_vote(database, world)
    close = await voters.query(CLOSE, vote)
    assert close["code"] == "VOTE_STILL_OPEN" and "open until" in close["message"]


async def _record(
    voters: Voters, world: World, vote: str, voter: str, meeting: str
) -> dict[str, Any]:
    data = await voters.api.ok(
        RECORD,
        {"v": vote, "m": meeting, "r": str(world.residents[voter])},
        await voters.token("member1a"),
    )
    return dict(data["recordInPersonBallot"])
