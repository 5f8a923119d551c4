"""``changlang serve`` starts a worker per core on PostgreSQL, one on SQLite, on uvloop, and
sizes each worker's pool so that all of them fit in PostgreSQL's ``max_connections``; each
worker freezes its startup heap out of the garbage collector's reach."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from api import cli
from api.app import app_from_env
from api.server_sizing import POOL_MAX, RESERVED, cores, default_workers, pool_per_worker
from api.settings import Settings


def test_every_workers_pools_together_stay_inside_max_connections() -> None:
    for limit in (20, 30, 100, 200, 1000):
        for workers in range(1, 70):
            pool = pool_per_worker(limit, workers)
            if pool:
                assert 2 <= pool <= POOL_MAX
                assert workers * (pool + 1) <= limit - RESERVED  # +1: each one's LISTEN
            else:
                assert workers * 3 > limit - RESERVED  # not even a pool of 2 fits
    assert pool_per_worker(100, 2) == POOL_MAX
    assert pool_per_worker(100, 8) == 10


def test_one_worker_on_sqlite_one_per_core_on_postgresql() -> None:
    assert default_workers("sqlite+aiosqlite:////tmp/x.sqlite3") == 1
    assert default_workers("postgresql+psycopg://u@h/db") == cores() >= 1


def test_a_pool_size_makes_a_fixed_pool() -> None:
    assert Settings.from_env({"CHANGLANG_POOL_SIZE": "7"}).pool_options == {
        "pool_size": 7,
        "max_overflow": 0,
    }
    assert Settings.from_env({}).pool_options == {}


@pytest.fixture
def env(tmp_path: Path, database_url: str) -> dict[str, str]:
    return {
        "CHANGLANG_DATA_DIR": str(tmp_path / "data"),
        "CHANGLANG_DATABASE_URL": database_url,
        "CHANGLANG_LANGUAGE": "en",
    }


def _max_connections(database_url: str) -> int:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        limit = int(connection.execute(text("SHOW max_connections")).scalar_one())
    engine.dispose()
    return limit


def test_serve_picks_the_workers_the_loop_and_each_workers_pool(
    env: dict[str, str], database_url: str, dialect: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[dict[str, Any], str | None]] = []
    monkeypatch.delenv("CHANGLANG_POOL_SIZE", raising=False)
    monkeypatch.setattr(
        cli.uvicorn,
        "run",
        lambda *_a, **kw: calls.append((kw, os.environ.get("CHANGLANG_POOL_SIZE"))),
    )
    result = CliRunner().invoke(cli.app, ["serve"], env=env)
    assert result.exit_code == 0, result.output
    [(kwargs, pool)] = calls
    assert kwargs["loop"] == "uvloop"
    assert kwargs["http"] == "api.header_limit:BoundedHttpToolsProtocol"
    if dialect == "sqlite":
        assert kwargs["workers"] == 1 and pool is None
    else:
        assert kwargs["workers"] == cores()
        assert pool == str(pool_per_worker(_max_connections(database_url), cores()))
    assert "CHANGLANG_POOL_SIZE" not in os.environ  # only the server's workers had it


def test_serve_refuses_more_workers_than_postgresql_can_connect(
    env: dict[str, str], database_url: str, dialect: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if dialect != "postgresql":
        pytest.skip("SQLite has no connection limit")
    monkeypatch.delenv("CHANGLANG_POOL_SIZE", raising=False)
    monkeypatch.setattr(cli.uvicorn, "run", lambda *_a, **_kw: pytest.fail("started"))
    workers = _max_connections(database_url)
    result = CliRunner().invoke(cli.app, ["serve", "--workers", str(workers)], env=env)
    assert result.exit_code == 1
    assert "max_connections" in result.output and "--workers" in result.output


def test_a_worker_freezes_its_startup_heap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``bench/gc_cost.py``: frozen, a full collection no longer walks the app and schema."""
    monkeypatch.setenv("CHANGLANG_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CHANGLANG_DATABASE_URL", raising=False)
    switch = sys.getswitchinterval()
    gc.unfreeze()
    try:
        app_from_env()
        assert gc.get_freeze_count() > 10_000
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        gc.unfreeze()
        sys.setswitchinterval(switch)
