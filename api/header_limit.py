"""A bound on a request's head (request line and headers), enforced by the server itself.

uvicorn's httptools protocol buffers a header of any size (a 64 MB header was read for 13 s
and held 140 MB), and its h11 protocol, past ``h11_max_incomplete_event_size``, answers a
plain-text 400. These subclasses count the bytes of a head still being read and, past the
limit, answer ``431 Request Header Fields Too Large`` with the same JSON error body as every
other refusal, then read and drop whatever else the client sends for a moment before closing
(so that the client reads the answer rather than a connection reset). Memory stays within the
limit plus one read.

The limit is uvicorn's own ``h11_max_incomplete_event_size`` (``api.cli.server_options`` sets
it from ``CHANGLANG_MAX_HEADER_BYTES``), so one setting bounds both protocols. The ASGI
middleware ``api.middleware.HeaderSizeLimit`` gives the same answer under any other server.
"""

from __future__ import annotations

import asyncio
import http
from typing import Any

import h11
import orjson
from h11._connection import DEFAULT_MAX_INCOMPLETE_EVENT_SIZE
from uvicorn.protocols.http.h11_impl import H11Protocol

from domain.i18n import N_, negotiate, render

LINGER_SECONDS = 1.0
TOO_LARGE = N_("request headers over {limit} bytes")
CODE = http.HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE.name


def error_body(limit: int, language: str) -> bytes:
    message = render(TOO_LARGE, {"limit": limit}, language)
    return orjson.dumps({"errors": [{"message": message, "extensions": {"code": CODE}}]})


def _response(limit: int, default_headers: list[tuple[bytes, bytes]]) -> bytes:
    body = error_body(limit, negotiate(None))  # the headers, Accept-Language too, are unread
    lines = [b"HTTP/1.1 431 Request Header Fields Too Large"]
    lines += [name + b": " + value for name, value in default_headers]
    lines += [
        b"content-type: application/json",
        b"content-length: " + str(len(body)).encode(),
        b"connection: close",
    ]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


class _Refusal:
    """Write the 431, half-close, drop what still arrives, close after ``LINGER_SECONDS``."""

    refused = False

    def refuse(self, transport: asyncio.Transport, limit: int, server_state: Any) -> None:
        if self.refused or transport.is_closing():
            return
        self.refused = True
        transport.write(_response(limit, list(server_state.default_headers)))
        if transport.can_write_eof():
            transport.write_eof()
        asyncio.get_running_loop().call_later(LINGER_SECONDS, transport.close)


def _limit(config: Any) -> int:
    return int(config.h11_max_incomplete_event_size or DEFAULT_MAX_INCOMPLETE_EVENT_SIZE)


try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - httptools is not installed
    HttpToolsProtocol = None  # type: ignore[assignment, misc]


if HttpToolsProtocol is not None:

    class BoundedHttpToolsProtocol(HttpToolsProtocol, _Refusal):
        """httptools, counting the bytes read while a request's head is incomplete."""

        def __init__(self, config: Any, *args: Any, **kwargs: Any) -> None:
            super().__init__(config, *args, **kwargs)
            self.head_limit = _limit(config)
            self.head_bytes = 0
            self.in_head = True

        def data_received(self, data: bytes) -> None:
            if self.refused:
                return
            if self.in_head:
                self.head_bytes += len(data)
            super().data_received(data)
            if self.in_head and self.head_bytes > self.head_limit:
                self.refuse(self.transport, self.head_limit, self.server_state)

        def on_headers_complete(self) -> None:
            self.in_head = False
            self.head_bytes = 0
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            super().on_message_complete()
            self.in_head = True

        def eof_received(self) -> None:
            if self.refused:
                self.transport.close()


class _Connection(h11.Connection):
    """Remembers that h11 gave up because the head outgrew its buffer (its hint: 431)."""

    head_too_large = False

    def next_event(self) -> Any:
        try:
            return super().next_event()
        except h11.RemoteProtocolError as exc:
            self.head_too_large = exc.error_status_hint == 431
            raise


class BoundedH11Protocol(H11Protocol, _Refusal):
    """h11, answering 431 rather than 400 when a head outgrows the limit."""

    def __init__(self, config: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self.head_limit = _limit(config)
        self.conn = _Connection(h11.SERVER, self.head_limit)

    def data_received(self, data: bytes) -> None:
        if not self.refused:
            super().data_received(data)

    def eof_received(self) -> None:
        if self.refused:
            self.transport.close()
        else:
            super().eof_received()

    def send_400_response(self, msg: str) -> None:
        if isinstance(self.conn, _Connection) and self.conn.head_too_large:
            self.refuse(self.transport, self.head_limit, self.server_state)
        else:
            super().send_400_response(msg)


def bounded_protocol() -> str:
    """The protocol uvicorn's ``auto`` would pick (httptools if installed), bounded."""
    if HttpToolsProtocol is not None:
        return "api.header_limit:BoundedHttpToolsProtocol"
    return "api.header_limit:BoundedH11Protocol"  # pragma: no cover
