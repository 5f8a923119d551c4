"""Keyset pages of topics ordered by the day they were raised (submitted_on, id).

The shared ``keyset_page`` converts cursor values with the column's Python type, which a
date column cannot do from text; topics page on a date, so they parse their own cursors.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InvalidInput
from domain.i18n import N_
from domain.models import Proposal
from domain.pagination import Page, decode_cursor, encode_cursor


def _after(cursor: str) -> tuple[date, uuid.UUID]:
    day, identifier = decode_cursor(cursor, 2)
    try:
        return date.fromisoformat(day), uuid.UUID(identifier)
    except ValueError as exc:
        raise InvalidInput("after", N_("not a cursor this server issued")) from exc


async def topic_page(
    session: AsyncSession,
    statement: Select[Any],
    *,
    first: int,
    after: str | None,
    newest_first: bool,
    key_of: Any,
) -> Page[Any]:
    """``key_of(row)`` gives the row's (submitted_on, id)."""
    key = tuple_(Proposal.submitted_on, Proposal.id)
    if after is not None:
        day, identifier = _after(after)
        bound = tuple_(day, identifier)
        statement = statement.where(key < bound if newest_first else key > bound)
    if newest_first:
        statement = statement.order_by(Proposal.submitted_on.desc(), Proposal.id.desc())
    else:
        statement = statement.order_by(Proposal.submitted_on, Proposal.id)
    rows = list((await session.execute(statement.limit(first + 1))).all())
    has_next = len(rows) > first
    rows = rows[:first]
    return Page(
        items=rows,
        cursors=[encode_cursor(key_of(row)) for row in rows],
        has_next_page=has_next,
        has_previous_page=after is not None,
    )
