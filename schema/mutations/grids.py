"""The admin's changes to the grid tree, staff accounts and posts."""

from __future__ import annotations

import uuid

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from domain.services import accounts, grid_order, grids, posts
from schema.context import Info
from schema.errors import result_union
from schema.mutations.transaction import Deleted, in_transaction
from schema.types.grid import Account, Grid, GridPost, PostRole

GridResult = result_union("GridChangeResult", Grid)


@strawberry.type(description="The children of one grid node in their new order.")
class GridOrder:
    parent_id: uuid.UUID | None
    grids: list[Grid]


GridOrderResult = result_union("GridOrderResult", GridOrder)
DeleteResult = result_union("DeleteResult", Deleted)
PostResult = result_union("GridPostResult", GridPost)
AccountResult = result_union("AccountResult", Account)


@strawberry.type
class GridMutations:
    @strawberry.mutation(description="A grid (no parent) or a micro-grid (parent: a grid).")
    async def create_grid(
        self, info: Info, name: str, parent_id: uuid.UUID | None = None
    ) -> GridResult:
        async def work(session: AsyncSession) -> Grid:
            row = await grids.create_grid(
                session, info.context.principal, name=name, parent_id=parent_id
            )
            return Grid.of(row)

        return await in_transaction(info, work)

    @strawberry.mutation
    async def rename_grid(self, info: Info, id: uuid.UUID, name: str) -> GridResult:
        async def work(session: AsyncSession) -> Grid:
            row = await grids.update_grid(session, info.context.principal, id, {"name": name})
            return Grid.of(row)

        return await in_transaction(info, work)

    @strawberry.mutation(
        description="Put the children of a grid node (parentId; null: the top grids) in the "
        "order of ids, which lists each of them exactly once; an empty list takes the order "
        "away, so that they sort by name again (numerals read as numbers). The admin may "
        "reorder any node's children; staff those of a node their post covers."
    )
    async def reorder_grids(
        self, info: Info, parent_id: uuid.UUID | None, ids: list[uuid.UUID]
    ) -> GridOrderResult:
        async def work(session: AsyncSession) -> GridOrder:
            rows = await grid_order.reorder_grids(session, info.context.principal, parent_id, ids)
            return GridOrder(parent_id=parent_id, grids=[Grid.of(row) for row in rows])

        return await in_transaction(info, work)

    @strawberry.mutation(description="Only an empty node: no children, households or posts.")
    async def delete_grid(self, info: Info, id: uuid.UUID) -> DeleteResult:
        async def work(session: AsyncSession) -> Deleted:
            row = await grids.delete_grid(session, info.context.principal, id)
            return Deleted(id=strawberry.ID(str(row.id)))

        return await in_transaction(info, work)

    @strawberry.mutation(description="A staff (or, with admin: true, an admin) account.")
    async def create_staff_account(
        self,
        info: Info,
        username: str,
        password: str,
        display_name: str,
        admin: bool = False,
    ) -> AccountResult:
        async def work(session: AsyncSession) -> Account:
            row = await accounts.create_staff(
                session,
                info.context.principal,
                username=username,
                password=password,
                display_name=display_name,
                admin=admin,
            )
            return Account.of(row)

        return await in_transaction(info, work)

    @strawberry.mutation(
        description="定岗: give a staff account a role on a grid node. 包联社区干部 (CADRE), "
        "网格长, 副网格长 and 网格员 hold posts on a grid, 红色微网格员 on a micro-grid; any other "
        "level answers WRONG_GRID_LEVEL."
    )
    async def create_grid_post(
        self,
        info: Info,
        account_id: uuid.UUID,
        grid_id: uuid.UUID,
        role: PostRole,
    ) -> PostResult:
        async def work(session: AsyncSession) -> GridPost:
            row = await posts.create_post(
                session, info.context.principal, account_id=account_id, grid_id=grid_id, role=role
            )
            return GridPost.of(row)

        return await in_transaction(info, work)

    @strawberry.mutation(description="Withdraw a post; its households become uncovered.")
    async def delete_grid_post(self, info: Info, id: uuid.UUID) -> DeleteResult:
        async def work(session: AsyncSession) -> Deleted:
            row = await posts.delete_post(session, info.context.principal, id)
            return Deleted(id=strawberry.ID(str(row.id)))

        return await in_transaction(info, work)
