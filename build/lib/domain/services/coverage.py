"""The rule "every household has one red grid contact" made visible, per grid node."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Grid, Household
from domain.permissions import households_visible, require_staff
from domain.principal import Principal
from domain.services.grids import community_grids


@dataclass(frozen=True)
class GridCoverage:
    grid: Grid
    households: int
    covered: int

    @property
    def ratio(self) -> float:
        return self.covered / self.households if self.households else 1.0


@dataclass(frozen=True)
class CoverageReport:
    households: int
    covered: int
    grids: list[GridCoverage]

    @property
    def ratio(self) -> float:
        return self.covered / self.households if self.households else 1.0


async def coverage_report(session: AsyncSession, principal: Principal | None) -> CoverageReport:
    """Counts per micro-grid in one grouped query, rolled up the tree in Python.

    Only households the principal may see are counted, and only grid nodes holding some of
    them are listed, so a grid worker sees their own coverage, an admin the community's.
    """
    who = require_staff(principal)
    rows = await session.execute(
        select(
            Household.grid_id,
            func.count(Household.id),
            func.count(Household.contact_post_id),
        )
        .where(households_visible(who))
        .group_by(Household.grid_id)
    )
    direct = {grid_id: (int(total), int(covered)) for grid_id, total, covered in rows}
    grids = await community_grids(session, who.community_id)
    parent = {grid.id: grid.parent_id for grid in grids}
    totals: dict[uuid.UUID, list[int]] = {}
    for grid_id, (total, covered) in direct.items():
        node: uuid.UUID | None = grid_id
        while node is not None:
            counts = totals.setdefault(node, [0, 0])
            counts[0] += total
            counts[1] += covered
            node = parent.get(node)
    report = [
        GridCoverage(grid=grid, households=totals[grid.id][0], covered=totals[grid.id][1])
        for grid in grids
        if grid.id in totals
    ]
    return CoverageReport(
        households=sum(total for total, _ in direct.values()),
        covered=sum(covered for _, covered in direct.values()),
        grids=report,
    )
