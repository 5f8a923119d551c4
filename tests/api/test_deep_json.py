"""JSON nested past ``api.json_limits.MAX_JSON_DEPTH`` is refused as malformed input: a typed
400 over HTTP (POST body, GET variables, the sync fast path alike), close code 4400 on a
graphql-ws socket; never a 500 or a crashed handler."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from api.app import create_app
from api.json_limits import MAX_JSON_DEPTH
from domain.database import Database
from tests.api.test_limits import assert_json_error, only_error, post_raw, server, settings_with
from tests.api_client import api_for
from tests.sync.client import pull_query
from tests.sync.live_server import serving
from tests.world import World

VIEWER = "{ viewer { accountId } }"


def body(variables_depth: int, query: str = VIEWER) -> bytes:
    """A request whose variables nest ``variables_depth`` levels (the body one more)."""
    text = "[" * (variables_depth - 1) + "]" * (variables_depth - 1)
    return f'{{"query": {json.dumps(query)}, "variables": {{"deep": {text}}}}}'.encode()


@pytest.mark.parametrize("levels", [2_000, 100_000])
async def test_variables_nested_thousands_deep_are_a_typed_400(
    database: Database, levels: int
) -> None:
    async with server(database) as api:
        response = await post_raw(api, body(levels))
    assert_json_error(response, 400, "nested", "64")
    assert only_error(response.json())["extensions"] == {"code": "BAD_REQUEST"}


async def test_the_refusal_is_in_chinese_by_default(database: Database) -> None:
    api = api_for(database, settings_with())
    try:
        response = await post_raw(api, body(2_000))
    finally:
        await api.client.aclose()
    assert response.status_code == 400
    assert only_error(response.json())["message"] == "JSON 嵌套超过 64 层"


async def test_json_at_the_depth_limit_is_read_and_one_level_deeper_is_refused(
    database: Database,
) -> None:
    # the body is one level more than its variables
    async with server(database) as api:
        at_limit = await post_raw(api, body(MAX_JSON_DEPTH - 1))
        too_deep = await post_raw(api, body(MAX_JSON_DEPTH))
    assert at_limit.status_code == 200, at_limit.text
    assert at_limit.json() == {"data": {"viewer": None}}
    assert_json_error(too_deep, 400, "nested")


async def test_get_variables_nested_deep_are_a_typed_400(database: Database) -> None:
    async with server(database) as api:
        response = await api.client.get(
            "/graphql", params={"query": VIEWER, "variables": body(2_000).decode()}
        )
    assert_json_error(response, 400, "nested")


async def test_a_sync_pull_with_deep_variables_gets_the_same_400_as_any_request(
    database: Database, world: World
) -> None:
    async with server(database) as api:
        token = await api.login("member1a")
        text = body(200, pull_query("household")).replace(b'"deep"', b'"limit": 5, "deep"')
        response = await post_raw(api, text, Authorization=f"Bearer {token}")
    assert_json_error(response, 400, "nested")


async def test_a_deep_websocket_message_closes_the_socket_as_invalid_json(
    database: Database,
) -> None:
    async with serving(create_app(settings_with(), db=database)) as base:
        url = base.replace("http://", "ws://") + "/graphql"
        async with connect(url, subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
            await socket.send(json.dumps({"type": "connection_init", "payload": {}}))
            async with asyncio.timeout(10):
                assert json.loads(await socket.recv())["type"] == "connection_ack"
            deep = body(5_000).decode()  # a subscribe payload: query and variables
            await socket.send(f'{{"id": "1", "type": "subscribe", "payload": {deep}}}')
            async with asyncio.timeout(10):
                with pytest.raises(ConnectionClosed) as closed:
                    while True:
                        await socket.recv()
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4400
        # the server still serves: a fresh socket is acknowledged
        async with connect(url, subprotocols=["graphql-transport-ws"]) as again:  # type: ignore[list-item]
            await again.send(json.dumps({"type": "connection_init", "payload": {}}))
            async with asyncio.timeout(10):
                assert json.loads(await again.recv())["type"] == "connection_ack"
