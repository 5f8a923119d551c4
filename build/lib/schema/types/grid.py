"""The grid tree (网格), its posts (定岗定责) and the staff who hold them."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum

import strawberry

from domain import models
from schema.context import Info

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

    @strawberry.field
    async def parent(self, info: Info) -> Grid | None:
        if self.parent_id is None:
            return None
        row = await info.context.loaders.grid.load(self.parent_id)
        return Grid.of(row) if row else None

    @strawberry.field
    async def children(self, info: Info) -> list[Grid]:
        return [Grid.of(row) for row in await info.context.loaders.children_of_grid.load(self.id)]

    @staticmethod
    def of(row: models.Grid) -> Grid:
        return Grid(
            id=row.id,
            name=row.name,
            level=row.level,
            parent_id=row.parent_id,
            updated_at=row.updated_at,
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
