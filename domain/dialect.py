"""The few SQL constructs that differ between SQLite and PostgreSQL, compiled per dialect."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import Boolean, ColumnElement, bindparam, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
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


def insert_or_update(session: AsyncSession, table: Any) -> Any:
    """An ``INSERT`` that can take ``on_conflict_do_update`` (an atomic UPSERT): both
    dialects spell it alike, but each has its own construct."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


async def upsert_by_ids(
    session: AsyncSession,
    table: Any,
    *,
    id_column: str,
    ids: list[Any],
    fixed: dict[str, Any],
    conflict: list[str],
    refresh: list[str],
    reset: dict[str, Any],
    where: ColumnElement[bool],
) -> None:
    """Insert one row per id (the other columns ``fixed``); on a ``conflict`` where ``where``
    holds, take the new ``refresh`` columns and set ``reset``. One statement either way:
    PostgreSQL gets the ids as one array (``unnest``: an executemany there is a round trip
    per row), SQLite an executemany of one cached statement."""
    if session.get_bind().dialect.name == "postgresql":
        unnested = (
            func.unnest(bindparam("ids", ids, type_=postgresql.ARRAY(table.c[id_column].type)))
            .table_valued("value")
            .render_derived()
        )
        chosen = select(
            *(literal(value, table.c[name].type).label(name) for name, value in fixed.items()),
            unnested.c.value.label(id_column),
        )
        statement: Any = postgresql.insert(table).from_select([*fixed, id_column], chosen)
        rows: list[dict[str, Any]] | None = None
    else:
        statement = sqlite.insert(table)
        rows = [{**fixed, id_column: value} for value in ids]
    statement = statement.on_conflict_do_update(
        index_elements=conflict,
        set_={**{name: statement.excluded[name] for name in refresh}, **reset},
        where=where,
    )
    if rows is None:
        await session.execute(statement)
    else:
        await session.execute(statement, rows)
