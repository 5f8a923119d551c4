"""Text that is not Unicode (a lone surrogate, ``"\\ud800"``) is refused as ``INVALID_INPUT``
on its argument, never a 500, and changes nothing; the log keeps a record holding it.

httpx writes JSON with ``ensure_ascii=False`` and cannot encode a lone surrogate, so these
requests are written with the standard library's escapes, as a phone's JSON would carry it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any

import orjson
from sqlalchemy import func, select

from api.app import create_app
from api.logs import JsonFormatter
from domain.database import Database
from domain.models import Device, RefreshToken
from tests.api.test_limits import settings_with
from tests.api.test_sessions import LOGIN, LOGOUT, REFRESH, signed_in
from tests.api_client import Api, api_for
from tests.sync.client import stream_query
from tests.sync.live_server import serving, subscribed
from tests.world import World

HALF = "\ud83d"  # the first half of 😀 (U+1F600): what a cut emoji leaves


async def post(api: Api, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = await api.client.post(
        "/graphql",
        content=json.dumps({"query": query, "variables": variables}),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def refused(body: dict[str, Any]) -> dict[str, Any]:
    [error] = body["errors"]
    assert body["data"] is None
    return dict(error["extensions"])


async def _sessions(database: Database) -> tuple[int, int]:
    async with database.read() as session:
        tokens = await session.scalar(select(func.count(RefreshToken.id)))
        devices = await session.scalar(select(func.count(Device.id)))
    return int(tokens or 0), int(devices or 0)


async def test_login_refresh_and_logout_refuse_a_lone_surrogate_on_the_argument(
    api: Api, world: World, database: Database
) -> None:
    session = await signed_in(api, "member1a")
    before = await _sessions(database)
    cases = [
        (LOGIN, {"u": "member1a", "p": "密码" + HALF}, "password"),
        (LOGIN, {"u": HALF + "member1a", "p": "x"}, "username"),
        (LOGIN, {"u": "member1a", "p": "x", "d": "手机" + HALF}, "deviceName"),
        (REFRESH, {"t": session["refreshToken"] + "\udc00"}, "refreshToken"),
        (LOGOUT, {"t": "\ud800"}, "refreshToken"),
    ]
    for query, variables, field in cases:
        extensions = refused(await post(api, query, variables))
        assert extensions == {"code": "INVALID_INPUT", "field": field}, (variables, extensions)
    assert await _sessions(database) == before  # nothing written, nothing revoked
    again = await api.ok(REFRESH, {"t": session["refreshToken"]})
    assert again["refreshSession"]["__typename"] == "AuthSession"


async def test_the_refusal_is_in_chinese_by_default(database: Database, world: World) -> None:
    chinese = api_for(database)
    try:
        body = await post(chinese, LOGOUT, {"t": "\ud800"})
    finally:
        await chinese.client.aclose()
    message = body["errors"][0]["message"]
    assert message == "refreshToken：不是有效的文字：含有半个字符（孤立的代理项）"


async def test_a_lone_surrogate_deep_in_an_input_or_a_json_value_names_its_path(
    api: Api, world: World
) -> None:
    """Refused before any resolver runs: no login needed, nothing looked up."""
    resolve = """mutation($id: UUID!, $v: JSON) { resolveSyncConflict(conflictId: $id,
        resolution: ENTER_VALUE, value: $v) { __typename } }"""
    body = await post(api, resolve, {"id": str(uuid.uuid4()), "v": {"tags": ["ok", "坏" + HALF]}})
    assert refused(body) == {"code": "INVALID_INPUT", "field": "value.tags[1]"}
    create = """mutation($h: UUID!, $f: ResidentFields!) { createResident(householdId: $h,
        fields: $f) { __typename } }"""
    fields = {"name": "王" + HALF}
    body = await post(api, create, {"h": str(uuid.uuid4()), "f": fields})
    assert refused(body) == {"code": "INVALID_INPUT", "field": "fields.name"}


async def test_a_lone_surrogate_written_in_the_query_text_is_a_syntax_error(api: Api) -> None:
    for literal in ('"\\ud800"', '"\ud800"'):
        query = f"mutation {{ logout(refreshToken: {literal}) {{ __typename }} }}"
        extensions = refused(await post(api, query, {}))
        assert extensions["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_an_unknown_operation_name_with_a_lone_surrogate_is_a_bad_request(
    api: Api,
) -> None:
    body = json.dumps({"query": "query A { __typename }", "operationName": "B\ud800"})
    response = await api.client.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST" and "B\\ud800" in error["message"]


async def test_a_stream_s_headers_with_a_lone_surrogate_are_refused_on_the_socket(
    database: Database, world: World
) -> None:
    async with serving(create_app(settings_with(), db=database)) as base:
        payload = {"headers": {"Authorization": "Bearer \ud800"}}  # connection_init too
        variables = {"headers": {"Authorization": "Bearer " + HALF}}
        async with subscribed(base, stream_query("visitNote"), variables, payload) as sub:
            async with asyncio.timeout(10):
                while (message := json.loads(await sub.socket.recv()))["type"] == "ping":
                    await sub.socket.send(json.dumps({"type": "pong"}))
    assert message["type"] == "error", message
    [error] = message["payload"]
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "headers.Authorization"}
    assert error["message"].endswith("不是有效的文字：含有半个字符（孤立的代理项）")  # Chinese


def test_the_log_formatter_keeps_a_record_holding_a_lone_surrogate() -> None:
    record = logging.LogRecord(
        "changlang.test", logging.INFO, __file__, 1, "refused %s", ("密码" + HALF,), None
    )
    record.request_id = "r\udc00"
    line = JsonFormatter().format(record)
    entry = orjson.loads(line)
    assert entry["message"] == "refused 密码\\ud83d"
    assert entry["request_id"] == "r\\udc00"
    assert entry["level"] == "info" and entry["logger"] == "changlang.test"
