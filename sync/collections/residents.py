"""居民 on a volunteer's phone: contact phones of the households it covers, ID numbers masked.

The phone needs the number to call; the ID number only to recognise someone, so the device
gets the masked form and can never set it (registering one goes through the API). The birth
date arrives as its year only: the masked digits of an ID number are the birth date, so the
full date beside the masked number would rebuild it. Which phone was sent which resident's
full contact phone, and since when, is recorded (``sync.holdings``) and shown in the access
log (``personalDataAccessLog``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Integer, cast, extract, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError
from domain.models import Household, Resident, Synced
from domain.permissions import require_staff
from domain.personal_data import normalize_phone
from domain.services import residents
from domain.services.households import editable_households
from domain.services.resident_rows import new_resident_row
from domain.services.resident_tags import tag_vocabulary
from sync.collections.convert import as_tags, as_uuid, household_and_fields
from sync.collections.households import covers_through
from sync.declaration import Actor, Field, Kind, Owner, Policy, SyncedType
from sync.staging import Change, converted, each


def _service_values(values: Mapping[str, Any]) -> dict[str, Any]:
    found = dict(values)
    if "household_id" in found:
        found["household_id"] = as_uuid("householdId", found["household_id"])
    if "tags" in found:
        found["tags"] = as_tags("tags", found["tags"])
    return found


class ResidentWriter:
    async def create(
        self, session: AsyncSession, actor: Actor, document_id: uuid.UUID, values: Mapping[str, Any]
    ) -> Synced:
        household, fields = household_and_fields(_service_values(values))
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

    async def stage(
        self, session: AsyncSession, actor: Actor, changes: Sequence[Change]
    ) -> set[uuid.UUID]:
        """The batch form of the three above (``sync.staging``): two look-ups in all."""
        who = require_staff(actor.principal)
        given, refused = converted(changes, _service_values)
        edited = [c.document_id for c in changes if not c.create and c.document_id in given]
        homes = await residents.residents_with_households(session, who, edited)
        households = await editable_households(
            session, who, [fields.get("household_id") for fields in given.values()]
        )

        async def one(change: Change) -> None:
            if change.create:
                household, fields = household_and_fields(dict(given[change.document_id]))
                await residents.stage_new_resident(
                    session,
                    who,
                    actor.cipher,
                    households,
                    household_id=household,
                    fields=fields,
                    resident_id=change.document_id,
                )
                return
            home = homes.get(change.document_id)
            if change.values:
                home = await residents.stage_resident_update(
                    session,
                    who,
                    actor.cipher,
                    homes,
                    households,
                    change.document_id,
                    given[change.document_id],
                )
            if change.delete:
                residents.stage_resident_delete(who, home, change.document_id)

        return refused | await each((c for c in changes if c.document_id in given), one)

    model = Resident

    async def new_rows(
        self, session: AsyncSession, actor: Actor, changes: Sequence[Change]
    ) -> tuple[list[dict[str, Any]], set[uuid.UUID]]:
        """``stage`` for a batch of creates, as rows (``sync.staging.RowStager``)."""
        who = require_staff(actor.principal)
        given, refused = converted(changes, _service_values)
        households = await editable_households(
            session, who, [fields.get("household_id") for fields in given.values()]
        )
        tagged = any(fields.get("tags") for fields in given.values())
        vocabulary = await tag_vocabulary(session, who.community_id) if tagged else []
        rows = []
        for change in changes:
            if change.document_id not in given:
                continue
            try:
                household, fields = household_and_fields(dict(given[change.document_id]))
                rows.append(
                    new_resident_row(
                        who,
                        households,
                        vocabulary,
                        household_id=household,
                        fields=fields,
                        resident_id=change.document_id,
                    )
                )
            except DomainError:
                refused.add(change.document_id)
        return rows, refused


RESIDENTS = SyncedType(
    name="resident",
    model=Resident,
    description="居民 of the households the device's posts cover: the full contact phone (each "
    "device holding it is in personalDataAccessLog), the ID number masked, the birth year only.",
    fields=(
        Field("householdId", Kind.ID, lambda: Resident.household_id, key="household_id"),
        Field("name", Kind.TEXT, lambda: Resident.name),
        Field(
            "phone",
            Kind.TEXT,
            lambda: Resident.phone,
            normalize=normalize_phone,
            description="The contact phone, in full: the volunteer calls it. Which device holds "
            "it since when is in the access log.",
        ),
        Field("tags", Kind.TAGS, lambda: Resident.tags, policy=Policy.SET_UNION),
        Field("partyMember", Kind.BOOL, lambda: Resident.party_member, key="party_member"),
        Field(
            "birthYear",
            Kind.NUMBER,
            lambda: cast(extract("year", Resident.birth_date), Integer),
            owner=Owner.SERVER,
            description="The year of birth only (the full date would rebuild the masked ID "
            "number); set through the API.",
        ),
        Field(
            "idNumber",
            Kind.TEXT,
            lambda: Resident.id_number_masked,
            owner=Owner.SERVER,
            description="Masked (120104********1234); set through the API only.",
        ),
    ),
    scope=lambda scope: covers_through(
        Household.grid_id, Household.id == Resident.household_id, scope
    ),
    writer=ResidentWriter(),
    grid_of=lambda: (
        select(Household.grid_id).where(Household.id == Resident.household_id).scalar_subquery()
    ),
    moves=True,
    moves_with=lambda: Resident.household_id,
)
