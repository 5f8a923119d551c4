"""A WebSocket speaks the language of its upgrade request's ``Accept-Language`` (Chinese by
default), for errors raised while a subscription runs (both databases, a real socket)."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from api.app import create_app
from domain.database import Database
from tests.api.test_limits import settings_with
from tests.sync.live_server import Http, LiveSubscription, serving, subscribed
from tests.world import World

TALLY = "subscription($id: UUID!) { voteTally(voteId: $id) { ballots } }"


async def _first_error(sub: LiveSubscription) -> dict[str, Any]:
    async with asyncio.timeout(10):
        while True:
            message = json.loads(await sub.socket.recv())
            if message["type"] == "next" and message["payload"].get("errors"):
                return dict(message["payload"]["errors"][0])
            if message["type"] == "error":
                return dict(message["payload"][0])
            if message["type"] == "ping":
                await sub.socket.send(json.dumps({"type": "pong"}))


async def test_a_subscription_s_error_is_in_the_socket_s_language(
    database: Database, world: World
) -> None:
    async with serving(create_app(settings_with(), db=database)) as base:
        http = Http(base)
        try:
            token = (await http.login("admin"))["accessToken"]
        finally:
            await http.client.aclose()
        payload = {"headers": {"Authorization": f"Bearer {token}"}}
        missing = str(uuid.uuid4())
        found = {}
        for language in (None, "en"):
            headers = {"Accept-Language": language} if language else None
            async with subscribed(base, TALLY, {"id": missing}, payload, headers) as sub:
                found[language] = await _first_error(sub)
    assert found[None]["message"] == f"找不到编号为 {missing} 的投票"
    assert found["en"]["message"] == f"no vote with id {missing}"
