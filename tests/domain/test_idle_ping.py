"""PostgreSQL connections are pinged only after sitting idle, and a dead one is replaced.

Pinging every checkout (``pool_pre_ping``) costs a round trip per transaction; a connection
that was in use a moment ago is alive. One that sat idle in the pool may have been closed by
a database restart or a timeout: it is pinged, and a dead one is swapped for a fresh one
before the request sees it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

import domain.database
from domain.database import Database


async def _backend(db: Database) -> int:
    async with db.read() as session:
        return int((await session.execute(text("SELECT pg_backend_pid()"))).scalar_one())


def _terminate(database_url: str, pid: int) -> None:
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
    engine.dispose()


async def test_a_connection_killed_while_idle_is_replaced_before_use(
    database: Database, database_url: str, dialect: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if dialect != "postgresql":
        pytest.skip("SQLite connections are files, never dropped by a server")
    first = await _backend(database)
    _terminate(database_url, first)
    monkeypatch.setattr(domain.database, "PING_AFTER_IDLE_S", 0.0)
    second = await _backend(database)
    assert second != first


async def test_without_the_idle_ping_the_dead_connection_fails_once_then_the_pool_recovers(
    database: Database, database_url: str, dialect: str
) -> None:
    """What the ping saves a request from: a connection used moments ago is not pinged, so
    if the server killed it meanwhile the statement fails (a typed, masked error at the edge)
    and the pool drops it; the next transaction gets a fresh connection."""
    if dialect != "postgresql":
        pytest.skip("SQLite connections are files, never dropped by a server")
    first = await _backend(database)
    _terminate(database_url, first)
    with pytest.raises(DBAPIError) as failure:
        await _backend(database)
    assert failure.value.connection_invalidated
    assert await _backend(database) != first
