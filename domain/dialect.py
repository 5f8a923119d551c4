"""The few SQL constructs that differ between SQLite and PostgreSQL, compiled per dialect."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import Boolean, ColumnElement, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class json_array_contains(FunctionElement[bool]):
    """``column`` (a JSON array) has ``value`` as an element."""

    type = Boolean()
    inherit_cache = True
    name = "json_array_contains"

    def __init__(self, column: ColumnElement[Any] | InstrumentedAttribute[Any], value: str) -> None:
        super().__init__(column, literal(value), literal(json.dumps([value])))


@compiles(json_array_contains, "sqlite")
def _sqlite(element: json_array_contains, compiler: SQLCompiler, **kw: Any) -> str:
    column, value, _ = list(element.clauses)
    return (
        f"EXISTS (SELECT 1 FROM json_each({compiler.process(column, **kw)}) "
        f"WHERE json_each.value = {compiler.process(value, **kw)})"
    )


@compiles(json_array_contains, "postgresql")
def _postgresql(element: json_array_contains, compiler: SQLCompiler, **kw: Any) -> str:
    column, _, as_json = list(element.clauses)
    return (
        f"(CAST({compiler.process(column, **kw)} AS JSONB) @> "
        f"CAST({compiler.process(as_json, **kw)} AS JSONB))"
    )


async def try_transaction_lock(session: AsyncSession, name: str) -> bool:
    """Take the lock ``name`` until the transaction ends, or return False if another holds it.

    PostgreSQL: a transaction-level advisory lock (several server processes run the same
    periodic chores). SQLite: always taken, as its writers already run one at a time
    (``BEGIN IMMEDIATE``).
    """
    if session.get_bind().dialect.name != "postgresql":
        return True
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    return bool(await session.scalar(select(func.pg_try_advisory_xact_lock(key))))


def insert_for(session: AsyncSession, table: Any) -> Any:
    """The dialect's ``INSERT`` (with ``on_conflict_do_update``): both SQLite's and
    PostgreSQL's spell the upsert the same way."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)
