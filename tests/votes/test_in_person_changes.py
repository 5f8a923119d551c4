"""A voter's ballot is theirs: staff recording in person never overwrite it.

Online ballots change only online, by the voter; a ballot given in person changes only in
person again, with the change token on the voter's slip. A ballot recorded for a voter who
had voted is set aside, answered as any first ballot is, so the recorder never learns that
the voter had voted; the voter's own refusals say through which channel their counted
ballot came and never its choice.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from domain.database import Database
from tests.api_client import Api, api_for
from tests.sync.test_offline_ballots import Recorder, ballot, ms
from tests.votes.helpers import CHOICES, RECORD, STATUS, Clock, Voters, row_counts
from tests.world import World


@pytest.fixture
async def api(database: Database) -> AsyncIterator[Api]:
    """These tests read what the messages say (channels, no "your"), in English."""
    client = api_for(database, language="en")
    try:
        yield client
    finally:
        await client.client.aclose()


CHOICE_WORDS = ("FOR", "AGAINST", "ABSTAIN", "against", "abstain", "赞成", "反对", "弃权")


async def _record(
    voters: Voters, world: World, vote: str, voter: str, choice: str, token: str | None = None
) -> dict[str, Any]:
    data = await voters.api.ok(
        RECORD,
        {"v": vote, "c": choice, "m": MEETING[0], "r": str(world.residents[voter]), "t": token},
        await voters.token("member1a"),
    )
    return dict(data["recordInPersonBallot"])


MEETING: list[str] = [""]


@pytest.fixture(autouse=True)
def _at_the_meeting(meeting: str) -> None:
    """Every ballot here is recorded at M1a's meeting under way."""
    MEETING[0] = meeting


def _looks_first(answer: dict[str, Any], changed: bool = False) -> None:
    """What any recorded ballot answers: a receipt and a slip, nothing about other ballots."""
    assert answer["__typename"] == "BallotReceipt", answer
    assert answer["channel"] == "IN_PERSON" and answer["changed"] is changed
    assert len(answer["receipt"]) == 64 and answer["changeToken"]
    assert answer["commitmentSalt"] is None


def _says_channel_not_choice(answer: dict[str, Any], channel: str) -> None:
    assert answer["code"] == "ALREADY_VOTED", answer
    message = answer["message"]
    assert channel in message.lower(), message
    assert not any(word in message for word in CHOICE_WORDS), message
    assert "your" not in message.lower() and "present" not in message.lower(), message


async def _choices(voters: Voters, vote: str) -> list[str]:
    listed = await voters.query(CHOICES, vote)
    return sorted(c["choice"] for c in listed["choices"])


@pytest.mark.parametrize("secret", [False, True])
async def test_staff_cannot_overwrite_an_online_ballot_nor_learn_of_it(
    secret: bool, database: Database, world: World, voters: Voters
) -> None:
    vote = await voters.open_vote(database, world, secret=secret, allowChange=True)
    cast = await voters.cast(vote, "H1a-x", "AGAINST")
    assert cast["__typename"] == "BallotReceipt"
    before = await row_counts(database)
    aside = await _record(voters, world, vote, "H1a-x", "FOR")
    _looks_first(aside)  # as for a voter who has not voted: set aside, not counted
    online_token = cast["changeToken"] or secrets.token_urlsafe(32)  # open votes have none
    with_token = await _record(voters, world, vote, "H1a-x", "FOR", online_token)
    unvoted = await _record(voters, world, vote, "H1a-y", "FOR", secrets.token_urlsafe(32))
    assert with_token["code"] == unvoted["code"] == "INVALID_CHANGE_TOKEN"
    assert with_token["message"] == unvoted["message"]
    assert await row_counts(database) == before
    own = await voters.query(STATUS, vote, "H1a-x")
    assert own["receipt"] == cast["receipt"] != aside["receipt"]  # the voter's ballot stands
    if not secret:
        assert await _choices(voters, vote) == ["AGAINST"]


async def test_an_in_person_ballot_is_final_online(
    database: Database, world: World, voters: Voters
) -> None:
    vote = await voters.open_vote(database, world, secret=True, allowChange=True)
    recorded = await _record(voters, world, vote, "H1a-x", "FOR")
    assert recorded["__typename"] == "BallotReceipt" and recorded["channel"] == "IN_PERSON"
    mine = await voters.query(STATUS, vote, "H1a-x")
    assert mine["hasVoted"] is True and mine["canChange"] is False
    before = await row_counts(database)
    for token in (None, recorded["changeToken"]):
        answer = await voters.cast(vote, "H1a-x", "AGAINST", token)
        assert answer["code"] == "ALREADY_VOTED", answer
        assert "in person" in answer["message"]
    assert await row_counts(database) == before


async def test_an_in_person_ballot_changes_in_person_only_with_the_voters_slip(
    database: Database, world: World, voters: Voters
) -> None:
    vote = await voters.open_vote(database, world, secret=False, allowChange=True)
    first = await _record(voters, world, vote, "H1a-x", "FOR")
    slip = first["changeToken"]
    assert slip, "an in-person ballot gets a slip on an open vote too"
    before = await row_counts(database)
    _looks_first(await _record(voters, world, vote, "H1a-x", "AGAINST"))  # set aside
    wrong = await _record(voters, world, vote, "H1a-x", "AGAINST", secrets.token_urlsafe(32))
    assert wrong["code"] == "INVALID_CHANGE_TOKEN" and "your" not in wrong["message"]
    assert await row_counts(database) == before
    assert await _choices(voters, vote) == ["FOR"]
    changed = await _record(voters, world, vote, "H1a-x", "AGAINST", slip)
    assert changed["__typename"] == "BallotReceipt" and changed["changed"] is True
    assert changed["receipt"] == first["receipt"]
    assert await _choices(voters, vote) == ["AGAINST"]


async def test_where_changes_are_off_an_in_person_ballot_is_final(
    database: Database, world: World, voters: Voters
) -> None:
    vote = await voters.open_vote(database, world, secret=False, allowChange=False)
    first = await _record(voters, world, vote, "H1a-x", "FOR")
    answer = await _record(voters, world, vote, "H1a-x", "AGAINST", first["changeToken"])
    _says_channel_not_choice(answer, "in person")
    assert await _choices(voters, vote) == ["FOR"]


@pytest.fixture
async def recorder(api: Api, world: World, clock: Clock, meeting: str) -> Recorder:
    return Recorder(api, await api.login("member1a"), clock, meeting)


async def test_offline_sync_follows_the_same_rule(
    database: Database, world: World, voters: Voters, clock: Clock, recorder: Recorder
) -> None:
    vote = await voters.open_vote(database, world, secret=False, allowChange=True)
    assert (await voters.cast(vote, "H1a-x", "AGAINST"))["__typename"] == "BallotReceipt"
    clock.advance(timedelta(minutes=5))
    over_online = ballot(vote, "H1a-x", world, "for", ms(clock), secrets.token_urlsafe(32))
    assert await recorder.push([over_online]) == []  # set aside; the phone sees it counted
    assert await recorder.notices() == {}
    slip = secrets.token_urlsafe(32)
    synced = ballot(vote, "H1a-y", world, "for", ms(clock, timedelta(minutes=-1)), slip)
    assert await recorder.push([synced]) == []
    _looks_first(await _record(voters, world, vote, "H1a-y", "AGAINST"))
    online = await voters.cast(vote, "H1a-y", "AGAINST")
    assert online["code"] == "ALREADY_VOTED" and "in person" in online["message"]  # to the voter
    tokenless = ballot(vote, "H1a-y", world, "abstain", ms(clock))
    assert await recorder.push([tokenless]) == []
    pulled = {d["id"]: d["status"] for d in await recorder.phone.pull_all("ballot")}
    assert set(pulled.values()) == {"counted"}
    assert await _choices(voters, vote) == ["AGAINST", "FOR"]
    changed = await _record(voters, world, vote, "H1a-y", "AGAINST", slip)
    assert changed["changed"] is True
    assert await _choices(voters, vote) == ["AGAINST", "AGAINST"]
