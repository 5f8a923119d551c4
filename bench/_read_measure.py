"""What the read benchmark counts besides wrk: the floor's own load, statements per request.

*Statements per request.* On PostgreSQL, for every system alike: ``log_statement = 'all'``
is switched on for one warmed-up request and the statements the server logged are counted
(``BEGIN``/``COMMIT``/``ROLLBACK`` apart, as transactions), so changlang, the bare route and
PostGraphile are counted by the same witness. SQLite has no server to log: changlang's request
is run once in process on the same file with a SQLAlchemy ``before_cursor_execute`` counter
(the bare route and the floor run one statement by construction).

*The floor* is one statement run with the driver directly (psycopg, sqlite3), from as many
threads as the load's connections, each with its own connection, for the same seconds.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson
import psycopg
from _bare_route import text_json
from _processes import Load
from sqlalchemy import event

from api.app import create_app
from domain.database import open_database
from tests.api_client import test_settings

_LOGGED = re.compile(rb"LOG:  (?:statement|execute [^:]*): ([^\n]*)")
_TX = re.compile(rb"^\s*(BEGIN|COMMIT|ROLLBACK|START TRANSACTION|END)\b", re.I)


def pg_statements(admin_dsn: str, log: Path, send: Callable[[], None]) -> tuple[int, int]:
    """(statements, transactions) PostgreSQL logged while ``send`` made one request."""

    def setting(sql: str) -> None:
        with psycopg.connect(admin_dsn, autocommit=True) as connection:
            connection.execute(sql)
            connection.execute("SELECT pg_reload_conf()")
        time.sleep(0.4)

    send()  # warm: caches filled, statements prepared
    setting("ALTER SYSTEM SET log_statement = 'all'")
    try:
        start = log.stat().st_size
        send()
        time.sleep(0.4)
        logged = _LOGGED.findall(log.read_bytes()[start:])
    finally:
        setting("ALTER SYSTEM RESET log_statement")
    transactions = sum(1 for s in logged if _TX.match(s) and s.strip().upper().startswith(b"BEGIN"))
    return sum(1 for s in logged if not _TX.match(s)), transactions


def sqlite_changlang_statements(url: str, settings: dict[str, Any], token: str, body: bytes) -> int:
    """Statements changlang runs for one request (after a warm-up), counted in process."""

    async def run() -> int:
        db = open_database(url)
        count = 0

        def counted(*_args: Any) -> None:
            nonlocal count
            count += 1

        app = create_app(test_settings(**settings), db=db)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench"
        ) as client:
            await client.post("/graphql", content=body, headers=headers)
            for engine in {db.write_engine.sync_engine, db.read_engine.sync_engine}:
                event.listen(engine, "before_cursor_execute", counted)
            await client.post("/graphql", content=body, headers=headers)
        await db.dispose()
        return count

    return asyncio.run(run())


def _connect(dialect: str, dsn: str) -> Any:
    if dialect == "postgresql":
        connection = psycopg.connect(dsn, autocommit=True)
        text_json(connection)
        return connection
    return sqlite3.connect(dsn, check_same_thread=False)


def floor_answer(dialect: str, dsn: str, sql: str, parameters: dict[str, Any]) -> Any:
    connection = _connect(dialect, dsn)
    try:
        return orjson.loads(connection.execute(sql, parameters).fetchone()[0])
    finally:
        connection.close()


def floor_load(
    dialect: str, dsn: str, sql: str, parameters: dict[str, Any], connections: int, seconds: float
) -> Load:
    """The statement in a loop from ``connections`` threads; latencies as wrk reports them."""
    latencies: list[float] = []
    lock = threading.Lock()
    opened = [_connect(dialect, dsn) for _ in range(connections)]
    start_at = time.perf_counter() + 0.05
    stop_at = start_at + seconds

    def worker(connection: Any) -> None:
        mine = []
        while time.perf_counter() < start_at:
            time.sleep(0.001)
        while (now := time.perf_counter()) < stop_at:
            connection.execute(sql, parameters).fetchone()
            mine.append(time.perf_counter() - now)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(c,)) for c in opened]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = max(time.perf_counter(), stop_at) - start_at
    for connection in opened:
        connection.close()
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0.0
    p50 = statistics.median(latencies) if latencies else 0.0
    return Load(len(latencies), elapsed, 0, p50 * 1000, p99 * 1000)
