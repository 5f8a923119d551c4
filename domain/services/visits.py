"""民情日记: grid workers' notes of household visits (一事一访), written on phones offline.

A note belongs to a household; only staff whose posts cover the household write or change
notes on it (the author, or another worker of the same grid taking over the follow-up).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InvalidInput, NotFound
from domain.i18n import N_
from domain.models import Household, VisitCategory, VisitNote
from domain.permissions import require_staff
from domain.principal import Principal
from domain.services.households import editable_household, editable_households
from domain.services.proposal_access import clean_long_text

TEXT_MAX = 5_000


def _category(value: Any) -> VisitCategory:
    try:
        return VisitCategory(value)
    except ValueError as exc:
        allowed = ", ".join(c.value for c in VisitCategory)
        raise InvalidInput("category", N_("must be one of: {allowed}"), allowed=allowed) from exc


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
            raise InvalidInput("visitedAt", N_("give the time of the visit with its UTC offset"))
        note.visited_at = visited


def stage_new_note(
    session: AsyncSession,
    who: Principal,
    households: Mapping[uuid.UUID, Household],
    *,
    note_id: uuid.UUID,
    household_id: uuid.UUID,
    fields: Mapping[str, Any],
) -> VisitNote:
    """``write_note``'s rules and row, added to the session but not flushed, so that a batch
    (a sync push) writes many in one flush. ``who`` is staff; ``households`` come from
    ``editable_households``."""
    editable_household(households, household_id)
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
    return note


async def write_note(
    session: AsyncSession,
    principal: Principal | None,
    *,
    note_id: uuid.UUID,
    household_id: uuid.UUID,
    fields: Mapping[str, Any],
) -> VisitNote:
    who = require_staff(principal)
    households = await editable_households(session, who, [household_id])
    note = stage_new_note(
        session, who, households, note_id=note_id, household_id=household_id, fields=fields
    )
    await session.flush()
    return note


async def live_notes(
    session: AsyncSession, who: Principal, note_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, VisitNote]:
    """The notes among ``note_ids`` in ``who``'s community, not deleted: one query for a whole
    batch of changes. Whether ``who`` covers each note's household is checked with
    ``editable_households`` of ``households_of``."""
    wanted = set(note_ids)
    if not wanted:
        return {}
    found = await session.scalars(
        select(VisitNote).where(
            VisitNote.id.in_(wanted),
            VisitNote.community_id == who.community_id,
            VisitNote.deleted.is_(False),
        )
    )
    return {note.id: note for note in found}


def households_of(
    notes: Mapping[uuid.UUID, VisitNote], changes: Iterable[Mapping[str, Any]] = ()
) -> list[uuid.UUID]:
    """The households ``stage_note_change`` checks: the notes' own, and those they move to."""
    return [note.household_id for note in notes.values()] + [
        change["household_id"] for change in changes if change.get("household_id") is not None
    ]


def _editable(
    notes: Mapping[uuid.UUID, VisitNote],
    households: Mapping[uuid.UUID, Household],
    note_id: uuid.UUID,
) -> VisitNote:
    note = notes.get(note_id)
    if note is None:
        raise NotFound(N_("visit note"), note_id)
    editable_household(households, note.household_id)
    return note


def stage_note_change(
    notes: Mapping[uuid.UUID, VisitNote],
    households: Mapping[uuid.UUID, Household],
    note_id: uuid.UUID,
    changes: Mapping[str, Any],
) -> VisitNote:
    """``change_note``'s rules, applied to the loaded note (``live_notes``) but not flushed."""
    note = _editable(notes, households, note_id)
    if changes.get("household_id") is not None and changes["household_id"] != note.household_id:
        editable_household(households, changes["household_id"])
        note.household_id = changes["household_id"]
    _apply(note, changes)
    return note


def stage_note_delete(
    notes: Mapping[uuid.UUID, VisitNote],
    households: Mapping[uuid.UUID, Household],
    note_id: uuid.UUID,
) -> VisitNote:
    """``delete_note``'s rules on a loaded note; not flushed."""
    note = _editable(notes, households, note_id)
    note.deleted = True
    return note


async def _loaded(
    session: AsyncSession, who: Principal, note_id: uuid.UUID, changes: Mapping[str, Any]
) -> tuple[dict[uuid.UUID, VisitNote], dict[uuid.UUID, Household]]:
    notes = await live_notes(session, who, [note_id])
    if not notes:
        return notes, {}
    return notes, await editable_households(session, who, households_of(notes, [changes]))


async def change_note(
    session: AsyncSession,
    principal: Principal | None,
    note_id: uuid.UUID,
    changes: Mapping[str, Any],
) -> VisitNote:
    who = require_staff(principal)
    notes, households = await _loaded(session, who, note_id, changes)
    note = stage_note_change(notes, households, note_id, changes)
    await session.flush()
    return note


async def delete_note(
    session: AsyncSession, principal: Principal | None, note_id: uuid.UUID
) -> VisitNote:
    who = require_staff(principal)
    notes, households = await _loaded(session, who, note_id, {})
    note = stage_note_delete(notes, households, note_id)
    await session.flush()
    return note
