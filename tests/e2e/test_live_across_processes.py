"""Live events reach subscribers on every server process: two real servers on one PostgreSQL.

A subscriber connected to one process sees a ballot cast, a topic raised and an agenda
changed through the other process (PostgreSQL LISTEN/NOTIFY between them).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.graphql_http import (
    adult_residents,
    cast,
    graphql,
    issue_code,
    login,
    login_with_code,
    open_vote,
)
from tests.e2e.live_client import subscribed
from tests.e2e.server_process import running_server
from tests.postgres_server import PostgresServer

pytestmark = pytest.mark.postgresql

TALLY = """subscription($v: UUID!) { voteTally(voteId: $v) {
  ballots for against abstain countsHidden final } }"""


@pytest.fixture
def two_servers(tmp_path: Path, postgres_server: PostgresServer) -> Iterator[tuple[str, str]]:
    name = f"live_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_server.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    env = {
        "CHANGLANG_DATA_DIR": str(tmp_path / "data"),
        "CHANGLANG_DATABASE_URL": postgres_server.url(name),
    }
    try:
        with ExitStack() as stack:
            first = stack.enter_context(running_server("--demo", env=env, log=tmp_path / "a.log"))
            second = stack.enter_context(running_server(env=env, log=tmp_path / "b.log"))
            yield first, second
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def test_a_ballot_cast_on_one_process_moves_the_tally_seen_on_the_other(
    two_servers: tuple[str, str],
) -> None:
    first, second = two_servers
    admin = login(first)
    vote_id = open_vote(first, admin, "增设电动车充电桩")
    voters = [
        login_with_code(second, issue_code(second, admin, r["id"]))
        for r in adult_residents(first, admin, 2)
    ]
    with subscribed(first, TALLY, {"v": vote_id}, admin) as tally:
        assert tally.next()["voteTally"]["ballots"] == 0
        cast(second, voters[0], vote_id, "FOR")
        seen = tally.next()["voteTally"]
        assert (seen["ballots"], seen["for"], seen["against"]) == (1, 1, 0)
        cast(second, voters[1], vote_id, "AGAINST")
        seen = tally.next()["voteTally"]
        assert (seen["ballots"], seen["for"], seen["against"]) == (2, 1, 1)


def test_a_topic_raised_on_one_process_reaches_a_subscriber_on_the_other(
    two_servers: tuple[str, str],
) -> None:
    first, second = two_servers
    admin = login(first)
    query = "subscription { proposalRaised { title status } }"
    with subscribed(first, query, {}, admin) as raised:
        graphql(
            second,
            """mutation { raiseProposal(input: {title: "楼道堆物清理", category: OTHER,
                 source: ONLINE}) { __typename } }""",
            token=login(second),
        )
        assert raised.next()["proposalRaised"] == {"title": "楼道堆物清理", "status": "SUBMITTED"}


def test_a_secret_vote_shows_turnout_live_but_not_the_counts(two_servers: tuple[str, str]) -> None:
    first, second = two_servers
    admin = login(first)
    vote_id = open_vote(first, admin, "物业费调整", secret=True)
    (voter,) = adult_residents(first, admin, 1)
    with subscribed(first, TALLY, {"v": vote_id}, admin) as tally:
        tally.next()
        cast(
            second, login_with_code(second, issue_code(second, admin, voter["id"])), vote_id, "FOR"
        )
        seen = tally.next()["voteTally"]
        assert seen["ballots"] == 1
        assert seen["countsHidden"] is True
        assert (seen["for"], seen["against"], seen["abstain"]) == (None, None, None)
