"""The README's promises, with real server processes: the demo on SQLite, workers on PostgreSQL."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from api.demo import DEMO_PASSWORD
from tests.e2e.server_process import running_server
from tests.postgres_server import PostgresServer

LOGIN = """mutation($u: String!, $p: String!) { login(username: $u, password: $p) {
  __typename ... on AuthSession { accessToken } ... on Error { code } } }"""
COUNTS = "{ households { totalCount } residents { totalCount } coverage { ratio households } }"


def _graphql(
    base: str, query: str, variables: dict[str, str] | None = None, token: str = ""
) -> dict:  # type: ignore[type-arg]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        f"{base}/graphql",
        json={"query": query, "variables": variables or {}},
        headers=headers,
        timeout=30,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return dict(body["data"])


def test_serve_demo_on_sqlite_answers_as_the_readme_says(tmp_path: Path) -> None:
    env = {"CHANGLANG_DATA_DIR": str(tmp_path / "data"), "CHANGLANG_DATABASE_URL": ""}
    with running_server("--demo", env=env, log=tmp_path / "server.log") as base:
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
        assert (
            "graphiql" in httpx.get(f"{base}/graphql", headers={"Accept": "text/html"}).text.lower()
        )
        login = _graphql(base, LOGIN, {"u": "admin", "p": DEMO_PASSWORD})["login"]
        assert login["__typename"] == "AuthSession"
        counts = _graphql(base, COUNTS, token=login["accessToken"])
        assert 180 <= counts["households"]["totalCount"] <= 220
        assert 450 <= counts["residents"]["totalCount"] <= 550
        assert 0.9 < counts["coverage"]["ratio"] < 1.0
    printed = (tmp_path / "server.log").read_text(errors="replace")
    assert "admin" in printed and DEMO_PASSWORD in printed
    assert (tmp_path / "data" / "changlang.sqlite3").exists()


def test_serve_without_demo_starts_empty_and_says_how_to_begin(tmp_path: Path) -> None:
    env = {"CHANGLANG_DATA_DIR": str(tmp_path / "data"), "CHANGLANG_DATABASE_URL": ""}
    with running_server(env=env, log=tmp_path / "server.log") as base:
        assert httpx.get(f"{base}/readyz").status_code == 200
    assert "changlang create-admin" in (tmp_path / "server.log").read_text(errors="replace")


@pytest.mark.postgresql
def test_serve_with_two_workers_on_postgresql(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    name = f"serve_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_server.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    env = {
        "CHANGLANG_DATA_DIR": str(tmp_path / "data"),
        "CHANGLANG_DATABASE_URL": postgres_server.url(name),
    }
    try:
        with running_server(
            "--workers", "2", "--demo", env=env, log=tmp_path / "server.log"
        ) as base:
            login = _graphql(base, LOGIN, {"u": "admin", "p": DEMO_PASSWORD})["login"]
            for _ in range(10):
                counts = _graphql(base, COUNTS, token=login["accessToken"])
                assert counts["residents"]["totalCount"] >= 450
        log = (tmp_path / "server.log").read_text(errors="replace")
        assert log.count("Started server process") >= 2, log
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
