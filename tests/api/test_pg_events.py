"""Events published by one server process reach subscribers on every process (PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from api.pg_events import PostgresEventBus
from tests.postgres_server import PostgresServer

pytestmark = pytest.mark.postgresql


async def _next(events: AsyncIterator[dict[str, Any]], wait: float = 5.0) -> dict[str, Any]:
    return await asyncio.wait_for(anext(events), wait)


async def test_an_event_reaches_subscribers_of_every_bus_once(
    postgres_server: PostgresServer,
) -> None:
    url = postgres_server.url("postgres")
    first, second = PostgresEventBus(url), PostgresEventBus(url)
    await first.start()
    await second.start()
    try:
        async with first.subscribe("tally:1") as on_first, second.subscribe("tally:1") as on_second:
            await first.publish("tally:1", {"n": 1})
            await second.publish("tally:1", {"n": 2})
            assert [await _next(on_first), await _next(on_first)] == [{"n": 1}, {"n": 2}]
            assert [await _next(on_second), await _next(on_second)] == [{"n": 1}, {"n": 2}]
            with pytest.raises(TimeoutError):
                await _next(on_first, wait=0.3)
    finally:
        await first.stop()
        await second.stop()


async def test_a_subscriber_hears_only_its_channel(postgres_server: PostgresServer) -> None:
    bus = PostgresEventBus(postgres_server.url("postgres"))
    await bus.start()
    try:
        async with bus.subscribe("agenda:a") as events:
            await bus.publish("agenda:b", {"n": 1})
            await bus.publish("agenda:a", {"n": 2})
            assert await _next(events) == {"n": 2}
    finally:
        await bus.stop()
