"""Fixtures that run every database test on SQLite and on PostgreSQL.

Each test gets a fresh database cloned from a template migrated once per session: a file
copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL (about 40 ms).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from domain.credentials import use_fast_password_hashing
from domain.database import Database, open_database
from domain.migrate import upgrade_on
from tests.api_client import Api, api_for
from tests.postgres_server import PostgresServer, PostgresUnavailable, start_postgres
from tests.world import World, build_world

use_fast_password_hashing()

DIALECTS = ("sqlite", "postgresql")
TEMPLATE_DB = "changlang_template"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db", choices=("both", *DIALECTS), default="both", help="which database(s) to test"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "dialect" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("--db")
        params = DIALECTS if chosen == "both" else (chosen,)
        marks = {"postgresql": [pytest.mark.postgresql], "sqlite": []}
        metafunc.parametrize(
            "dialect", [pytest.param(d, marks=marks[d], id=d) for d in params], indirect=True
        )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgresql: runs on the throwaway PostgreSQL server")


def _require_postgres() -> bool:
    return os.environ.get("CHANGLANG_TEST_REQUIRE_POSTGRES", "") not in ("", "0")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    try:
        server = start_postgres()
    except PostgresUnavailable as exc:
        if _require_postgres():
            pytest.fail(f"PostgreSQL is required here but could not start: {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    try:
        engine = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {TEMPLATE_DB}"))
        engine.dispose()
        template = create_engine(server.url(TEMPLATE_DB))
        with template.begin() as connection:
            upgrade_on(connection)
        template.dispose()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        upgrade_on(connection)
    engine.dispose()
    return path


@pytest.fixture
def dialect(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, dialect: str, tmp_path: Path) -> Iterator[str]:
    if dialect == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB}"))
    try:
        yield server.url(name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = open_database(database_url)
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture
async def world(database: Database) -> World:
    return await build_world(database)


@pytest.fixture
async def api(database: Database) -> AsyncIterator[Api]:
    client = api_for(database)
    try:
        yield client
    finally:
        await client.client.aclose()
