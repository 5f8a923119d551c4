"""The grid tree (网格 → 微网格) from a spreadsheet: one row per node.

A row with only 网格 makes a grid; a row with 网格 and 微网格 makes the micro-grid under it
(and the grid, if the file has no row of its own for it). Nodes are matched by name under
the same parent, so importing the same file again changes nothing. Every node is made by
``create_grid``, as the ``createGrid`` mutation makes it.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.import_outcome import (
    ImportResult,
    ImportRolledBack,
    Outcome,
    RowOutcome,
    Summary,
    as_column,
)
from api.residents_io import admin_principal
from api.sheet_rows import SheetRow, read_sheet
from domain.database import Database
from domain.errors import DomainError, InvalidInput
from domain.i18n import N_
from domain.models import Grid
from domain.permissions import require_admin
from domain.principal import Principal
from domain.services.grids import community_grids, create_grid

HEADERS = {
    "grid": ("网格", "网格名称", "grid"),
    "micro_grid": ("微网格", "微网格名称", "micro grid", "microgrid"),
}
REQUIRED = ("grid",)


def read_grid_file(data: bytes, filename: str) -> list[SheetRow]:
    return read_sheet(data, filename, HEADERS, REQUIRED)


class _Tree:
    def __init__(self, grids: list[Grid]) -> None:
        self.nodes = {(grid.parent_id, grid.name): grid for grid in grids}

    async def ensure(
        self, session: AsyncSession, who: Principal, name: str, parent: Grid | None
    ) -> tuple[Grid, bool]:
        parent_id = parent.id if parent else None
        found = self.nodes.get((parent_id, name))
        if found is not None:
            return found, False
        try:
            grid = await create_grid(session, who, name=name, parent_id=parent_id)
        except DomainError as error:
            raise as_column(error, {"name": "微网格" if parent else "网格"}) from None
        self.nodes[(parent_id, grid.name)] = grid
        return grid, True


async def _row(session: AsyncSession, who: Principal, tree: _Tree, row: SheetRow) -> RowOutcome:
    grid_name = row.cells.get("grid", "")
    micro_name = row.cells.get("micro_grid", "")
    if not grid_name:
        raise InvalidInput("网格", N_("is required"))
    async with session.begin_nested():
        grid, made_grid = await tree.ensure(session, who, grid_name, None)
        summary = [
            Summary(N_("new grid {name}") if made_grid else N_("grid {name}"), {"name": grid.name})
        ]
        made = made_grid
        if micro_name:
            micro, made_micro = await tree.ensure(session, who, micro_name, grid)
            made = made or made_micro
            summary.append(
                Summary(
                    N_("new micro-grid {name}") if made_micro else N_("micro-grid {name}"),
                    {"name": micro.name},
                )
            )
    return RowOutcome(row.line, Outcome.CREATE if made else Outcome.UNCHANGED, summary)


async def import_grid_rows(
    session: AsyncSession, principal: Principal | None, rows: list[SheetRow], *, dry_run: bool
) -> ImportResult:
    """Into the caller's transaction; raises ``ImportRolledBack`` on a dry run or a bad row."""
    who = require_admin(principal)
    tree = _Tree(await community_grids(session, who.community_id))
    result = ImportResult()
    for row in rows:
        known = dict(tree.nodes)
        try:
            result.rows.append(await _row(session, who, tree, row))
        except DomainError as error:
            tree.nodes = known  # the row's SAVEPOINT took back what it made
            result.rows.append(RowOutcome(row.line, Outcome.REFUSED, [], error))
    if dry_run or result.refused:
        raise ImportRolledBack(result)
    result.applied = True
    return result


async def import_grids(
    db: Database,
    data: bytes,
    filename: str,
    *,
    dry_run: bool,
    community: str | None = None,
    principal: Principal | None = None,
) -> ImportResult:
    """Read and import in one transaction, as ``principal`` or else the community's admin."""
    rows = read_grid_file(data, filename)
    try:
        async with db.transaction() as session:
            who = principal or await admin_principal(session, community)
            return await import_grid_rows(session, who, rows, dry_run=dry_run)
    except ImportRolledBack as rolled_back:
        return rolled_back.result
