"""Coverage of households by a red grid contact, per grid node."""

from __future__ import annotations

import strawberry

from domain.services.coverage import CoverageReport
from schema.types.grid import Grid


@strawberry.type
class GridCoverage:
    grid: Grid
    households: int
    covered: int
    ratio: float = strawberry.field(description="covered / households; 1.0 for an empty node")


@strawberry.type(
    description="每户都有一名红色网格员联系. List the uncovered ones with "
    "`households(filter: {hasContact: false})`."
)
class Coverage:
    households: int
    covered: int
    ratio: float
    grids: list[GridCoverage]

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
