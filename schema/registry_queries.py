"""Read side of the API. Each resolver opens its own short read session (see loaders)."""

from __future__ import annotations

import uuid

import strawberry

from domain.errors import AuthenticationRequired, DomainError, NotFound
from domain.i18n import N_
from domain.permissions import require_login, require_staff
from domain.principal import Principal
from domain.services import coverage as coverage_service
from domain.services import grids as grid_service
from domain.services import households as household_service
from domain.services import posts as post_service
from domain.services import residents as resident_service
from schema import reads
from schema.context import Info
from schema.errors import result_union, to_graphql_error
from schema.pagination import Connection
from schema.types.coverage import Coverage
from schema.types.grid import Grid, GridPost
from schema.types.households import Household, Resident
from schema.types.viewer import Viewer


@strawberry.input(description="Households to list; all filters combine.")
class HouseholdFilter:
    grid_id: uuid.UUID | None = strawberry.field(default=None, description="this node and below")
    search: str | None = strawberry.field(
        default=None,
        description="part of building-unit-room, or of the name of a resident whose full name "
        "you may read",
    )
    has_contact: bool | None = None
    tag: str | None = strawberry.field(
        default=None,
        description="a resident has this word of `residentTags` (among residents whose "
        "personal data you may see)",
    )


@strawberry.input(description="Residents to list; all filters combine.")
class ResidentFilter:
    grid_id: uuid.UUID | None = strawberry.field(default=None, description="this node and below")
    household_id: uuid.UUID | None = None
    tag: str | None = strawberry.field(default=None, description="one word of `residentTags`")
    search: str | None = strawberry.field(default=None, description="part of a name or address")


def _who(info: Info) -> Principal:
    return require_login(info.context.principal)


HouseholdResult = result_union("HouseholdResult", Household)
ResidentResult = result_union("ResidentResult", Resident)
GridResult = result_union("GridResult", Grid)


@strawberry.type
class RegistryQueries:
    """The red grid, households and residents."""

    @strawberry.field(description="Who is asking: null when not logged in.")
    async def viewer(self, info: Info) -> Viewer | None:
        principal = info.context.principal
        return Viewer.of(principal) if principal else None

    @strawberry.field(
        description="Every node of the community's grid tree: the top grids first, then each "
        "grid's micro-grids, grid by grid. Siblings follow the order staff set with "
        "reorderGrids, else their names with numerals read as numbers (第二 before 第十一, "
        "2号楼 before 10号楼)."
    )
    async def grids(self, info: Info) -> list[Grid]:
        async with info.context.db.read() as session:
            rows = await grid_service.grid_tree(session, info.context.principal)
        return [Grid.of(row) for row in rows]

    @strawberry.field
    async def grid(self, info: Info, id: uuid.UUID) -> GridResult:
        try:
            async with info.context.db.read() as session:
                return Grid.of(await grid_service.get_grid(session, _who(info), id))
        except DomainError as error:
            return to_graphql_error(error)

    @strawberry.field(description="Posts in the community, optionally on one grid node.")
    async def posts(self, info: Info, grid_id: uuid.UUID | None = None) -> list[GridPost]:
        async with info.context.db.read() as session:
            rows = await post_service.list_posts(session, info.context.principal, grid_id)
        return [GridPost.of(row) for row in rows]

    @strawberry.field(
        description="Households you cover, by address as read on the building: building, "
        "unit, then room, with numbers compared as numbers (2号楼 < 10号楼, 2单元 < 10单元, "
        "room 101 < 102 < 1001; names that are not numbers, such as A座, after them)."
    )
    async def households(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: HouseholdFilter | None = None,
    ) -> Connection[Household]:
        where = (
            household_service.HouseholdFilter(**vars(filter))
            if filter
            else household_service.HouseholdFilter()
        )
        return await reads.list_households(info, first, after, where)

    @strawberry.field
    async def household(self, info: Info, id: uuid.UUID) -> HouseholdResult:
        try:
            found = (
                await info.context.loaders.household.load(id) if info.context.principal else None
            )
            if info.context.principal is None:
                raise AuthenticationRequired()
            if found is None:
                raise NotFound(N_("household"), id)
            return Household.of(*found)
        except DomainError as error:
            return to_graphql_error(error)

    @strawberry.field(
        description="Residents you may see, household by household in address order (as "
        "households), then by name."
    )
    async def residents(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: ResidentFilter | None = None,
    ) -> Connection[Resident]:
        where = (
            resident_service.ResidentFilter(**vars(filter))
            if filter
            else resident_service.ResidentFilter()
        )
        return await reads.list_residents(info, first, after, where)

    @strawberry.field
    async def resident(self, info: Info, id: uuid.UUID) -> ResidentResult:
        try:
            who = _who(info)
            async with info.context.db.read() as session:
                return Resident.of(*await resident_service.get_resident_view(session, who, id))
        except DomainError as error:
            return to_graphql_error(error)

    @strawberry.field(description="每户都有一名红色网格员联系: coverage of the households you see.")
    async def coverage(self, info: Info) -> Coverage:
        who = require_staff(info.context.principal)
        async with info.context.db.read() as session:
            report = await coverage_service.coverage_report(session, who)
        return Coverage.of(report)
