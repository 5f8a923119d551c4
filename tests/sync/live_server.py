"""The real app served over a real socket inside the test's event loop, and an async
graphql-transport-ws client for it.

In the test's own loop the app can share the test's ``Database`` (its connections belong to
that loop) and every wait has a timeout; the app's lifespan runs, so on PostgreSQL events go
through LISTEN/NOTIFY as in production. ``tests/e2e`` starts separate processes instead.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.world import PASSWORD


class _Server(uvicorn.Server):
    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # the signals belong to pytest


@asynccontextmanager
async def serving(app: Starlette, **options: Any) -> AsyncIterator[str]:
    """``app`` on a free port until the block ends; yields its base URL. ``options`` are
    more ``uvicorn.Config`` options."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = _Server(uvicorn.Config(app, lifespan="on", log_level="warning", **options))
    task = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        async with asyncio.timeout(10):
            while not server.started:
                if task.done():
                    task.result()
                    raise RuntimeError("the server stopped before it started")
                await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        listener.close()


@dataclass
class Http:
    base: str
    client: httpx.AsyncClient = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.AsyncClient(base_url=self.base, timeout=10)

    async def ok(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        return dict(body["data"])

    async def login(self, username: str, device: str = "browser") -> dict[str, Any]:
        """``{accessToken, deviceId}`` of a fresh session on a new device."""
        data = await self.ok(
            """mutation($u: String!, $p: String!, $d: String!) {
                 login(username: $u, password: $p, deviceName: $d) {
                   __typename ... on AuthSession { accessToken deviceId } } }""",
            {"u": username, "p": PASSWORD, "d": device},
        )
        assert data["login"]["__typename"] == "AuthSession", data
        return dict(data["login"])


@dataclass
class LiveSubscription:
    socket: ClientConnection
    seen: list[dict[str, Any]] = field(default_factory=list)
    """Every message other than ``next`` and ``ping`` (``complete`` and ``error`` among them)."""

    async def next(self, seconds: float = 10.0) -> dict[str, Any]:
        """The data of the next ``next`` message (within ``seconds``)."""
        async with asyncio.timeout(seconds):
            while True:
                message = json.loads(await self.socket.recv())
                if message["type"] == "ping":
                    await self.socket.send(json.dumps({"type": "pong"}))
                elif message["type"] == "next":
                    payload = message["payload"]
                    assert not payload.get("errors"), payload
                    return dict(payload["data"])
                else:
                    self.seen.append(message)

    async def close_code(self, seconds: float = 10.0) -> int | None:
        """Read until the server closes the socket (within ``seconds``); its close code."""
        async with asyncio.timeout(seconds):
            try:
                while True:
                    message = json.loads(await self.socket.recv())
                    if message["type"] != "ping":
                        self.seen.append(message)
            except ConnectionClosed as closed:
                return closed.rcvd.code if closed.rcvd is not None else None


@asynccontextmanager
async def subscribed(
    base: str,
    query: str,
    variables: dict[str, Any],
    connection_payload: dict[str, Any] | None,
    socket_headers: dict[str, str] | None = None,
) -> AsyncIterator[LiveSubscription]:
    url = base.replace("http://", "ws://") + "/graphql"
    async with connect(
        url,
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        additional_headers=socket_headers,
    ) as socket:
        await socket.send(
            json.dumps({"type": "connection_init", "payload": connection_payload or {}})
        )
        async with asyncio.timeout(10):
            assert json.loads(await socket.recv())["type"] == "connection_ack"
        request = {"query": query, "variables": variables}
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": request}))
        yield LiveSubscription(socket)
