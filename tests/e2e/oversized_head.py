"""A client that sends a request head of any size and stops once the server answers."""

from __future__ import annotations

import select
import socket
from collections.abc import Iterator
from dataclasses import dataclass

CHUNK = 64 * 1024


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    sent: int
    """Bytes of the head sent before the answer arrived (the server read at most these)."""


def _head(host: str, path: str, header_bytes: int) -> Iterator[bytes]:
    yield f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nX-Padding: ".encode()
    for start in range(0, header_bytes, CHUNK):
        yield b"a" * min(CHUNK, header_bytes - start)
    yield b"\r\n\r\n"


def _send_until_answered(sock: socket.socket, chunks: Iterator[bytes]) -> int:
    sent = 0
    for chunk in chunks:
        view = memoryview(chunk)
        while view:
            readable, writable, _ = select.select([sock], [sock], [], 10)
            if readable or not writable:
                return sent  # an answer (or nothing at all for 10 s)
            try:
                count = sock.send(view)
            except OSError:
                return sent  # the server stopped reading; its answer is waiting
            sent += count
            view = view[count:]
    return sent


def send_head(host: str, port: int, header_bytes: int, path: str = "/healthz") -> Answer:
    """``GET path`` with one header of ``header_bytes`` bytes, sent a chunk at a time."""
    with socket.create_connection((host, port), timeout=30) as sock:
        sent = _send_until_answered(sock, _head(host, path, header_bytes))
        received = b""
        while True:
            try:
                data = sock.recv(CHUNK)
            except OSError:
                break
            if not data:
                break
            received += data
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines[0] else 0
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Answer(status, headers, body, sent)
