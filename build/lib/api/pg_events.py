"""Events across server processes through PostgreSQL ``LISTEN``/``NOTIFY``.

Every process publishes with ``NOTIFY`` and delivers to its own subscribers only what it
hears back on ``LISTEN`` (its own notifications included), so a subscriber on any process
sees every event exactly once, whichever process committed the change. PostgreSQL delivers
notifications only after the publishing transaction commits, in commit order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Any

import orjson
import psycopg
from sqlalchemy.engine import make_url

from api.events import LocalEventBus

log = logging.getLogger("changlang.events")

CHANNEL = "changlang_events"
RECONNECT_SECONDS = 1.0


def libpq_url(sqlalchemy_url: str) -> str:
    """``postgresql+psycopg://...`` as the plain ``postgresql://...`` psycopg connects with."""
    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(False)


class PostgresEventBus:
    def __init__(self, sqlalchemy_url: str) -> None:
        self._url = libpq_url(sqlalchemy_url)
        self._local = LocalEventBus()
        self._listener: asyncio.Task[None] | None = None
        self._publisher: psycopg.AsyncConnection[Any] | None = None
        self._publish_lock = asyncio.Lock()
        self._listening = asyncio.Event()

    async def start(self) -> None:
        self._listener = asyncio.create_task(self._listen(), name="changlang-listen")
        await asyncio.wait_for(self._listening.wait(), timeout=10)

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        if self._publisher is not None:
            await self._publisher.close()

    async def publish(self, channel: str, payload: dict[str, Any]) -> None:
        message = orjson.dumps({"channel": channel, "payload": payload}).decode()
        async with self._publish_lock:
            for attempt in range(2):
                try:
                    if self._publisher is None or self._publisher.closed:
                        self._publisher = await psycopg.AsyncConnection.connect(
                            self._url, autocommit=True
                        )
                    await self._publisher.execute("SELECT pg_notify(%s, %s)", (CHANNEL, message))
                    return
                except psycopg.OperationalError:
                    self._publisher = None
                    if attempt:
                        raise

    def subscribe(self, channel: str) -> AbstractAsyncContextManager[AsyncIterator[dict[str, Any]]]:
        return self._local.subscribe(channel)

    async def _listen(self) -> None:
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self._url, autocommit=True
                ) as connection:
                    await connection.execute(f"LISTEN {CHANNEL}")
                    self._listening.set()
                    async for notification in connection.notifies():
                        self._deliver(notification.payload)
            except asyncio.CancelledError:
                raise
            except Exception:  # keep listening whatever the failure
                log.exception("event listener lost its connection; reconnecting")
                await asyncio.sleep(RECONNECT_SECONDS)

    def _deliver(self, raw: str) -> None:
        try:
            message = orjson.loads(raw)
            self._local.deliver(str(message["channel"]), dict(message["payload"]))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            log.warning("ignored a malformed event notification")
