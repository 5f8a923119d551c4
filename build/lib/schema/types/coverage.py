"""Coverage of households by a red grid contact, per grid node."""

from __future__ import annotations

import strawberry

from domain.services.coverage import CoverageReport
from domain.services.households import HouseholdFilter
from schema.context import Info
from schema.pagination import Connection
from schema.reads import list_households
from schema.types.grid import Grid
from schema.types.households import Household


@strawberry.type
class GridCoverage:
    grid: Grid
    households: int
    covered: int
    ratio: float = strawberry.field(description="covered / households; 1.0 for an empty node")


@strawberry.type(description="每户都有一名红色网格员联系: how far the rule holds, and where not.")
class Coverage:
    households: int
    covered: int
    ratio: float
    grids: list[GridCoverage]

    @strawberry.field(description="Households with no assigned contact, by address.")
    async def uncovered_households(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Household]:
        return await list_households(info, first, after, HouseholdFilter(has_contact=False))

    @staticmethod
    def of(report: CoverageReport) -> Coverage:
        return Coverage(
            households=report.households,
            covered=report.covered,
            ratio=report.ratio,
            grids=[
                GridCoverage(
                    grid=Grid.of(item.grid),
                    households=item.households,
                    covered=item.covered,
                    ratio=item.ratio,
                )
                for item in report.grids
            ],
        )
