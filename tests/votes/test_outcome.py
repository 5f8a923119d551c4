"""A vote's outcome reaches its topic when the result is fixed, and its history shows it.

Passed: a deliberated topic goes into follow-up (in progress). Failed: it goes back to
deliberation (accepted), from where it may be put to a new vote; the earlier vote keeps its
record. A topic still awaiting its resolution keeps its status, and its history notes the
result either way.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from domain.database import Database
from domain.models import ProposalStatus
from tests.votes.helpers import CLOSE, Clock, Voters, make_proposal
from tests.world import World

TOPIC = """query($p: UUID!) { proposal(id: $p) { __typename ... on Proposal {
  status history { fromStatus toStatus reason actorName } } } }"""
VOTES = """query($p: UUID!) { votes(proposalId: $p) { id status closedAt tally { passed } } }"""


async def _topic(voters: Voters, proposal: uuid.UUID) -> dict[str, Any]:
    data = await voters.api.ok(TOPIC, {"p": str(proposal)}, await voters.token("admin"))
    return dict(data["proposal"])


async def _vote(voters: Voters, proposal: uuid.UUID, ballots: dict[str, str]) -> str:
    put = await voters.put(proposal, secret=False)
    assert put["__typename"] == "Vote", put
    for who, choice in ballots.items():
        assert (await voters.cast(put["id"], who, choice))["__typename"] == "BallotReceipt"
    return str(put["id"])


FAIL = {"H1a-x": "AGAINST", "H1b-x": "AGAINST", "H2a-x": "FOR"}
PASS = {"H1a-x": "FOR", "H1b-x": "FOR", "H2a-x": "AGAINST"}


async def test_a_failed_vote_sends_a_deliberated_topic_back_and_it_may_be_voted_on_again(
    database: Database, world: World, voters: Voters, clock: Clock
) -> None:
    proposal = await make_proposal(database, world, status=ProposalStatus.DELIBERATED)
    first = await _vote(voters, proposal, FAIL)
    again = await voters.put(proposal)
    assert again["code"] == "CONFLICT", again  # one vote running at a time
    clock.advance(timedelta(hours=2))
    assert (await voters.query(CLOSE, first))["tally"]["passed"] is False
    topic = await _topic(voters, proposal)
    assert topic["status"] == "ACCEPTED"
    last = topic["history"][-1]
    assert (last["fromStatus"], last["toStatus"]) == ("DELIBERATED", "ACCEPTED")
    assert "表决未通过" in last["reason"] and "赞成 1 票，反对 2 票" in last["reason"]
    assert last["actorName"] is None
    second = await _vote(voters, proposal, PASS)
    clock.advance(timedelta(hours=2))
    listed = await voters.api.ok(VOTES, {"p": str(proposal)}, await voters.token("admin"))
    by_id = {v["id"]: v for v in listed["votes"]}
    assert set(by_id) == {first, second}
    assert by_id[first]["tally"]["passed"] is False and by_id[second]["tally"]["passed"]
    topic = await _topic(voters, proposal)
    assert topic["status"] == "ACCEPTED"  # back in deliberation, awaiting its resolution
    assert "表决通过" in topic["history"][-1]["reason"]
    assert (await voters.put(proposal))["code"] == "CONFLICT"  # decided: not voted on again


async def test_a_passed_vote_moves_a_deliberated_topic_into_follow_up(
    database: Database, world: World, voters: Voters, clock: Clock
) -> None:
    proposal = await make_proposal(database, world, status=ProposalStatus.DELIBERATED)
    vote = await _vote(voters, proposal, PASS)
    clock.advance(timedelta(hours=2))
    assert (await voters.query(CLOSE, vote))["tally"]["passed"] is True
    topic = await _topic(voters, proposal)
    assert topic["status"] == "IN_PROGRESS"
    last = topic["history"][-1]
    assert (last["fromStatus"], last["toStatus"]) == ("DELIBERATED", "IN_PROGRESS")
    assert "表决通过" in last["reason"] and "赞成 2 票，反对 1 票" in last["reason"]
    assert (await voters.put(proposal))["code"] in ("CONFLICT", "PROPOSAL_NOT_VOTABLE")


async def test_a_failed_vote_on_an_accepted_topic_is_in_its_history_and_it_may_be_voted_again(
    database: Database, world: World, voters: Voters, clock: Clock
) -> None:
    proposal = await make_proposal(database, world)
    await _vote(voters, proposal, FAIL)
    clock.advance(timedelta(hours=2))
    # No read fixed the result: putting it to a new vote does, outcome first.
    second = await voters.put(proposal)
    assert second["__typename"] == "Vote", second
    topic = await _topic(voters, proposal)
    assert topic["status"] == "ACCEPTED"
    last = topic["history"][-1]
    assert (last["fromStatus"], last["toStatus"]) == ("ACCEPTED", "ACCEPTED")
    assert "表决未通过" in last["reason"]
