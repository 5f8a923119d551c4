"""The real RxDB client keeps its session across short-lived access tokens, and tells the app
when it cannot (Node, rxdb 17.6 through the project's wrapper, against ``changlang serve
--demo`` whose access tokens live 2 s, on SQLite and PostgreSQL).

Scenario C (``clients/rxdb/test/scenario-c.mjs``): a phone idle for longer than its token
lives still receives live changes (the server closes its socket with 4401, the wrapper
renews the token and reconnects); when refreshing then fails the app hears ``loginRequired$``
once, the phone stops asking the server, and the note written meanwhile reaches the server
after the user logs in again.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.server_process import running_server
from tests.e2e.test_rxdb_sync import SyncServer, _run_scenario, node_client
from tests.postgres_server import PostgresServer

__all__ = ["node_client"]

TOKEN_SECONDS = 2


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql),
    ],
)
def short_token_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SyncServer]:
    dialect = str(request.param)
    chosen = request.config.getoption("--db")
    if chosen not in ("both", dialect):
        pytest.skip(f"--db {chosen}")
    tmp: Path = tmp_path_factory.mktemp(f"rxdb-session-{dialect}")
    log = tmp / "server.log"
    env = {
        "CHANGLANG_DATA_DIR": str(tmp / "data"),
        "CHANGLANG_DATABASE_URL": "",
        "CHANGLANG_ACCESS_TOKEN_SECONDS": str(TOKEN_SECONDS),
    }
    if dialect == "sqlite":
        with running_server("--demo", env=env, log=log) as base:
            yield SyncServer(base, dialect, log)
        return
    postgres: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"rxdb_session_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    env["CHANGLANG_DATABASE_URL"] = postgres.url(name)
    try:
        # One process: fanning out across processes is test_rxdb_sync's and
        # test_live_across_processes' concern; this one is about the session.
        with running_server("--demo", env=env, log=log) as base:
            yield SyncServer(base, dialect, log)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def test_an_idle_phone_outlives_its_tokens_and_a_failed_refresh_tells_the_app(
    node_client: str, short_token_server: SyncServer
) -> None:
    result = _run_scenario(
        node_client, "scenario-c.mjs", short_token_server, [], tokenSeconds=TOKEN_SECONDS
    )

    idle = result["idle"]
    # The server closed the idle phone's socket when its token expired (4401, which the
    # wrapper hands graphql-ws as 1013 so that it retries), and the wrapper asked the app for
    # a fresh token for the refused one and reconnected.
    assert {"code": 1013, "reason": "token expired; renewing"} in idle["closes"], idle
    assert idle["reconnected"] is True, idle
    assert idle["hints"] >= 1 and idle["refreshes"] >= 1, idle
    # ... and an office change made after the token's lifetime reached it through the stream.
    assert idle["renameAttempts"] < 5, idle

    logged_out = result["loggedOut"]
    # Refreshing failed: the app was told exactly once, and the phone went quiet (backoff)
    # instead of retrying "log in first" several times a second.
    assert logged_out["loginRequired"] == 1, logged_out
    assert logged_out["httpRequests"] <= 2, logged_out
    assert logged_out["wsConnections"] <= 4, logged_out
    assert logged_out["refreshAttempts"] <= 4, logged_out
    # Nothing typed is lost: the note written meanwhile stays on the phone ...
    assert logged_out["noteOnPhone"] is True and logged_out["noteOnServer"] is False, logged_out
    # ... and reaches the server once the user logged in again; the stream is live again.
    restored = result["restored"]
    assert restored["noteOnServer"] is True
    assert restored["renameAttempts"] < 5, restored
    assert restored["loginRequired"] == 1, restored
    assert result["seconds"] < 60, result["steps"]
