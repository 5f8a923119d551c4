"""A voter's ballot is theirs: staff recording in person never overwrite it.

Online ballots change only online, by the voter; a ballot given in person changes only in
person again, with the change token on the voter's slip; every refusal says through which
channel the counted ballot came and never its choice, and is worded for whoever asked.
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
        {"v": vote, "c": choice, "r": str(world.residents[voter]), "t": token},
        await voters.token("member1a"),
    )
    return dict(data["recordInPersonBallot"])


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
async def test_staff_cannot_overwrite_an_online_ballot(
    secret: bool, database: Database, world: World, voters: Voters
) -> None:
    vote = await voters.open_vote(database, world, secret=secret, allowChange=True)
    cast = await voters.cast(vote, "H1a-x", "AGAINST")
    assert cast["__typename"] == "BallotReceipt"
    before = await row_counts(database)
    for token in (None, cast["changeToken"]):
        answer = await _record(voters, world, vote, "H1a-x", "FOR", token)
        _says_channel_not_choice(answer, "online")
    assert await row_counts(database) == before
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
    _says_channel_not_choice(await _record(voters, world, vote, "H1a-x", "AGAINST"), "in person")
    wrong = await _record(voters, world, vote, "H1a-x", "AGAINST", secrets.token_urlsafe(32))
    assert wrong["code"] == "INVALID_CHANGE_TOKEN" and "your" not in wrong["message"]
    assert await row_counts(database) == before
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
async def recorder(api: Api, world: World, clock: Clock) -> Recorder:
    return Recorder(api, await api.login("member1a"), clock)


async def test_offline_sync_follows_the_same_rule(
    database: Database, world: World, voters: Voters, clock: Clock, recorder: Recorder
) -> None:
    vote = await voters.open_vote(database, world, secret=False, allowChange=True)
    assert (await voters.cast(vote, "H1a-x", "AGAINST"))["__typename"] == "BallotReceipt"
    clock.advance(timedelta(minutes=5))
    over_online = ballot(vote, "H1a-x", world, "for", ms(clock), secrets.token_urlsafe(32))
    [refused] = await recorder.push([over_online])
    assert refused["deleted"] is True
    assert (await recorder.notices())[over_online["id"]] == "ALREADY_VOTED"
    slip = secrets.token_urlsafe(32)
    synced = ballot(vote, "H1a-y", world, "for", ms(clock, timedelta(minutes=-1)), slip)
    assert await recorder.push([synced]) == []
    answer = await _record(voters, world, vote, "H1a-y", "AGAINST")
    _says_channel_not_choice(answer, "offline")
    online = await voters.cast(vote, "H1a-y", "AGAINST")
    assert online["code"] == "ALREADY_VOTED"
    tokenless = ballot(vote, "H1a-y", world, "abstain", ms(clock))
    [dropped] = await recorder.push([tokenless])
    assert dropped["deleted"] is True
    assert await _choices(voters, vote) == ["AGAINST", "FOR"]
    changed = await _record(voters, world, vote, "H1a-y", "AGAINST", slip)
    assert changed["changed"] is True
    assert await _choices(voters, vote) == ["AGAINST", "AGAINST"]
