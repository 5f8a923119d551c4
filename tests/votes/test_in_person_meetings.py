"""A ballot given in person is given at an open meeting the voter attends, and tells the
recorder nothing about whether the voter had voted; the admin sees who recorded how many.

The attack these answer: a volunteer recorded FOR for every resident they cover, with no
meeting, and the residents' refusals (ALREADY_VOTED, cast online) told them who had voted.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from domain.database import Database
from domain.models import Attendance, SetAsideBallot
from tests.sync.test_offline_ballots import Recorder, ballot, ms
from tests.votes.helpers import (
    CHOICES,
    RECORD,
    SESSIONS,
    STATUS,
    VERIFY,
    Clock,
    Voters,
    open_meeting,
    row_counts,
)
from tests.world import World

COVERED = ("H1a-x", "H1a-y", "H1a2-x", "H1a2-y")  # every adult member1a covers (M1a)


async def _record(
    voters: Voters,
    world: World,
    vote: str,
    voter: str,
    meeting: str,
    *,
    by: str = "member1a",
    choice: str = "FOR",
    token: str | None = None,
) -> dict[str, Any]:
    data = await voters.api.ok(
        RECORD,
        {"v": vote, "c": choice, "m": meeting, "r": str(world.residents[voter]), "t": token},
        await voters.token(by),
    )
    return dict(data["recordInPersonBallot"])


async def _attendance(database: Database, meeting: str) -> list[tuple[uuid.UUID | None, str]]:
    async with database.read() as session:
        rows = await session.execute(
            select(Attendance.resident_id, Attendance.recorded_by_id).where(
                Attendance.meeting_id == uuid.UUID(meeting), Attendance.deleted.is_(False)
            )
        )
        return [(resident, str(recorder)) for resident, recorder in rows]


async def test_an_in_person_ballot_needs_an_open_meeting_that_the_recorder_runs(
    database: Database, world: World, voters: Voters
) -> None:
    vote = await voters.open_vote(database, world)
    refusals = {
        "an unknown meeting": (str(uuid.uuid4()), "NOT_FOUND"),
        "another grid's meeting": (str(await open_meeting(database, world, "G2")), "NOT_FOUND"),
        "a cancelled meeting": (
            str(await open_meeting(database, world, cancelled=True)),
            "MEETING_NOT_OPEN",
        ),
        "a meeting yet to start": (
            str(await open_meeting(database, world, started=-timedelta(hours=1))),
            "MEETING_NOT_OPEN",
        ),
        "a meeting long over": (
            str(await open_meeting(database, world, started=timedelta(hours=7))),
            "MEETING_NOT_OPEN",
        ),
    }
    before = await row_counts(database)
    for what, (meeting, code) in refusals.items():
        answer = await _record(voters, world, vote, "H1a-x", meeting)
        assert answer.get("code") == code, (what, answer)
    assert await row_counts(database) == before
    async with database.read() as session:
        assert await session.scalar(select(func.count(Attendance.id))) == 0


async def test_recording_the_ballot_records_the_voters_attendance_visibly_once(
    database: Database, world: World, voters: Voters, meeting: str
) -> None:
    vote = await voters.open_vote(database, world)
    other = await voters.open_vote(database, world)
    assert (await _record(voters, world, vote, "H1a-x", meeting))["__typename"] == "BallotReceipt"
    recorder = str(world.accounts["member1a"])
    assert await _attendance(database, meeting) == [(world.residents["H1a-x"], recorder)]
    assert (await _record(voters, world, other, "H1a-x", meeting))["__typename"] == "BallotReceipt"
    assert await _attendance(database, meeting) == [(world.residents["H1a-x"], recorder)]


async def test_recording_for_every_covered_resident_tells_the_recorder_nobody_voted_online(
    database: Database, world: World, voters: Voters, meeting: str, clock: Clock
) -> None:
    vote = await voters.open_vote(database, world, secret=True, allowChange=True)
    online = {who: await voters.cast(vote, who, "AGAINST") for who in ("H1a-x", "H1a2-y")}
    answers = {who: await _record(voters, world, vote, who, meeting) for who in COVERED}
    shapes = {
        who: (
            a["__typename"],
            a["channel"],
            a["changed"],
            len(a["receipt"]),
            bool(a["changeToken"]),
        )
        for who, a in answers.items()
    }
    assert len(set(shapes.values())) == 1, shapes  # the same answer whoever had voted
    assert next(iter(shapes.values())) == ("BallotReceipt", "IN_PERSON", False, 64, True)
    for who, cast in online.items():  # the residents' own ballots stand, their own words too
        mine = await voters.query(STATUS, vote, who)
        assert mine["receipt"] == cast["receipt"] != answers[who]["receipt"]
        again = await voters.cast(vote, who, "FOR", cast["changeToken"])
        assert again["__typename"] == "BallotReceipt" and again["changed"] is True
    for who in ("H1a-y", "H1a2-x"):  # their own online cast after it: refused to them only
        assert (await voters.cast(vote, who, "AGAINST"))["code"] == "ALREADY_VOTED"
    # a change with a set-aside slip looks like any change, and is set aside again
    slip = answers["H1a-x"]["changeToken"]
    changed = await _record(voters, world, vote, "H1a-x", meeting, choice="AGAINST", token=slip)
    assert changed["__typename"] == "BallotReceipt" and changed["changed"] is True
    sessions = (await voters.query(SESSIONS, vote))["sessions"]
    assert sessions == [
        {
            "meetingId": meeting,
            "meetingTitle": "楼道议事会",
            "recordedById": str(world.accounts["member1a"]),
            "recordedBy": "member1a",
            "counted": 2,
            "setAside": 3,
        }
    ]
    for who in ("member1a", "chief1", "H1a-x"):
        assert (await voters.query(SESSIONS, vote, who))["code"] == "FORBIDDEN"
    clock.advance(timedelta(hours=2))
    verified = await voters.query(VERIFY, vote)
    assert verified["ok"] is True and verified["receipts"] == verified["countedBallots"] == 4
    choices = sorted(c["choice"] for c in (await voters.query(CHOICES, vote))["choices"])
    assert choices == ["FOR", "FOR", "FOR", "FOR"]  # two online (changed), two in person


async def test_a_phone_ballot_names_a_meeting_open_when_it_was_cast(
    database: Database, world: World, voters: Voters, clock: Clock, api: Any, meeting: str
) -> None:
    vote = await voters.open_vote(database, world, secret=True)
    phone = Recorder(api, await api.login("member1a"), clock, None)
    later = str(await open_meeting(database, world, started=-timedelta(minutes=30)))
    nowhere = ballot(vote, "H1a-x", world, "for", ms(clock))
    too_early = ballot(vote, "H1a-y", world, "for", ms(clock)) | {"meetingId": later}
    answers = await phone.push([nowhere, too_early])
    assert {a["id"] for a in answers} == {nowhere["id"], too_early["id"]}
    assert await phone.notices() == {
        nowhere["id"]: "MEETING_NOT_OPEN",
        too_early["id"]: "MEETING_NOT_OPEN",
    }
    assert await _attendance(database, later) == []
    at_meeting = ballot(vote, "H1a-x", world, "for", ms(clock), secrets.token_urlsafe(32))
    at_meeting["meetingId"] = meeting
    assert await phone.push([at_meeting]) == []
    assert await _attendance(database, meeting) == [
        (world.residents["H1a-x"], str(world.accounts["member1a"]))
    ]
    [pulled] = await phone.phone.pull_all("ballot")
    assert pulled["meetingId"] == meeting and pulled["status"] == "counted"


@pytest.mark.parametrize("secret", [True, False])
async def test_a_phone_ballot_for_a_voter_who_voted_online_is_set_aside_looking_counted(
    secret: bool, database: Database, world: World, voters: Voters, clock: Clock, api: Any
) -> None:
    meeting = str(await open_meeting(database, world))
    vote = await voters.open_vote(database, world, secret=secret)
    assert (await voters.cast(vote, "H1a-x", "AGAINST"))["__typename"] == "BallotReceipt"
    phone = Recorder(api, await api.login("member1a"), clock, meeting)
    docs = [
        ballot(vote, who, world, "for", ms(clock), secrets.token_urlsafe(32))
        for who in ("H1a-x", "H1a-y")
    ]
    assert await phone.push(docs) == []
    assert await phone.notices() == {}
    pulled = await phone.phone.pull_all("ballot")
    assert {d["status"] for d in pulled} == {"counted"} and len(pulled) == 2
    async with database.read() as session:
        aside = list(await session.scalars(select(SetAsideBallot)))
    assert [(a.meeting_id, a.recorded_by_id) for a in aside] == [
        (uuid.UUID(meeting), world.accounts["member1a"])
    ]
    clock.advance(timedelta(hours=2, minutes=5))
    choices = sorted(c["choice"] for c in (await voters.query(CHOICES, vote))["choices"])
    assert choices == ["AGAINST", "FOR"]
    sessions = (await voters.query(SESSIONS, vote))["sessions"]
    assert [(s["counted"], s["setAside"]) for s in sessions] == [(1, 1)]
