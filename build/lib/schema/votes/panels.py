"""Fixed electorates on the GraphQL edge: panels (五方协商小组) and household delegates."""

from __future__ import annotations

import uuid

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from domain.services import panels
from schema.context import Info
from schema.errors import result_union
from schema.mutations.transaction import in_transaction
from schema.types.households import Household
from schema.votes.types import Panel

PanelResult = result_union("PanelResult", Panel)
SetHouseholdDelegateResult = result_union("SetHouseholdDelegateResult", Household)


@strawberry.input(description="A panel member: an account and a role label such as 居民代表.")
class PanelMemberInput:
    account_id: uuid.UUID
    role: str = ""


@strawberry.type
class PanelMutationFields:
    @strawberry.mutation(description="A panel such as 五方协商小组 with its members (admin).")
    async def create_panel(
        self, info: Info, name: str, members: list[PanelMemberInput]
    ) -> PanelResult:
        async def work(session: AsyncSession) -> Panel:
            panel = await panels.create_panel(
                session,
                info.context.principal,
                name,
                [panels.NewMember(m.account_id, m.role) for m in members],
            )
            return Panel.of(await panels.panel_view(session, info.context.principal, panel.id))

        return await in_transaction(info, work)

    @strawberry.mutation(description="Not while one of the panel's votes is running (admin).")
    async def add_panel_member(
        self, info: Info, panel_id: uuid.UUID, account_id: uuid.UUID, role: str = ""
    ) -> PanelResult:
        async def work(session: AsyncSession) -> Panel:
            await panels.add_member(
                session, info.context.principal, panel_id, panels.NewMember(account_id, role)
            )
            return Panel.of(await panels.panel_view(session, info.context.principal, panel_id))

        return await in_transaction(info, work)

    @strawberry.mutation(description="Not while one of the panel's votes is running (admin).")
    async def remove_panel_member(
        self, info: Info, panel_id: uuid.UUID, account_id: uuid.UUID
    ) -> PanelResult:
        async def work(session: AsyncSession) -> Panel:
            await panels.remove_member(session, info.context.principal, panel_id, account_id)
            return Panel.of(await panels.panel_view(session, info.context.principal, panel_id))

        return await in_transaction(info, work)

    @strawberry.mutation(
        description="Who casts the household's ballot on one-per-household votes (an adult "
        "member); null lets any adult member cast it. Staff covering the household."
    )
    async def set_household_delegate(
        self, info: Info, household_id: uuid.UUID, resident_id: uuid.UUID | None
    ) -> SetHouseholdDelegateResult:
        async def work(session: AsyncSession) -> Household:
            row = await panels.set_household_delegate(
                session, info.context.principal, household_id, resident_id
            )
            return Household.of(row, True)

        return await in_transaction(info, work)
