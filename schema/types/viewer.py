"""The logged-in account itself."""

from __future__ import annotations

import uuid

import strawberry

from domain.principal import Principal
from domain.services.posts import posts_of_accounts
from domain.services.staff_accounts import community_name
from schema.context import Info
from schema.types.grid import AccountKind, GridPost
from schema.types.households import Household


@strawberry.type(
    description="You: your account, your household if a resident, your posts if staff."
)
class Viewer:
    account_id: uuid.UUID
    display_name: str
    kind: AccountKind
    resident_id: uuid.UUID | None
    household_id: uuid.UUID | None
    device_id: uuid.UUID | None

    @strawberry.field
    async def household(self, info: Info) -> Household | None:
        if self.household_id is None:
            return None
        found = await info.context.loaders.household.load(self.household_id)
        return Household.of(*found) if found else None

    @strawberry.field(description="The community's name (社区), shown on every staff screen.")
    async def community_name(self, info: Info) -> str:
        async with info.context.db.read() as session:
            return await community_name(session, info.context.principal)

    @strawberry.field
    async def posts(self, info: Info) -> list[GridPost]:
        principal = info.context.principal
        if principal is None:
            return []
        async with info.context.db.read() as session:
            rows = await posts_of_accounts(session, principal.community_id, [principal.account_id])
        return [GridPost.of(row) for row in rows]

    @staticmethod
    def of(principal: Principal) -> Viewer:
        return Viewer(
            account_id=principal.account_id,
            display_name=principal.display_name,
            kind=AccountKind(principal.kind.value),
            resident_id=principal.resident_id,
            household_id=principal.household_id,
            device_id=principal.device_id,
        )
