"""民情日记 entries: written on the phone at the door, often offline."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Household, Synced, VisitNote
from domain.permissions import require_staff
from domain.services import visits
from domain.services.households import editable_households
from sync.collections.convert import as_time, as_uuid, household_and_fields
from sync.collections.households import covers_through
from sync.declaration import Actor, Field, Kind, Owner, Policy, SyncedType
from sync.staging import Change, converted, each


def _service_values(values: Mapping[str, Any]) -> dict[str, Any]:
    found = dict(values)
    if "household_id" in found:
        found["household_id"] = as_uuid("householdId", found["household_id"])
    if "visited_at" in found:
        found["visited_at"] = as_time("visitedAt", found["visited_at"])
    return found


class VisitNoteWriter:
    async def create(
        self, session: AsyncSession, actor: Actor, document_id: uuid.UUID, values: Mapping[str, Any]
    ) -> Synced:
        household, fields = household_and_fields(_service_values(values))
        return await visits.write_note(
            session, actor.principal, note_id=document_id, household_id=household, fields=fields
        )

    async def update(
        self,
        session: AsyncSession,
        actor: Actor,
        document_id: uuid.UUID,
        changes: Mapping[str, Any],
    ) -> Synced:
        return await visits.change_note(
            session, actor.principal, document_id, _service_values(changes)
        )

    async def delete(self, session: AsyncSession, actor: Actor, document_id: uuid.UUID) -> Synced:
        return await visits.delete_note(session, actor.principal, document_id)

    async def stage(
        self, session: AsyncSession, actor: Actor, changes: Sequence[Change]
    ) -> set[uuid.UUID]:
        """The batch form of the three above (``sync.staging``): two look-ups in all."""
        who = require_staff(actor.principal)
        given, refused = converted(changes, _service_values)
        edited = [c.document_id for c in changes if not c.create and c.document_id in given]
        notes = await visits.live_notes(session, who, edited)
        households = await editable_households(
            session, who, visits.households_of(notes, given.values())
        )

        async def one(change: Change) -> None:
            if change.create:
                household, fields = household_and_fields(dict(given[change.document_id]))
                visits.stage_new_note(
                    session,
                    who,
                    households,
                    note_id=change.document_id,
                    household_id=household,
                    fields=fields,
                )
                return
            if change.values:
                visits.stage_note_change(
                    notes, households, change.document_id, given[change.document_id]
                )
            if change.delete:
                visits.stage_note_delete(notes, households, change.document_id)

        return refused | await each((c for c in changes if c.document_id in given), one)


VISIT_NOTES = SyncedType(
    name="visitNote",
    model=VisitNote,
    description="民情日记: notes of household visits, in the households the device covers.",
    fields=(
        Field("householdId", Kind.ID, lambda: VisitNote.household_id, key="household_id"),
        Field("category", Kind.TEXT, lambda: VisitNote.category),
        Field("text", Kind.TEXT, lambda: VisitNote.text, policy=Policy.KEEP_BOTH_TEXT),
        Field("followUp", Kind.BOOL, lambda: VisitNote.follow_up, key="follow_up"),
        Field(
            "visitedAt",
            Kind.NUMBER,
            lambda: VisitNote.visited_at,
            key="visited_at",
            description="The phone's clock (ms since 1970): shown, never used for order.",
        ),
        Field(
            "authorAccountId",
            Kind.ID,
            lambda: VisitNote.author_account_id,
            owner=Owner.SERVER,
        ),
    ),
    scope=lambda scope: covers_through(
        Household.grid_id, Household.id == VisitNote.household_id, scope
    ),
    writer=VisitNoteWriter(),
    grid_of=lambda: (
        select(Household.grid_id).where(Household.id == VisitNote.household_id).scalar_subquery()
    ),
    moves=True,
    moves_with=lambda: VisitNote.household_id,
)
