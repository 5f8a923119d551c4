"""Fixtures of the vote tests: a clock the votes follow, and voters who log in on demand."""

from __future__ import annotations

import pytest

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
from tests.votes.helpers import Clock, Voters
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
