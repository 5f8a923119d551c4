"""民情日记 entries: written on the phone at the door, often offline."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Household, Synced, VisitNote
from domain.services import visits
from sync.collections.convert import as_time, as_uuid, required_uuid
from sync.collections.households import covers
from sync.declaration import Actor, Field, Kind, Owner, Policy, SyncedType


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
        fields = _service_values(values)
        household = required_uuid("householdId", fields.pop("household_id", None))
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
    source=lambda statement: statement.join(Household, Household.id == VisitNote.household_id),
    scope=lambda scope: covers(Household.grid_id, scope),
    writer=VisitNoteWriter(),
    grid_of=lambda: Household.grid_id,
    moves=True,
    moves_with=lambda: VisitNote.household_id,
)
