"""A graphql-transport-ws client for tests, speaking to a real server over a real socket."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from websockets.sync.client import connect
from websockets.sync.connection import Connection


class Subscription:
    def __init__(self, socket: Connection) -> None:
        self._socket = socket

    def next(self, timeout: float = 10.0) -> dict[str, Any]:
        """The next ``data`` the server sends; answers pings; fails on an error message."""
        while True:
            raw = self._socket.recv(timeout=timeout)
            assert isinstance(raw, str), "graphql-transport-ws messages must be text frames"
            message = json.loads(raw)
            if message["type"] == "ping":
                self._socket.send(json.dumps({"type": "pong"}))
                continue
            if message["type"] == "next":
                payload = message["payload"]
                assert not payload.get("errors"), payload
                return dict(payload["data"])
            raise AssertionError(f"unexpected message: {message}")


@contextmanager
def subscribed(
    base: str, query: str, variables: dict[str, Any], token: str | None
) -> Iterator[Subscription]:
    url = base.replace("http://", "ws://") + "/graphql"
    with connect(url, subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
        payload = {"Authorization": f"Bearer {token}"} if token else {}
        socket.send(json.dumps({"type": "connection_init", "payload": payload}))
        ack = socket.recv(timeout=10)
        assert isinstance(ack, str), "graphql-transport-ws messages must be text frames"
        assert json.loads(ack)["type"] == "connection_ack"
        request = {"query": query, "variables": variables}
        socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": request}))
        yield Subscription(socket)
