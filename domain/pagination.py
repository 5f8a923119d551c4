"""Keyset (cursor) pagination: a page costs one indexed range scan however deep it is.

A cursor is the sort key of the last row seen, opaque to clients: the hex digits of its JSON
(``["key","name","id"]``), a form both databases can write themselves, so that the compiled
read path (``domain.json_sql.cursor_text``) builds the same cursors inside its statement.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from domain.errors import InvalidInput
from domain.i18n import N_

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([str(v) for v in values], ensure_ascii=False, separators=(",", ":"))
    return raw.encode().hex().upper()


def decode_cursor(cursor: str, width: int) -> list[str]:
    try:
        values = json.loads(bytes.fromhex(cursor).decode())
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("after", N_("not a cursor this server issued")) from exc
    if not isinstance(values, list) or len(values) != width:
        raise InvalidInput("after", N_("not a cursor this server issued"))
    return [str(v) for v in values]


def after_cursor(order: Sequence[InstrumentedAttribute[Any]], after: str) -> ColumnElement[bool]:
    """Rows that sort after the cursor in ``order``: the predicate every page adds."""
    values = decode_cursor(after, len(order))
    try:
        typed = [
            column.type.python_type(value) for column, value in zip(order, values, strict=True)
        ]
    except (ValueError, TypeError) as exc:
        raise InvalidInput("after", N_("not a cursor this server issued")) from exc
    return tuple_(*order) > tuple_(*typed)


async def keyset_page(
    session: AsyncSession,
    statement: Select[*tuple[Any, ...]],
    order: Sequence[InstrumentedAttribute[Any]],
    *,
    first: int,
    after: str | None,
    key_of: Any,
) -> Page[Any]:
    """Rows of ``statement`` after the cursor, ordered by ``order`` (the last column unique).

    ``key_of(row)`` gives the row's values of the ``order`` columns, for its cursor.
    """
    if after is not None:
        statement = statement.where(after_cursor(order, after))
    rows = list((await session.execute(statement.order_by(*order).limit(first + 1))).all())
    has_next = len(rows) > first
    rows = rows[:first]
    return Page(
        items=rows,
        cursors=[encode_cursor(key_of(row)) for row in rows],
        has_next_page=has_next,
        has_previous_page=after is not None,
    )
