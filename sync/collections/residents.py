"""居民 on a volunteer's phone: contact phones of the households it covers, ID numbers masked.

The phone needs the number to call; the ID number only to recognise someone, so the device
gets the masked form and can never set it (registering one goes through the API).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Household, Resident, Synced
from domain.personal_data import normalize_phone
from domain.services import residents
from sync.collections.convert import as_date, as_tags, as_uuid, required_uuid
from sync.collections.households import covers
from sync.declaration import Actor, Field, Kind, Owner, Policy, SyncedType

_WIRE = {"birth_date": "birthDate", "tags": "tags", "household_id": "householdId"}


def _service_values(values: Mapping[str, Any]) -> dict[str, Any]:
    found = dict(values)
    if "household_id" in found:
        found["household_id"] = as_uuid("householdId", found["household_id"])
    if "birth_date" in found:
        found["birth_date"] = as_date("birthDate", found["birth_date"])
    if "tags" in found:
        found["tags"] = as_tags("tags", found["tags"])
    return found


class ResidentWriter:
    async def create(
        self, session: AsyncSession, actor: Actor, document_id: uuid.UUID, values: Mapping[str, Any]
    ) -> Synced:
        fields = _service_values(values)
        household = required_uuid("householdId", fields.pop("household_id", None))
        return await residents.create_resident(
            session,
            actor.principal,
            actor.cipher,
            household_id=household,
            fields=fields,
            resident_id=document_id,
        )

    async def update(
        self,
        session: AsyncSession,
        actor: Actor,
        document_id: uuid.UUID,
        changes: Mapping[str, Any],
    ) -> Synced:
        return await residents.update_resident(
            session, actor.principal, actor.cipher, document_id, _service_values(changes)
        )

    async def delete(self, session: AsyncSession, actor: Actor, document_id: uuid.UUID) -> Synced:
        return await residents.delete_resident(session, actor.principal, document_id)


RESIDENTS = SyncedType(
    name="resident",
    model=Resident,
    description="居民 of the households the device's posts cover.",
    fields=(
        Field("householdId", Kind.ID, lambda: Resident.household_id, key="household_id"),
        Field("name", Kind.TEXT, lambda: Resident.name),
        Field(
            "phone",
            Kind.TEXT,
            lambda: Resident.phone,
            normalize=normalize_phone,
            description="The contact phone, in full: the volunteer calls it.",
        ),
        Field("tags", Kind.TAGS, lambda: Resident.tags, policy=Policy.SET_UNION),
        Field("partyMember", Kind.BOOL, lambda: Resident.party_member, key="party_member"),
        Field("birthDate", Kind.DATE, lambda: Resident.birth_date, key="birth_date"),
        Field(
            "idNumber",
            Kind.TEXT,
            lambda: Resident.id_number_masked,
            owner=Owner.SERVER,
            description="Masked (120104********1234); set through the API only.",
        ),
    ),
    source=lambda statement: statement.join(Household, Household.id == Resident.household_id),
    scope=lambda scope: covers(Household.grid_id, scope),
    writer=ResidentWriter(),
    grid_of=lambda: Household.grid_id,
    moves=True,
    moves_with=lambda: Resident.household_id,
)
