"""Live streams over a real socket: every committed write wakes them at once, and a revoked
device's stream is closed with 4403.

The safety poll is set to an hour in these tests, so whatever arrives came by an event.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from api.app import create_app
from domain.database import Database
from domain.models import Resident
from schema.sync import stream
from tests.api_client import test_settings as settings_with
from tests.sync.client import stream_query
from tests.sync.live_server import Http, LiveSubscription, serving, subscribed
from tests.world import World

UPDATE = """mutation($id: UUID!, $name: String!) {
  updateResident(id: $id, fields: {name: $name}) { __typename } }"""
REVOKE = """mutation($id: UUID!) { revokeDevice(deviceId: $id) { __typename } }"""


@pytest.fixture(autouse=True)
def _no_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "POLL_SECONDS", 3600.0)


@pytest.fixture
async def server(database: Database, world: World) -> AsyncIterator[Http]:
    async with serving(create_app(settings_with(), db=database)) as base:
        http = Http(base)
        try:
            yield http
        finally:
            await http.client.aclose()


async def _first_after(
    subscription: LiveSubscription, write: Callable[[int], Awaitable[None]]
) -> dict[str, Any]:
    """Write until the stream emits (the stream starts at the newest position once it has
    subscribed, which the protocol does not announce), then the first emission."""
    pending = asyncio.ensure_future(subscription.next(20))
    for attempt in range(40):
        await write(attempt)
        done, _ = await asyncio.wait({pending}, timeout=0.25)
        if done:
            return pending.result()
    pending.cancel()
    raise AssertionError("no stream emission after 40 writes")


async def test_a_resident_edited_through_the_api_reaches_the_stream_at_once(
    server: Http, world: World
) -> None:
    phone = await server.login("member1a", "phone")
    admin = (await server.login("admin"))["accessToken"]
    resident = str(world.residents["H1a-x"])
    headers = {"Authorization": f"Bearer {phone['accessToken']}"}
    async with subscribed(server.base, stream_query("resident"), {"headers": headers}, {}) as sub:

        async def rename(attempt: int) -> None:
            await server.ok(UPDATE, {"id": resident, "name": f"王芳{attempt}"}, admin)

        bulk = (await _first_after(sub, rename))["streamResident"]
        assert [d["id"] for d in bulk["documents"]] == [resident]
        assert bulk["documents"][0]["name"].startswith("王芳")
        await server.ok(UPDATE, {"id": resident, "name": "王芳 (改)"}, admin)
        async with asyncio.timeout(5):  # an earlier attempt's emission may come first
            again = (await sub.next())["streamResident"]
            while again["documents"][-1]["name"] != "王芳 (改)":
                again = (await sub.next())["streamResident"]
        assert [d["id"] for d in again["documents"]] == [resident]
        assert again["checkpoint"]["updatedAt"] > bulk["checkpoint"]["updatedAt"]
        assert sub.seen == []


async def test_a_write_made_outside_any_request_reaches_the_stream(
    server: Http, world: World, database: Database
) -> None:
    """As a CLI import or any service run in the server process writes: straight through
    ``Database.transaction``."""
    phone = await server.login("member1a", "phone")
    resident = world.residents["H1a-y"]
    headers = {"Authorization": f"Bearer {phone['accessToken']}"}
    async with subscribed(server.base, stream_query("resident"), {"headers": headers}, {}) as sub:

        async def rename(attempt: int) -> None:
            async with database.transaction() as session:
                row = await session.get(Resident, resident)
                assert row is not None
                row.name = f"李四{attempt}"

        bulk = (await _first_after(sub, rename))["streamResident"]
        assert [d["id"] for d in bulk["documents"]] == [str(resident)]


async def test_a_revoked_device_s_stream_is_closed_with_4403_at_once(
    server: Http, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    phone = await server.login("member1a", "lost phone")
    admin = (await server.login("admin"))["accessToken"]
    resident = str(world.residents["H1a-x"])
    headers = {"Authorization": f"Bearer {phone['accessToken']}"}
    async with subscribed(server.base, stream_query("resident"), {"headers": headers}, {}) as sub:

        async def rename(attempt: int) -> None:
            await server.ok(UPDATE, {"id": resident, "name": f"王芳{attempt}"}, admin)

        await _first_after(sub, rename)  # the stream is live
        revoked = await server.ok(REVOKE, {"id": phone["deviceId"]}, admin)
        assert revoked["revokeDevice"]["__typename"] == "DeviceRevoked"
        assert await sub.close_code(5) == 4403
    assert [m["type"] for m in sub.seen] == []  # never completed nor errored first
    await asyncio.sleep(0.2)  # the server's teardown of the operation
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize("carried_by", ["connection payload", "socket header"])
async def test_a_stream_authenticated_without_the_headers_argument_closes_with_4403(
    server: Http, world: World, carried_by: str
) -> None:
    phone = await server.login("member1a", "lost phone")
    admin = (await server.login("admin"))["accessToken"]
    resident = str(world.residents["H1a-x"])
    authorization = {"Authorization": f"Bearer {phone['accessToken']}"}
    payload, socket_headers = (
        ({"headers": authorization}, None)
        if carried_by == "connection payload"
        else ({}, authorization)
    )
    query = stream_query("resident")
    async with subscribed(server.base, query, {}, payload, socket_headers) as sub:

        async def rename(attempt: int) -> None:
            await server.ok(UPDATE, {"id": resident, "name": f"王芳{attempt}"}, admin)

        await _first_after(sub, rename)
        await server.ok(REVOKE, {"id": phone["deviceId"]}, phone["accessToken"])
        assert await sub.close_code(5) == 4403
    assert sub.seen == []
