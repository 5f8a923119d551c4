"""Liveness and readiness: ``/healthz`` says the process runs, ``/readyz`` that it can serve."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from api.app import create_app
from api.settings import Settings
from domain.database import Database, open_database
from tests.api_client import test_settings as settings_with


@asynccontextmanager
async def client_for(
    database: Database | None, settings: Settings | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings or settings_with(), db=database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_healthz_answers_without_touching_the_database(tmp_path: Path) -> None:
    unreachable = open_database(f"sqlite+aiosqlite:///{tmp_path}/missing/dir/db.sqlite3")
    try:
        async with client_for(unreachable) as client:
            response = await client.get("/healthz")
    finally:
        await unreachable.dispose()
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["x-request-id"]


async def test_readyz_is_ready_with_a_working_database(database: Database) -> None:
    async with client_for(database) as client:
        response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


async def test_readyz_is_503_when_the_sqlite_directory_does_not_exist(tmp_path: Path) -> None:
    unreachable = open_database(f"sqlite+aiosqlite:///{tmp_path}/missing/dir/db.sqlite3")
    try:
        async with client_for(unreachable) as client:
            response = await client.get("/readyz")
    finally:
        await unreachable.dispose()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["reason"]
    assert not (tmp_path / "missing").exists()


async def test_readyz_is_503_when_postgresql_does_not_answer() -> None:
    unreachable = open_database(
        f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/changlang?connect_timeout=2"
    )
    try:
        async with client_for(unreachable) as client:
            response = await client.get("/readyz")
    finally:
        await unreachable.dispose()
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


async def test_readyz_reveals_no_connection_details(tmp_path: Path) -> None:
    secret_path = tmp_path / "missing" / "secret-location"
    unreachable = open_database(f"sqlite+aiosqlite:///{secret_path}/db.sqlite3")
    try:
        async with client_for(unreachable) as client:
            response = await client.get("/readyz")
    finally:
        await unreachable.dispose()
    assert response.status_code == 503
    assert "secret-location" not in response.text


async def test_an_app_that_opens_its_own_database_is_ready_while_running(tmp_path: Path) -> None:
    settings = settings_with(database_url=f"sqlite+aiosqlite:///{tmp_path}/own.sqlite3")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}
