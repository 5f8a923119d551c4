"""Every write to a synced row gets a fresh change position, in commit order, per community."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from domain.database import Database
from domain.models import AccountKind, ChangeCounter, Grid
from domain.principal import Principal
from domain.services import accounts, grids


async def _community_and_admin(db: Database) -> Principal:
    async with db.transaction() as session:
        community = await accounts.create_community(session, "浩宇苑社区")
        admin = await accounts.create_staff_account(
            session,
            community.id,
            username="admin",
            password="x" * 12,
            display_name="书记",
            admin=True,
            password_hash="not-used",
        )
    return Principal(account_id=admin.id, community_id=community.id, kind=AccountKind.ADMIN)


async def test_each_write_moves_the_row_past_every_earlier_write(database: Database) -> None:
    admin = await _community_and_admin(database)
    async with database.transaction() as session:
        first = await grids.create_grid(session, admin, name="一网格", parent_id=None)
        second = await grids.create_grid(session, admin, name="二网格", parent_id=None)
    assert 0 < first.position < second.position
    async with database.transaction() as session:
        renamed = await grids.update_grid(session, admin, first.id, {"name": "第一网格"})
    assert renamed.position > second.position


async def test_a_flush_with_no_real_change_takes_no_position(database: Database) -> None:
    admin = await _community_and_admin(database)
    async with database.transaction() as session:
        grid = await grids.create_grid(session, admin, name="一网格", parent_id=None)
    async with database.transaction() as session:
        same = await grids.update_grid(session, admin, grid.id, {"name": "一网格"})
        counter = await session.get(ChangeCounter, admin.community_id)
    assert same.position == grid.position
    assert counter is not None and counter.last_position == grid.position


async def test_concurrent_writers_get_distinct_positions_in_commit_order(
    database: Database,
) -> None:
    admin = await _community_and_admin(database)

    async def write(n: int) -> None:
        async with database.transaction() as session:
            await grids.create_grid(session, admin, name=f"网格{n}", parent_id=None)

    await asyncio.gather(*(write(n) for n in range(20)))
    async with database.read() as session:
        rows = list(await session.scalars(select(Grid).order_by(Grid.position)))
    positions = [row.position for row in rows]
    assert len(set(positions)) == 20
    assert positions == list(range(positions[0], positions[0] + 20))
