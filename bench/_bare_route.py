"""A bare Starlette route per read shape: one SQL statement, the database's JSON forwarded.

What a hand-written endpoint would cost: ``POST /<shape>`` with the statement's parameters
as a JSON body, one statement (``_read_floors``) on a pooled connection, its text as the
response. No authentication, no permission beyond the statement's own community filter, no
GraphQL. Run under uvicorn with the same workers as ``changlang serve``:

    BENCH_DIALECT=postgresql BENCH_DSN=postgresql://... \\
      python -m uvicorn _bare_route:app_from_env --factory --app-dir bench --workers 2
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

import orjson
import psycopg
from _read_floors import FLOORS, statement
from psycopg.types.string import TextLoader
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

POOL_SIZE = 8


def text_json(connection: psycopg.Connection[Any] | psycopg.AsyncConnection[Any]) -> None:
    """Read ``json`` columns as their text: the JSON goes out as the database wrote it."""
    connection.adapters.register_loader("json", TextLoader)


class _Postgres:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.idle: asyncio.Queue[psycopg.AsyncConnection[Any]] = asyncio.Queue()

    async def open(self) -> None:
        for _ in range(POOL_SIZE):
            connection = await psycopg.AsyncConnection.connect(self.dsn, autocommit=True)
            text_json(connection)
            self.idle.put_nowait(connection)

    async def run(self, sql: str, parameters: dict[str, Any]) -> str:
        connection = await self.idle.get()
        try:
            cursor = await connection.execute(sql, parameters)
            row = await cursor.fetchone()
        finally:
            self.idle.put_nowait(connection)
        return str(row[0]) if row else "null"

    async def close(self) -> None:
        while not self.idle.empty():
            await self.idle.get_nowait().close()


class _Sqlite:
    """sqlite3 on a few threads, one connection each (the driver releases the GIL while a
    statement runs)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.local = threading.local()
        self.pool = ThreadPoolExecutor(POOL_SIZE)

    async def open(self) -> None:
        return None

    def _execute(self, sql: str, parameters: dict[str, Any]) -> str:
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, check_same_thread=False)
            self.local.connection = connection
        row = connection.execute(sql, parameters).fetchone()
        return str(row[0]) if row else "null"

    async def run(self, sql: str, parameters: dict[str, Any]) -> str:
        return await asyncio.get_running_loop().run_in_executor(
            self.pool, self._execute, sql, parameters
        )

    async def close(self) -> None:
        self.pool.shutdown(wait=False)


def create_bare_app(dialect: str, dsn: str) -> Starlette:
    database = _Postgres(dsn) if dialect == "postgresql" else _Sqlite(dsn)
    statements = {shape: statement(shape, dialect) for shape in FLOORS}

    def route(sql: str) -> Callable[[Request], Any]:
        async def answer(request: Request) -> Response:
            parameters = orjson.loads(await request.body())
            body = await database.run(sql, parameters)
            return Response(body.encode(), media_type="application/json")

        return answer

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await database.open()
        yield
        await database.close()

    routes = [Route(f"/{shape}", route(sql), methods=["POST"]) for shape, sql in statements.items()]
    routes.append(Route("/readyz", lambda _r: Response(b"ok"), methods=["GET"]))
    return Starlette(routes=routes, lifespan=lifespan)


def app_from_env() -> Starlette:
    return create_bare_app(os.environ["BENCH_DIALECT"], os.environ["BENCH_DSN"])
