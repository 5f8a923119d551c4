"""Engines and sessions for both databases; the dialect quirks live here and in ``dialect``.

SQLite needs care to be a correct multi-writer store: the driver's implicit transactions
lose updates under concurrency, so writers take ``BEGIN IMMEDIATE`` (one writer at a time,
waiting on ``busy_timeout``) and readers use a second engine with a deferred ``BEGIN`` so
they never queue behind a writer. Writers of one process also queue in order on an asyncio
lock before their ``BEGIN``: SQLite's busy handler makes a waiting writer sleep and retry
(up to 100 ms a try), so with dozens waiting the lock sat free between tries and 64
concurrent writers got a third of the transactions per second of 16
(``bench/ballot_throughput.py``); queued, each starts the moment the previous commits.

After a transaction commits, the changes it noted (``domain.changes``) go to the commit
listeners the server registered, so that live streams hear of every write at once.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

from domain.changes import Change, CommitListener, take
from domain.positions import PositionStampingSession

SQLITE_BUSY_TIMEOUT_MS = 30_000

log = logging.getLogger("changlang.database")


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


SQLITE_POOL_SIZE = 32
"""Connections kept open per engine: a request under load holds one or two at a time, and a
connection past the pool is opened (a thread, its PRAGMAs) and closed for each use."""


def _sqlite_engine(url: str, *, begin: str) -> AsyncEngine:
    sized: dict[str, Any] = {"pool_size": SQLITE_POOL_SIZE, "max_overflow": SQLITE_POOL_SIZE}
    engine = create_async_engine(
        url,
        hide_parameters=True,
        **({"poolclass": NullPool} if ":memory:" in url else sized),
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine


@dataclass
class Database:
    """A writer and a reader session factory over one database.

    On PostgreSQL both use the same engine; on SQLite the reader never takes the write lock.
    """

    url: str
    write_engine: AsyncEngine
    read_engine: AsyncEngine
    listeners: list[CommitListener] = field(default_factory=list, init=False, repr=False)
    _writers: asyncio.Lock | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.dialect == "sqlite":
            self._writers = asyncio.Lock()
        self.writer = async_sessionmaker(
            self.write_engine, expire_on_commit=False, sync_session_class=PositionStampingSession
        )
        self.reader = async_sessionmaker(
            self.read_engine, expire_on_commit=False, sync_session_class=PositionStampingSession
        )

    @property
    def dialect(self) -> str:
        return self.write_engine.dialect.name

    def on_commit(self, listener: CommitListener) -> Callable[[], None]:
        """Call ``listener`` after every transaction that noted changes; returns an undo."""
        self.listeners.append(listener)
        return lambda: self.listeners.remove(listener)

    @asynccontextmanager
    async def _write_turn(self) -> AsyncIterator[None]:
        """On SQLite, this process's writers one after another, in arrival order; a writer
        that waits longer than SQLite itself would fails as SQLite would (locked)."""
        if self._writers is None:
            yield
            return
        try:
            async with asyncio.timeout(SQLITE_BUSY_TIMEOUT_MS / 1000):
                await self._writers.acquire()
        except TimeoutError:
            locked = sqlite3.OperationalError("database is locked (by this process's writers)")
            raise OperationalError("BEGIN IMMEDIATE", None, locked) from None
        try:
            yield
        finally:
            self._writers.release()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commit at the end, roll back on any exception.

        Commit listeners run after the commit (an exception skips them with the commit).
        """
        async with self._write_turn(), self.writer() as session:
            async with session.begin():
                yield session
            changes = take(session)
        if changes:
            await self._committed(changes)

    @asynccontextmanager
    async def write_connection(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction on a Core connection, in the same writers' queue."""
        async with self._write_turn(), self.write_engine.begin() as connection:
            yield connection

    async def _committed(self, changes: frozenset[Change]) -> None:
        """A listener's failure is logged, never raised: the transaction has committed, and
        the caller must not take it for failed (streams also poll, slowly, as a safety net)."""
        for listener in list(self.listeners):
            try:
                await listener(changes)
            except Exception:
                log.exception("a commit listener failed")

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self.reader() as session, session.begin():
            yield session

    @asynccontextmanager
    async def read_connection(self) -> AsyncIterator[AsyncConnection]:
        """A read transaction on a Core connection, for statements that need no session (the
        compiled read path): a session's unit of work costs about as much as the statement."""
        async with self.read_engine.connect() as connection, connection.begin():
            yield connection

    async def dispose(self) -> None:
        await self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            await self.read_engine.dispose()


def open_database(url: str, **engine_options: Any) -> Database:
    if is_sqlite(url):
        return Database(
            url=url,
            write_engine=_sqlite_engine(url, begin="BEGIN IMMEDIATE"),
            read_engine=_sqlite_engine(url, begin="BEGIN"),
        )
    engine = create_async_engine(
        url,
        pool_recycle=POOL_RECYCLE_S,
        hide_parameters=True,  # a failed statement's error (and its traceback) names no values
        **({"pool_size": 10, "max_overflow": 10} | engine_options),
    )
    _ping_after_idle(engine)
    return Database(url=url, write_engine=engine, read_engine=engine)


POOL_RECYCLE_S = 1800
"""A PostgreSQL connection is replaced after half an hour, before the idle timeouts of the
proxies and firewalls between a server and its database drop it unannounced."""

PING_AFTER_IDLE_S = 30.0
"""A connection that waited this long in the pool is pinged before use.

``pool_pre_ping`` pings on every checkout: a round trip per transaction, and a request opens
several (one per resolver and loader batch). Measured here, 500 sequential read transactions
on the throwaway PostgreSQL: 799 µs each with it, 740 µs without (0.93x), over loopback; a
database across a network pays its full round trip. A connection in use moments ago is
alive; one that sat idle may have been closed by a restart or a timeout, so only it pays."""


def _ping_after_idle(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            # The pool discards this connection and checks out another (SQLAlchemy retries).
            raise DisconnectionError() from exc
