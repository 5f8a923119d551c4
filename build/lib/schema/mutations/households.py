"""Staff changes to the households under their posts."""

from __future__ import annotations

import uuid

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from domain.services import households
from schema.context import Info
from schema.errors import result_union
from schema.mutations.transaction import Deleted, given, in_transaction
from schema.types.households import Household

HouseholdChangeResult = result_union("HouseholdChangeResult", Household)
DeleteHouseholdResult = result_union("DeleteHouseholdResult", Deleted)


@strawberry.input
class HouseholdChanges:
    grid_id: uuid.UUID | None = strawberry.UNSET
    building: str | None = strawberry.UNSET
    unit: str | None = strawberry.UNSET
    room: str | None = strawberry.UNSET


@strawberry.type
class HouseholdMutations:
    @strawberry.mutation(description="A household at an address in a micro-grid you cover.")
    async def create_household(
        self,
        info: Info,
        grid_id: uuid.UUID,
        building: str,
        unit: str,
        room: str,
        id: uuid.UUID | None = None,
    ) -> HouseholdChangeResult:
        async def work(session: AsyncSession) -> Household:
            row = await households.create_household(
                session,
                info.context.principal,
                grid_id=grid_id,
                building=building,
                unit=unit,
                room=room,
                household_id=id,
            )
            return Household.of(row, True)

        return await in_transaction(info, work)

    @strawberry.mutation
    async def update_household(
        self,
        info: Info,
        id: uuid.UUID,
        changes: HouseholdChanges,
    ) -> HouseholdChangeResult:
        async def work(session: AsyncSession) -> Household:
            row = await households.update_household(
                session, info.context.principal, id, given(changes)
            )
            return Household.of(row, True)

        return await in_transaction(info, work)

    @strawberry.mutation(description="Only a household with no residents left.")
    async def delete_household(self, info: Info, id: uuid.UUID) -> DeleteHouseholdResult:
        async def work(session: AsyncSession) -> Deleted:
            row = await households.delete_household(session, info.context.principal, id)
            return Deleted(id=strawberry.ID(str(row.id)))

        return await in_transaction(info, work)

    @strawberry.mutation(description="确保每户都有一名红色网格员联系: set (or clear) the contact.")
    async def assign_household_contact(
        self, info: Info, household_id: uuid.UUID, post_id: uuid.UUID | None
    ) -> HouseholdChangeResult:
        async def work(session: AsyncSession) -> Household:
            row = await households.assign_contact(
                session, info.context.principal, household_id, post_id
            )
            return Household.of(row, True)

        return await in_transaction(info, work)
