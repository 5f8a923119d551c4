"""Fixtures of the vote tests: a clock the votes follow, and voters who log in on demand."""

from __future__ import annotations

import pytest

from domain.database import Database
from domain.services import (
    ballot_audit,
    ballot_changes,
    ballots,
    panels,
    vote_calls,
    vote_results,
    votes,
)
from schema.votes import reading
from tests.api_client import Api
from tests.votes.helpers import Clock, Voters, open_meeting
from tests.world import World


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


@pytest.fixture
async def meeting(database: Database, world: World) -> str:
    """M1a's corridor meeting, under way: where member1a records ballots given in person."""
    return str(await open_meeting(database, world))
