"""Plain ASGI middleware: request ids, and bounds on request heads and bodies.

Written against raw ASGI rather than ``BaseHTTPMiddleware`` so that WebSocket traffic passes
through untouched and a body is never buffered whole before its size is known.
"""

from __future__ import annotations

import logging
import time
import uuid

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.header_limit import CODE as HEADERS_TOO_LARGE
from api.header_limit import TOO_LARGE as HEADERS_OVER
from api.logs import request_id_var
from domain.i18n import N_, negotiate, render

log = logging.getLogger("changlang.http")


class RequestId:
    """Tag each request with an id (``X-Request-Id``), in the logs and in the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex[:16]
        token = request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if scope["type"] == "http":
                log.info(
                    "%s %s %s %.1fms",
                    scope.get("method"),
                    scope.get("path"),
                    status,
                    (time.perf_counter() - started) * 1000,
                )
            request_id_var.reset(token)


class BodySizeLimit:
    """Refuse a request body over ``max_bytes`` with 413, by header or while it streams in."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, uploads: tuple[tuple[str, int], ...] = ()
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.uploads = dict(uploads)  # the upload paths, each with its own (larger) cap

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope.get("path") in self.uploads:
            limit = self.uploads[scope["path"]]
            await BodySizeLimit(self.app, limit)(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        seen = 0
        too_large = False

        async def bounded_receive() -> Message:
            nonlocal seen, too_large
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    too_large = True
                    raise _BodyTooLarge()
            return message

        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, bounded_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await self._refuse(scope, receive, send)
        if too_large and started:
            log.warning("body over %s bytes after the response started", self.max_bytes)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = JSONResponse(
            {
                "errors": [
                    {
                        "message": render(
                            N_("request body over {limit} bytes"),
                            {"limit": self.max_bytes},
                            language_of(scope),
                        ),
                        "extensions": {"code": "PAYLOAD_TOO_LARGE"},
                    }
                ]
            },
            status_code=413,
        )
        await response(scope, receive, send)


class HeaderSizeLimit:
    """Refuse a request whose line and headers exceed ``max_bytes`` with 431.

    ``changlang serve`` already refuses such a request in the server, before it is buffered
    whole (``api.header_limit``); this gives the same answer under any other ASGI server.
    A WebSocket upgrade over the limit is closed before it is accepted.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or head_size(scope) <= self.max_bytes:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1009})
            return
        message = render(HEADERS_OVER, {"limit": self.max_bytes}, language_of(scope))
        response = JSONResponse(
            {"errors": [{"message": message, "extensions": {"code": HEADERS_TOO_LARGE}}]},
            status_code=431,
        )
        await response(scope, receive, send)


def head_size(scope: Scope) -> int:
    """About the bytes of the request line and headers as they came over the wire."""
    size = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
    return size + sum(len(name) + len(value) + 4 for name, value in scope.get("headers", ()))


def language_of(scope: Scope) -> str:
    """The language negotiated from an ASGI scope's ``Accept-Language`` (Chinese without one)."""
    for name, value in scope.get("headers", ()):
        if name == b"accept-language":
            return negotiate(value.decode("latin-1"))
    return negotiate(None)


class _BodyTooLarge(Exception):
    pass
