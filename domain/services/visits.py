"""民情日记: grid workers' notes of household visits (一事一访), written on phones offline.

A note belongs to a household; only staff whose posts cover the household write or change
notes on it (the author, or another worker of the same grid taking over the follow-up).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InvalidInput, NotFound
from domain.models import Household, VisitCategory, VisitNote
from domain.permissions import require_staff
from domain.principal import Principal
from domain.services.proposal_access import clean_long_text

TEXT_MAX = 5_000


async def _covered_household(
    session: AsyncSession, who: Principal, household_id: uuid.UUID
) -> Household:
    household = await session.scalar(
        select(Household).where(
            Household.id == household_id,
            Household.community_id == who.community_id,
            Household.deleted.is_(False),
        )
    )
    if household is None or not who.covers(household.grid_id):
        raise NotFound("household", household_id)
    return household


def _category(value: Any) -> VisitCategory:
    try:
        return VisitCategory(value)
    except ValueError as exc:
        allowed = ", ".join(c.value for c in VisitCategory)
        raise InvalidInput("category", f"must be one of: {allowed}") from exc


def _apply(note: VisitNote, changes: Mapping[str, Any]) -> None:
    if changes.get("category") is not None:
        note.category = _category(changes["category"])
    if "text" in changes:
        note.text = clean_long_text("text", changes["text"], max_length=TEXT_MAX, required=False)
    if changes.get("follow_up") is not None:
        note.follow_up = bool(changes["follow_up"])
    if "visited_at" in changes:
        visited = changes["visited_at"]
        if visited is not None and (not isinstance(visited, datetime) or visited.tzinfo is None):
            raise InvalidInput("visitedAt", "give the time of the visit with its UTC offset")
        note.visited_at = visited


async def write_note(
    session: AsyncSession,
    principal: Principal | None,
    *,
    note_id: uuid.UUID,
    household_id: uuid.UUID,
    fields: Mapping[str, Any],
) -> VisitNote:
    who = require_staff(principal)
    await _covered_household(session, who, household_id)
    note = VisitNote(
        id=note_id,
        community_id=who.community_id,
        household_id=household_id,
        author_account_id=who.account_id,
        category=_category(fields.get("category") or VisitCategory.ROUTINE.value),
        text="",
        follow_up=False,
    )
    _apply(note, fields)
    session.add(note)
    await session.flush()
    return note


async def _editable(session: AsyncSession, who: Principal, note_id: uuid.UUID) -> VisitNote:
    note = await session.scalar(
        select(VisitNote).where(
            VisitNote.id == note_id,
            VisitNote.community_id == who.community_id,
            VisitNote.deleted.is_(False),
        )
    )
    if note is None:
        raise NotFound("visit note", note_id)
    await _covered_household(session, who, note.household_id)
    return note


async def change_note(
    session: AsyncSession,
    principal: Principal | None,
    note_id: uuid.UUID,
    changes: Mapping[str, Any],
) -> VisitNote:
    who = require_staff(principal)
    note = await _editable(session, who, note_id)
    if changes.get("household_id") is not None and changes["household_id"] != note.household_id:
        await _covered_household(session, who, changes["household_id"])
        note.household_id = changes["household_id"]
    _apply(note, changes)
    await session.flush()
    return note


async def delete_note(
    session: AsyncSession, principal: Principal | None, note_id: uuid.UUID
) -> VisitNote:
    who = require_staff(principal)
    note = await _editable(session, who, note_id)
    note.deleted = True
    await session.flush()
    return note
