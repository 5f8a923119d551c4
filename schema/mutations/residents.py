"""Staff changes to residents, and the logged read of one resident's full personal data."""

from __future__ import annotations

import uuid
from datetime import date

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import AuthenticationRequired
from domain.services import residents
from schema.context import Info
from schema.errors import result_union
from schema.mutations.transaction import Deleted, given, in_transaction
from schema.types.households import Gender, PersonalData, Relation, Resident

ResidentChangeResult = result_union("ResidentChangeResult", Resident)
DeleteResidentResult = result_union("DeleteResidentResult", Deleted)
PersonalDataResult = result_union("PersonalDataResult", PersonalData)


@strawberry.input(
    description="Fields left out stay as they are; null clears phone, ID or birth date."
)
class ResidentFields:
    name: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    id_number: str | None = strawberry.UNSET
    birth_date: date | None = strawberry.UNSET
    tags: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="words of the community's `residentTags`"
    )
    party_member: bool | None = strawberry.UNSET
    political_status: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="政治面貌; 中共党员/中共预备党员 make partyMember true unless it is given",
    )
    gender: Gender | None = strawberry.UNSET
    relation_to_head: Relation | None = strawberry.UNSET
    household_id: uuid.UUID | None = strawberry.UNSET


def _fields(values: ResidentFields) -> dict[str, object]:
    return given(values)


@strawberry.type
class ResidentMutations:
    @strawberry.mutation
    async def create_resident(
        self,
        info: Info,
        household_id: uuid.UUID,
        fields: ResidentFields,
        id: uuid.UUID | None = None,
    ) -> ResidentChangeResult:
        async def work(session: AsyncSession) -> Resident:
            row = await residents.create_resident(
                session,
                info.context.principal,
                info.context.cipher,
                household_id=household_id,
                fields=_fields(fields),
                resident_id=id,
            )
            return Resident.of(row, True)

        return await in_transaction(info, work)

    @strawberry.mutation
    async def update_resident(
        self,
        info: Info,
        id: uuid.UUID,
        fields: ResidentFields,
    ) -> ResidentChangeResult:
        async def work(session: AsyncSession) -> Resident:
            row = await residents.update_resident(
                session, info.context.principal, info.context.cipher, id, _fields(fields)
            )
            return Resident.of(row, True)

        return await in_transaction(info, work)

    @strawberry.mutation
    async def delete_resident(self, info: Info, id: uuid.UUID) -> DeleteResidentResult:
        async def work(session: AsyncSession) -> Deleted:
            row = await residents.delete_resident(session, info.context.principal, id)
            return Deleted(id=strawberry.ID(str(row.id)))

        return await in_transaction(info, work)

    @strawberry.mutation(
        description="The full phone and ID number of one resident, for the staff who cover them "
        "or the resident; every call is written to the access log (PIPL)."
    )
    async def reveal_personal_data(
        self, info: Info, resident_id: uuid.UUID, purpose: str
    ) -> PersonalDataResult:
        async def work(session: AsyncSession) -> PersonalData:
            principal = info.context.principal
            if principal is None:
                raise AuthenticationRequired()
            data = await residents.read_personal_data(
                session, principal, info.context.cipher, resident_id, purpose
            )
            return PersonalData(
                resident_id=data.resident_id,
                phone=data.phone,
                id_number=data.id_number,
                room=data.room,
            )

        return await in_transaction(info, work)
