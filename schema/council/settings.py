"""The council's rules per community on the GraphQL edge: read by staff, changed by the admin."""

from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError
from domain.services import community_settings
from domain.services.community_settings import CouncilRules, RulesChange
from schema.context import Info
from schema.errors import result_union, to_graphql_error
from schema.mutations.transaction import in_transaction


@strawberry.type(
    description="The council's rules in this community (社区议事规则), set by its admin. A "
    "change applies to rounds and queues from then on; a rating window already open keeps "
    "the floor and minimum it opened with."
)
class CommunitySettings:
    rating_window_days: int = strawberry.field(
        description="评菜期: days after a 销号 in which its raisers and supporters may rate it."
    )
    rating_floor: float = strawberry.field(
        description="An average rating below this (1-5) reopens a closed item."
    )
    minimum_ratings: int = strawberry.field(
        description="Fewer ratings than this when the window ends: the item stays closed, "
        "recorded as closed without enough ratings."
    )
    escalation_to_cadre_days: int = strawberry.field(
        description="逾期督办: overdue days after which an item reaches the cadre (包联社区干部)."
    )
    escalation_to_admin_days: int = strawberry.field(
        description="Overdue days after which it reaches the admin (社区书记); more than the "
        "cadre's."
    )

    @staticmethod
    def of(rules: CouncilRules) -> CommunitySettings:
        return CommunitySettings(**vars(rules))


@strawberry.input(description="The rules to change; a field left out keeps its value.")
class CommunitySettingsInput:
    rating_window_days: int | None = strawberry.field(default=None, description="1 to 60.")
    rating_floor: float | None = strawberry.field(default=None, description="1.0 to 5.0.")
    minimum_ratings: int | None = strawberry.field(default=None, description="1 to 100.")
    escalation_to_cadre_days: int | None = strawberry.field(default=None, description="1 to 365.")
    escalation_to_admin_days: int | None = strawberry.field(
        default=None, description="Up to 365, more than escalationToCadreDays."
    )


CommunitySettingsResult = result_union("CommunitySettingsResult", CommunitySettings)


@strawberry.type
class SettingsReads:
    @strawberry.field(description="The council's rules in your community (staff only).")
    async def community_settings(self, info: Info) -> CommunitySettingsResult:
        try:
            async with info.context.db.read() as session:
                rules = await community_settings.read_rules(session, info.context.principal)
            return CommunitySettings.of(rules)
        except DomainError as error:
            return to_graphql_error(error)


@strawberry.type
class SettingsMutations:
    @strawberry.mutation(
        description="Change the council's rules (admin only); any bad value refuses the whole "
        "change (INVALID_INPUT with its field)."
    )
    async def update_community_settings(
        self, info: Info, input: CommunitySettingsInput
    ) -> CommunitySettingsResult:
        async def work(session: AsyncSession) -> CommunitySettings:
            rules = await community_settings.update_rules(
                session, info.context.principal, RulesChange(**vars(input))
            )
            return CommunitySettings.of(rules)

        return await in_transaction(info, work)
