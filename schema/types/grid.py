"""The grid tree (网格), its posts (定岗定责) and the staff who hold them."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain import models
from schema.context import Info
from schema.pagination import Connection, connection, page_size

if TYPE_CHECKING:
    from schema.types.households import Household

GridLevel = strawberry.enum(models.GridLevel, description="网格 (grid) or 微网格 (micro-grid)")
PostRole = strawberry.enum(
    models.PostRole,
    description="The five levels of the red grid: "
    "包联社区干部, 网格长, 副网格长, 网格员, 红色微网格员",
)


@strawberry.enum(description="What an account is: admin (社区书记), grid staff, or resident")
class AccountKind(Enum):
    ADMIN = "admin"
    STAFF = "staff"
    RESIDENT = "resident"


@strawberry.type(description="A login identity as others may see it.")
class Account:
    id: uuid.UUID
    display_name: str
    kind: AccountKind

    @staticmethod
    def of(row: models.Account) -> Account:
        return Account(id=row.id, display_name=row.display_name, kind=AccountKind(row.kind.value))


@strawberry.type(description="A node of the grid tree: a grid (网格) or a micro-grid (微网格).")
class Grid:
    id: uuid.UUID
    name: str
    level: GridLevel
    parent_id: uuid.UUID | None
    updated_at: datetime
    sort_order: int | None = strawberry.field(
        description="Its place among its siblings as staff set it with reorderGrids (1 "
        "first); null when it sorts by name, after the explicitly placed ones."
    )

    @strawberry.field
    async def parent(self, info: Info) -> Grid | None:
        if self.parent_id is None:
            return None
        row = await info.context.loaders.grid.load(self.parent_id)
        return Grid.of(row) if row else None

    @strawberry.field(
        description="Its micro-grids in order: the order staff set with reorderGrids, else "
        "by name with numerals read as numbers (第二 before 第十一, 2号楼 before 10号楼)."
    )
    async def children(self, info: Info) -> list[Grid]:
        return [Grid.of(row) for row in await info.context.loaders.children_of_grid.load(self.id)]

    @strawberry.field(
        description="Households on this node and its micro-grids that you may see, by address "
        "(as `households`). Under a list of grids every node's page is read in one query."
    )
    async def households(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated[Household, strawberry.lazy("schema.types.households")]]:
        from schema.types.households import Household

        size = page_size(first, info.context.config.max_page_size)
        page = await info.context.loaders.households_of_grid.load((self.id, size, after))
        nodes = [Household.of(row, visible) for row, visible in page.items]
        return connection(page, nodes, self._count(info))

    def _count(self, info: Info) -> Callable[[], Awaitable[int]]:
        async def run() -> int:
            return await info.context.loaders.household_count_of_grid.load(self.id)

        return run

    @staticmethod
    def of(row: models.Grid) -> Grid:
        return Grid(
            id=row.id,
            name=row.name,
            level=row.level,
            parent_id=row.parent_id,
            updated_at=row.updated_at,
            sort_order=row.sort_order,
        )


@strawberry.type(description="定岗定责: one account's role on one grid node, covering its subtree.")
class GridPost:
    id: uuid.UUID
    role: PostRole
    grid_id: uuid.UUID
    account_id: uuid.UUID

    @strawberry.field
    async def grid(self, info: Info) -> Grid | None:
        row = await info.context.loaders.grid.load(self.grid_id)
        return Grid.of(row) if row else None

    @strawberry.field
    async def account(self, info: Info) -> Account | None:
        row = await info.context.loaders.account.load(self.account_id)
        return Account.of(row) if row else None

    @staticmethod
    def of(row: models.GridPost) -> GridPost:
        return GridPost(id=row.id, role=row.role, grid_id=row.grid_id, account_id=row.account_id)
