"""Ballots recorded offline at a meeting: counted by the vote's rules, never paired with a voter.

Every vote here gives offline ballots a grace of one hour after its close (the server's
setting, frozen into the vote's rule when it is called); votes close an hour after they open.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from domain.database import Database
from domain.models import Ballot, OfflineBallot, RefusedPush, VoterRecord
from domain.services import (
    ballot_audit,
    ballot_changes,
    ballots,
    panels,
    vote_calls,
    vote_results,
    votes,
)
from domain.services.ballots import receipt_of
from schema.votes import reading
from tests import api_client
from tests.api_client import Api, api_for
from tests.sync.client import Phone, new_id, push_query, row
from tests.votes.helpers import VERIFY, VOTE, Clock, Voters, open_meeting
from tests.world import World

GRACE = timedelta(hours=1)


@pytest.fixture
async def api(database: Database) -> AsyncIterator[Api]:
    client = api_for(database, api_client.test_settings(offline_ballot_grace_seconds=3600))
    try:
        yield client
    finally:
        await client.client.aclose()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    found = Clock()
    for module in (
        votes,
        ballots,
        ballot_audit,
        ballot_changes,
        panels,
        vote_calls,
        vote_results,
        reading,
    ):
        monkeypatch.setattr(module, "utcnow", found.now)
    return found


@pytest.fixture
def voters(api: Api, world: World, clock: Clock) -> Voters:
    return Voters(api, world, clock)


def ms(clock: Clock, delta: timedelta = timedelta(0)) -> float:
    return float(int((clock.now() + delta).timestamp() * 1000))


def ballot(
    vote: str, voter: str, world: World, choice: str, cast_at: float, token: str | None = None
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "voteId": vote,
        "residentId": str(world.residents[voter]),
        "accountId": None,
        "choice": choice,
        "changeToken": token,
        "castAt": cast_at,
        "deleted": False,
    }


def stored(answers: list[dict[str, Any]], *docs: dict[str, Any]) -> bool:
    """Accepted as sent: no row answered (the phone keeps its rows; the stream brings the
    server's stamps)."""
    return bool(docs) and answers == []


def dropped(answers: list[dict[str, Any]]) -> bool:
    """Refused: the one row answered with a tombstone (the notice says why)."""
    return len(answers) == 1 and answers[0]["deleted"] is True


class Recorder:
    """A staff member's phone that sends its clock with every push, at a meeting under way
    (every ballot it records names it, unless the test named another or none)."""

    def __init__(self, api: Api, token: str, clock: Clock, meeting: str | None = None) -> None:
        self.phone = Phone(api, token)
        self.clock = clock
        self.meeting = meeting

    async def push(
        self, docs: list[dict[str, Any]], *, device_ms: float | str | None = "now"
    ) -> list[dict[str, Any]]:
        headers = {"Authorization": f"Bearer {self.phone.token}"}
        for doc in docs:
            doc.setdefault("meetingId", self.meeting)
        if device_ms == "now":
            device_ms = ms(self.clock)
        if device_ms is not None:
            headers["X-Device-Time"] = str(int(float(device_ms)))
        response = await self.phone.api.client.post(
            "/graphql",
            json={
                "query": push_query("ballot"),
                "variables": {"ballotPushRow": [row(d) for d in docs]},
            },
            headers=headers,
        )
        body = response.json()
        assert "errors" not in body, body
        return list(body["data"]["pushBallot"])

    async def notices(self) -> dict[str, str]:
        return {n["documentId"]: n["code"] for n in await self.phone.pull_all("deviceNotice")}


@pytest.fixture
async def recorder(api: Api, database: Database, world: World, clock: Clock) -> Recorder:
    meeting = str(await open_meeting(database, world))
    return Recorder(api, await api.login("member1a"), clock, meeting)


async def counts(database: Database, vote: str) -> tuple[int, int, int]:
    """Counted ballots, voter records and offline rows of the vote."""
    import uuid

    vote_id = uuid.UUID(vote)
    async with database.read() as session:
        counted = await session.scalar(
            select(func.count(Ballot.id)).where(Ballot.vote_id == vote_id, ~Ballot.superseded)
        )
        records = await session.scalar(
            select(func.count(VoterRecord.id)).where(VoterRecord.vote_id == vote_id)
        )
        offline = await session.scalar(
            select(func.count(OfflineBallot.id)).where(OfflineBallot.vote_id == vote_id)
        )
    return int(counted or 0), int(records or 0), int(offline or 0)


async def _close(voters: Voters, clock: Clock, vote: str) -> dict[str, Any]:
    clock.advance(timedelta(hours=2, minutes=5))  # past the close and the grace
    return await voters.query(VOTE, vote)


async def test_a_ballot_cast_and_synced_on_time_counts_and_feeds_the_tally_and_the_log(
    database: Database, world: World, voters: Voters, clock: Clock, recorder: Recorder
) -> None:
    vote = await voters.open_vote(database, world, secret=False)
    assert (await voters.cast(vote, "H1b-x", "AGAINST"))["__typename"] == "BallotReceipt"
    docs = [
        ballot(vote, "H1a-x", world, "for", ms(clock)),
        ballot(vote, "H1a2-x", world, "for", ms(clock)),
    ]
    assert stored(await recorder.push(docs), *docs)
    pulled = {d["id"]: d for d in await recorder.phone.pull_all("ballot")}
    assert set(pulled) == {d["id"] for d in docs}
    for doc in docs:
        got = pulled[doc["id"]]
        assert got["choice"] == "for" and got["status"] == "counted"  # an open vote
        assert got["castAt"] == doc["castAt"] and got["receivedAt"] >= doc["castAt"]
        assert got["recordedById"] == str(world.accounts["member1a"])
        assert got["changeToken"] is None
    assert await counts(database, vote) == (3, 3, 2)
    closed = await _close(voters, clock, vote)
    assert closed["tally"]["for"] == 2 and closed["tally"]["against"] == 1
    verified = await voters.query(VERIFY, vote)
    assert verified["ok"] is True, verified["problems"]
    assert verified["receipts"] == verified["countedBallots"] == 3


async def test_late_within_the_grace_counts_beyond_it_is_refused_with_its_reason(
    database: Database, world: World, voters: Voters, clock: Clock, recorder: Recorder
) -> None:
    vote = await voters.open_vote(database, world)
    in_time = ballot(vote, "H1a-x", world, "for", ms(clock, timedelta(minutes=30)))
    too_late = ballot(vote, "H1a-y", world, "against", ms(clock, timedelta(minutes=40)))
    clock.advance(timedelta(hours=1, minutes=30))  # closed, within the grace
    state = await voters.query(VOTE, vote)
    assert state["status"] == "COUNTING" and state["closedAt"] is None  # not yet fixed
    assert stored(await recorder.push([in_time]), in_time)
    clock.advance(timedelta(minutes=35))  # past the grace
    [refused] = await recorder.push([too_late])
    assert refused["id"] == too_late["id"] and refused["deleted"] is True
    assert (await recorder.notices())[too_late["id"]] == "BALLOT_TOO_LATE"
    assert await counts(database, vote) == (1, 1, 1)
    closed = await voters.query(VOTE, vote)
    assert closed["closedAt"] and closed["tally"]["for"] == 1 and closed["tally"]["ballots"] == 1
    assert (await voters.query(VERIFY, vote))["ok"] is True


async def test_a_ballot_cast_after_the_close_is_refused(
    database: Database, world: World, voters: Voters, clock: Clock, recorder: Recorder
) -> None:
    vote = await voters.open_vote(database, world)
    late = ballot(vote, "H1a-x", world, "for", ms(clock, timedelta(minutes=61)))
    early = ballot(vote, "H1a-y", world, "for", ms(clock, timedelta(minutes=-5)))
    clock.advance(timedelta(minutes=70))
    answers = await recorder.push([late, early])
    assert {a["id"] for a in answers} == {late["id"], early["id"]}
    assert await recorder.notices() == {late["id"]: "VOTE_CLOSED", early["id"]: "VOTE_NOT_OPEN"}
    assert await counts(database, vote) == (0, 0, 0)


async def test_a_phone_clock_too_far_off_or_unknown_is_refused(
    database: Database, world: World, voters: Voters, clock: Clock, recorder: Recorder
) -> None:
    vote = await voters.open_vote(database, world)
    fast = ballot(vote, "H1a-x", world, "for", ms(clock))
    unknown = ballot(vote, "H1a-y", world, "for", ms(clock))
    assert dropped(await recorder.push([fast], device_ms=ms(clock, timedelta(minutes=10))))
    assert dropped(await recorder.push([unknown], device_ms=None))
    slightly = ballot(vote, "H1a2-x", world, "for", ms(clock))
    assert stored(
        await recorder.push([slightly], device_ms=ms(clock, timedelta(minutes=2))), slightly
    )
    assert await recorder.notices() == {fast["id"]: "CLOCK_SKEW", unknown["id"]: "CLOCK_SKEW"}
    assert await counts(database, vote) == (1, 1, 1)
    async with database.read() as session:
        [skew] = await session.scalars(select(OfflineBallot.clock_skew_ms))
    assert 110_000 <= skew <= 130_000


async def test_where_changes_are_not_allowed_the_first_counted_ballot_stands(
    database: Database, world: World, voters: Voters, clock: Clock, recorder: Recorder
) -> None:
    vote = await voters.open_vote(database, world, secret=False, allowChange=False)
    clock.advance(timedelta(minutes=10))
    first = ballot(vote, "H1a-x", world, "against", ms(clock, timedelta(minutes=-1)))
    second = ballot(vote, "H1a-x", world, "for", ms(clock))  # cast later, synced later
    earlier = ballot(vote, "H1a-y", world, "for", ms(clock))
    earliest = ballot(vote, "H1a-y", world, "against", ms(clock, timedelta(minutes=-2)))
    assert stored(await recorder.push([first]), first)
    assert stored(await recorder.push([earlier]), earlier)
    # later or earlier cast, without the voter's slip: both set aside, read back as counted
    assert stored(await recorder.push([second, earliest]), second, earliest)
    assert await recorder.notices() == {}
    pulled = {d["id"]: d["status"] for d in await recorder.phone.pull_all("ballot")}
    assert set(pulled.values()) == {"counted"} and len(pulled) == 4
    assert await counts(database, vote) == (2, 2, 4)
    closed = await _close(voters, clock, vote)
    assert (closed["tally"]["for"], closed["tally"]["against"]) == (1, 1)


async def test_where_changes_are_allowed_the_latest_cast_wins_whatever_the_arrival_order(
    database: Database, world: World, voters: Voters, clock: Clock, recorder: Recorder
) -> None:
    vote = await voters.open_vote(database, world, secret=False, allowChange=True)
    clock.advance(timedelta(minutes=10))
    t0 = ms(clock, timedelta(minutes=-3))
    slip = secrets.token_urlsafe(32)  # the voter's slip: an in-person change needs it
    first = ballot(vote, "H1a-x", world, "against", t0, slip)
    later = ballot(vote, "H1a-x", world, "for", t0 + 60_000, slip)
    stale = ballot(vote, "H1a-x", world, "abstain", t0 + 30_000, slip)  # arrives last
    assert stored(await recorder.push([first]), first)
    assert stored(await recorder.push([later]), later)
    [refused] = await recorder.push([stale])
    assert refused["id"] == stale["id"]
    assert await recorder.notices() == {stale["id"]: "BALLOT_SUPERSEDED"}
    pulled = {d["id"]: d["status"] for d in await recorder.phone.pull_all("ballot")}
    assert pulled == {first["id"]: "superseded", later["id"]: "counted"}
    assert await counts(database, vote) == (1, 1, 2)
    closed = await _close(voters, clock, vote)
    assert (closed["tally"]["for"], closed["tally"]["ballots"]) == (1, 1)
    assert (await voters.query(VERIFY, vote))["ok"] is True


async def test_a_secret_ballot_changes_only_with_the_voters_token_minted_on_the_phone(
    database: Database, world: World, voters: Voters, clock: Clock, recorder: Recorder
) -> None:
    vote = await voters.open_vote(database, world, secret=True, allowChange=True)
    clock.advance(timedelta(minutes=10))
    token = secrets.token_urlsafe(32)
    t0 = ms(clock, timedelta(minutes=-3))
    first = ballot(vote, "H1a-x", world, "against", t0, token)
    tokenless = ballot(vote, "H1a-x", world, "abstain", t0 + 30_000)
    later = ballot(vote, "H1a-x", world, "for", t0 + 60_000, token)
    assert stored(await recorder.push([first]), first)
    async with database.read() as session:
        receipts = list(await session.scalars(select(VoterRecord.receipt)))
    assert receipts == [receipt_of(token)]  # the phone can print the voter's receipt itself
    assert stored(await recorder.push([tokenless]), tokenless)  # set aside, not counted
    assert stored(await recorder.push([later]), later)
    assert await recorder.notices() == {}
    assert await counts(database, vote) == (1, 1, 3)
    closed = await _close(voters, clock, vote)
    assert (closed["tally"]["for"], closed["tally"]["against"]) == (1, 0)
    assert (await voters.query(VERIFY, vote))["ok"] is True


async def test_the_same_ballot_pushed_twice_or_fifty_times_at_once_counts_once(
    database: Database, world: World, voters: Voters, clock: Clock, recorder: Recorder
) -> None:
    vote = await voters.open_vote(database, world)
    once = ballot(vote, "H1a-x", world, "for", ms(clock))
    assert stored(await recorder.push([once]), once)
    assert stored(await recorder.push([once]), once)
    many = ballot(vote, "H1a-y", world, "against", ms(clock))
    answers = await asyncio.gather(*(recorder.push([many]) for _ in range(50)))
    assert all(answer == answers[0] and stored(answer, many) for answer in answers)
    assert await counts(database, vote) == (2, 2, 2)
    async with database.read() as session:
        assert await session.scalar(select(func.count(RefusedPush.id))) == 0
    assert (await voters.query(VERIFY, vote))["ok"] is True


async def test_a_secret_choice_is_never_pulled_nor_kept_beside_its_voter(
    database: Database, world: World, voters: Voters, clock: Clock, recorder: Recorder
) -> None:
    vote = await voters.open_vote(database, world, secret=True)
    docs = [
        ballot(vote, "H1a-x", world, "for", ms(clock)),
        ballot(vote, "H1a2-x", world, "against", ms(clock)),
    ]
    refused = ballot(vote, "H1a-y", world, "abstain", ms(clock, timedelta(hours=2)))
    accepted = await recorder.push(docs)
    assert stored(accepted, *docs)
    [answer] = await recorder.push([refused])
    assert answer["choice"] is None
    pulled = await recorder.phone.pull_all("ballot")
    assert {d["id"] for d in pulled} == {d["id"] for d in docs}
    assert all(d["choice"] is None and d["changeToken"] is None for d in pulled)
    other = Phone(recorder.phone.api, await recorder.phone.api.login("member1a"))
    assert all(d["choice"] is None for d in await other.pull_all("ballot"))
    chief = Phone(recorder.phone.api, await recorder.phone.api.login("chief1"))
    assert await chief.pull_all("ballot") == []  # only the recorder's own ballots
    async with database.read() as session:
        rows = list(await session.scalars(select(OfflineBallot)))
        ballot_ids = set(await session.scalars(select(Ballot.id)))
        kept = list(await session.scalars(select(RefusedPush)))
    assert [s.choice for s in rows] == [None, None]
    assert not {s.id for s in rows} & ballot_ids  # the counted ballot has its own random id
    assert [k.row["newDocumentState"]["choice"] for k in kept] == [None]
    assert "abstain" not in str(kept[0].row) and "abstain" not in kept[0].dedupe_key
    closed = await _close(voters, clock, vote)
    assert (closed["tally"]["for"], closed["tally"]["against"]) == (1, 1)
    assert (await voters.query(VERIFY, vote))["ok"] is True
