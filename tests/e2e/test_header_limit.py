"""A request head over ``CHANGLANG_MAX_HEADER_BYTES`` is answered 431, with the JSON error body,
while it is still arriving: by ``changlang serve`` itself (a real process), by uvicorn's h11
protocol as well, and by the ASGI middleware under any server."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx

from api.app import create_app
from api.cli import server_options
from api.header_limit import BoundedH11Protocol
from domain.database import Database
from tests.api_client import api_for
from tests.api_client import test_settings as settings_with
from tests.e2e.oversized_head import send_head
from tests.e2e.server_process import running_server
from tests.sync.live_server import serving

MB = 1024 * 1024


def _assert_refused(answer_status: int, body: bytes, language_message: str) -> None:
    assert answer_status == 431
    error = json.loads(body)["errors"][0]
    assert error["extensions"] == {"code": "REQUEST_HEADER_FIELDS_TOO_LARGE"}
    assert error["message"] == language_message


def test_serve_answers_a_64_mb_header_with_431_before_reading_it_whole(tmp_path: Path) -> None:
    env = {
        "CHANGLANG_DATA_DIR": str(tmp_path / "data"),
        "CHANGLANG_DATABASE_URL": "",
        "CHANGLANG_MAX_HEADER_BYTES": "16384",
    }
    with running_server(env=env, log=tmp_path / "server.log") as base:
        port = int(base.rsplit(":", 1)[1])
        small = send_head("127.0.0.1", port, 8_000)
        big = send_head("127.0.0.1", port, 64 * MB)
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
    assert small.status == 200, small
    _assert_refused(big.status, big.body, "请求头超过 16384 字节")
    assert big.headers["content-type"] == "application/json"
    # the server answered long before the client had sent the whole head
    assert big.sent < 16 * MB, big.sent


async def test_the_h11_protocol_answers_431_too(database: Database) -> None:
    settings = settings_with(max_header_bytes=16384)
    options = {**server_options(settings), "http": BoundedH11Protocol}
    async with serving(create_app(settings, db=database), **options) as base:
        port = int(base.rsplit(":", 1)[1])
        small = await asyncio.to_thread(send_head, "127.0.0.1", port, 8_000)
        big = await asyncio.to_thread(send_head, "127.0.0.1", port, 8 * MB)
    assert small.status == 200, small
    _assert_refused(big.status, big.body, "请求头超过 16384 字节")
    assert big.sent < 6 * MB, big.sent


async def test_the_app_itself_refuses_an_oversized_head_in_the_reader_s_language(
    database: Database,
) -> None:
    api = api_for(database, settings_with(max_header_bytes=4096))
    try:
        ok = await api.client.get("/healthz", headers={"X-Padding": "a" * 3000})
        refused = await api.client.get(
            "/healthz", headers={"X-Padding": "a" * 5000, "Accept-Language": "en"}
        )
    finally:
        await api.client.aclose()
    assert ok.status_code == 200
    _assert_refused(refused.status_code, refused.content, "request headers over 4096 bytes")
