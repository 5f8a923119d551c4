"""SQLite's writers queue in arrival order inside the process, and still give up as SQLite does.

Without the queue, writers waiting on ``BEGIN IMMEDIATE`` sleep and retry in SQLite's busy
handler and take the lock in whatever order their retries land (and with dozens waiting, the
lock sits free between tries). PostgreSQL has no such queue: its writers wait on row locks.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from domain import database as database_module
from domain.database import Database


async def test_concurrent_writers_all_commit_in_arrival_order(database: Database) -> None:
    async with database.transaction() as session:
        await session.execute(text("CREATE TABLE arrivals (n INTEGER NOT NULL)"))
    order: list[int] = []

    async def writer(number: int) -> None:
        async with database.transaction() as session:
            await session.execute(text("INSERT INTO arrivals (n) VALUES (:n)"), {"n": number})
            await asyncio.sleep(0.002)  # hold the write lock while others arrive
            order.append(number)

    tasks = []
    for number in range(40):
        tasks.append(asyncio.create_task(writer(number)))
        await asyncio.sleep(0)  # each writer reaches the queue before the next starts
    await asyncio.gather(*tasks)
    async with database.read() as session:
        stored = list(await session.scalars(text("SELECT n FROM arrivals")))
    assert sorted(stored) == list(range(40))
    if database.dialect == "sqlite":
        assert order == list(range(40))


async def test_a_writer_queued_longer_than_sqlite_waits_fails_as_locked(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    if database.dialect != "sqlite":
        pytest.skip("PostgreSQL's writers wait on row locks, not on this queue")
    monkeypatch.setattr(database_module, "SQLITE_BUSY_TIMEOUT_MS", 100)
    async with database.transaction() as session:
        await session.execute(text("SELECT 1"))
        with pytest.raises(OperationalError, match="database is locked"):
            async with database.transaction():
                pass
    async with database.transaction() as session:  # the queue is free again
        await session.execute(text("SELECT 1"))
