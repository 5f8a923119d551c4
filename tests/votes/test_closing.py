"""Closing fixes the result; commitments are published; verifyTally detects altered rows."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from domain.database import Database
from domain.models import Ballot, BallotLogEntry, Vote, VoterRecord
from domain.services.ballot_keys import commitment_of
from tests.votes.helpers import (
    CHOICES,
    CLOSE,
    COMMITMENTS,
    STATUS,
    VERIFY,
    VOTE,
    Clock,
    Voters,
    execute,
    row_counts,
)
from tests.world import World

ADULTS_OF_A = ("H1a-x", "H1a-y", "H1a2-x", "H1a2-y", "H1b-x", "H1b-y", "H2a-x", "H2a-y")


async def _closed_vote(
    database: Database,
    world: World,
    voters: Voters,
    clock: Clock,
    ballots: dict[str, str],
    **rule: object,
) -> str:
    vote = await voters.open_vote(database, world, **rule)
    for who, choice in ballots.items():
        assert (await voters.cast(vote, who, choice))["__typename"] == "BallotReceipt"
    clock.advance(timedelta(hours=2))
    return vote


async def test_the_first_read_after_closing_time_fixes_the_result(
    database: Database, world: World, voters: Voters, clock: Clock
) -> None:
    vote = await _closed_vote(
        database, world, voters, clock, {"H1a-x": "FOR", "H1b-x": "FOR", "H2a-x": "AGAINST"}
    )
    read = await voters.query(VOTE, vote, "H1a-x")
    assert read["status"] == "CLOSED" and read["closedAt"]
    assert read["tally"] == {
        "ballots": 3,
        "turnout": 0.375,
        "quorumMet": True,
        "for": 2,
        "against": 1,
        "abstain": 0,
        "passed": True,
        "countsHidden": False,
        "final": True,
    }
    before = await row_counts(database)
    late = await voters.cast(vote, "H1a-y", "AGAINST")
    assert late["code"] == "VOTE_CLOSED"
    assert await row_counts(database) == before
    assert (await voters.query(VOTE, vote))["tally"] == read["tally"]
    again = await voters.query(CLOSE, vote)
    assert again["tally"] == read["tally"] and again["closedAt"] == read["closedAt"]


async def test_close_vote_is_for_the_admin_and_never_early(
    database: Database, world: World, voters: Voters, clock: Clock
) -> None:
    vote = await voters.open_vote(database, world)
    assert (await voters.query(CLOSE, vote))["code"] == "VOTE_STILL_OPEN"
    assert (await voters.query(CLOSE, vote, "chief1"))["code"] == "FORBIDDEN"
    clock.advance(timedelta(hours=1, seconds=1))
    closed = await voters.query(CLOSE, vote)
    assert closed["__typename"] == "Vote" and closed["status"] == "CLOSED"


async def test_every_voter_finds_their_commitment_in_the_published_list(
    database: Database, world: World, voters: Voters, clock: Clock
) -> None:
    vote = await voters.open_vote(database, world)
    casts = {who: await voters.cast(vote, who, "FOR") for who in ADULTS_OF_A[:5]}
    hidden = await voters.query(COMMITMENTS, vote, "H2a-y")
    assert hidden["code"] == "RESULTS_HIDDEN"  # a secret vote's log goes out when it closes
    clock.advance(timedelta(hours=2))
    published = await voters.query(COMMITMENTS, vote, "H2a-y")  # eligible, has not voted
    assert published["commitments"] == sorted(published["commitments"])
    mine = {commitment_of(cast["commitmentSalt"], cast["receipt"]) for cast in casts.values()}
    assert mine == set(published["commitments"])
    for who, cast in casts.items():
        status = await voters.query(STATUS, vote, who)
        assert status["commitmentSalt"] == cast["commitmentSalt"]
        assert status["commitment"] in published["commitments"]
    assert not {c["receipt"] for c in casts.values()} & set(published["commitments"])
    assert (await voters.query(COMMITMENTS, vote, "HB-x"))["code"] == "NOT_FOUND"


async def test_verify_tally_passes_on_an_untouched_vote_open_and_closed(
    database: Database, world: World, voters: Voters, clock: Clock
) -> None:
    for secret in (True, False):
        vote = await voters.open_vote(database, world, secret=secret, allowChange=True)
        first = await voters.cast(vote, "H1a-x", "FOR")
        await voters.cast(vote, "H1b-x", "AGAINST")
        await voters.cast(vote, "H1a-x", "ABSTAIN", first["changeToken"])
        running = await voters.query(VERIFY, vote, "H1a-y")
        assert running["ok"] is True and running["problems"] == [], running
        assert running["recount"] is None
        clock.advance(timedelta(hours=2))
        closed = await voters.query(VERIFY, vote, "H1a-y")
        assert closed["ok"] is True, closed
        assert closed["recount"] == {"for": 0, "against": 1, "abstain": 1, "passed": False}
        assert closed["receipts"] == closed["countedBallots"] == 2


TAMPERING = {
    "a ballot's choice": lambda vote: (
        update(Ballot)
        .where(Ballot.vote_id == vote, Ballot.superseded.is_(False), Ballot.choice == "for")
        .values(choice="against")
    ),
    "a log entry's payload": lambda vote: (
        update(BallotLogEntry)
        .where(BallotLogEntry.vote_id == vote, BallotLogEntry.kind == "choice")
        .values(payload=BallotLogEntry.payload + " ")
    ),
    "a removed log entry": lambda vote: delete(BallotLogEntry).where(
        BallotLogEntry.vote_id == vote, BallotLogEntry.seq == 2
    ),
    "a removed receipt": lambda vote: delete(VoterRecord).where(
        VoterRecord.vote_id == vote,
        VoterRecord.receipt
        == select(VoterRecord.receipt)
        .where(VoterRecord.vote_id == vote)
        .order_by(VoterRecord.receipt)
        .limit(1)
        .scalar_subquery(),
    ),
    "a commitment's salt": lambda vote: (
        update(VoterRecord)
        .where(
            VoterRecord.vote_id == vote,
            VoterRecord.receipt
            == select(VoterRecord.receipt)
            .where(VoterRecord.vote_id == vote)
            .order_by(VoterRecord.receipt)
            .limit(1)
            .scalar_subquery(),
        )
        .values(commitment_salt="0" * 64)
    ),
    "the stored result": lambda vote: (
        update(Vote)
        .where(Vote.id == vote)
        .values(result={"for_": 0, "against": 3, "abstain": 0, "ballots": 3})
    ),
    "the stored rule": lambda vote: update(Vote).where(Vote.id == vote).values(quorum_ballots=50),
}


@pytest.mark.parametrize("altered", list(TAMPERING))
async def test_verify_tally_detects(
    altered: str, database: Database, world: World, voters: Voters, clock: Clock
) -> None:
    vote = await _closed_vote(
        database, world, voters, clock, {"H1a-x": "FOR", "H1b-x": "FOR", "H2a-x": "AGAINST"}
    )
    assert (await voters.query(VERIFY, vote))["ok"] is True
    await execute(database, TAMPERING[altered](uuid.UUID(vote)))
    found = await voters.query(VERIFY, vote)
    assert found["ok"] is False and found["problems"], found


async def test_verify_tally_detects_an_altered_open_ballot_while_the_vote_runs(
    database: Database, world: World, voters: Voters
) -> None:
    vote = await voters.open_vote(database, world, secret=False)
    await voters.cast(vote, "H1a-x", "FOR")
    await execute(
        database, update(Ballot).where(Ballot.vote_id == uuid.UUID(vote)).values(choice="against")
    )
    found = await voters.query(VERIFY, vote)
    assert found["ok"] is False
    assert any("resident:" in problem for problem in found["problems"]), found


@pytest.mark.parametrize(
    ("rule", "ballots", "quorum_met", "passed"),
    [
        ({"quorumBallots": 4}, {"H1a-x": "FOR", "H1b-x": "FOR", "H2a-x": "FOR"}, False, False),
        ({"quorumPercent": 50}, {"H1a-x": "FOR", "H1b-x": "FOR", "H2a-x": "FOR"}, False, False),
        (
            {"quorumPercent": 50},
            {"H1a-x": "FOR", "H1b-x": "FOR", "H2a-x": "FOR", "H2a-y": "AGAINST"},
            True,
            True,
        ),
        ({}, {"H1a-x": "FOR", "H1b-x": "AGAINST"}, True, False),
        (
            {"threshold": "TWO_THIRDS"},
            {"H1a-x": "FOR", "H1b-x": "FOR", "H2a-x": "AGAINST"},
            True,
            True,
        ),
        (
            {"threshold": "TWO_THIRDS"},
            {"H1a-x": "FOR", "H1b-x": "FOR", "H2a-x": "AGAINST", "H2a-y": "ABSTAIN"},
            True,
            False,
        ),
    ],
    ids=[
        "3-ballots-below-4",
        "3-of-8-below-50pc",
        "4-of-8-meets-50pc",
        "tie-fails",
        "two-thirds-met",
        "abstain-counts-against-two-thirds",
    ],
)
async def test_quorum_and_threshold(
    rule: dict[str, object],
    ballots: dict[str, str],
    quorum_met: bool,
    passed: bool,
    database: Database,
    world: World,
    voters: Voters,
    clock: Clock,
) -> None:
    vote = await _closed_vote(database, world, voters, clock, ballots, secret=False, **rule)
    tally = (await voters.query(VOTE, vote))["tally"]
    assert (tally["quorumMet"], tally["passed"]) == (quorum_met, passed), tally


async def test_unanimity_of_a_panel_needs_every_member_for(
    database: Database, world: World, voters: Voters, clock: Clock
) -> None:
    panel = await voters.api.ok(
        """mutation($m: [PanelMemberInput!]!) { createPanel(name: "五方", members: $m) {
             ... on Panel { id } } }""",
        {
            "m": [
                {"accountId": str(world.accounts[n]), "role": "居民代表"}
                for n in ("chief1", "chief2")
            ]
        },
        await voters.token("admin"),
    )
    outcomes = []
    for second in ("FOR", "ABSTAIN"):
        vote = await voters.open_vote(
            database,
            world,
            electorate="PANEL",
            panelId=panel["createPanel"]["id"],
            threshold="UNANIMITY",
        )
        await voters.cast(vote, "chief1", "FOR")
        await voters.cast(vote, "chief2", second)
        clock.advance(timedelta(hours=2))
        outcomes.append((await voters.query(VOTE, vote))["tally"]["passed"])
        clock.advance(-timedelta(hours=2))
    assert outcomes == [True, False]


async def test_the_closed_secret_vote_publishes_choices_by_ballot_id_only(
    database: Database, world: World, voters: Voters, clock: Clock
) -> None:
    vote = await voters.open_vote(database, world)
    for who, choice in (("H1a-x", "FOR"), ("H1b-x", "AGAINST"), ("H2a-x", "FOR")):
        await voters.cast(vote, who, choice)
    assert (await voters.query(CHOICES, vote))["code"] == "RESULTS_HIDDEN"
    clock.advance(timedelta(hours=2))
    published = await voters.query(CHOICES, vote, "H1a-y")
    assert published["secret"] is True
    assert all(item["voter"] is None for item in published["choices"])
    ids = [item["ballotId"] for item in published["choices"]]
    assert ids == sorted(ids)
    assert sorted(item["choice"] for item in published["choices"]) == ["AGAINST", "FOR", "FOR"]
