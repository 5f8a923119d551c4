"""Loading the principal: one statement per request, and the kept grid tree never stale.

The tree a post covers is kept per process; the statement that loads the account reads the
tree's version, so a node added or deleted by any process is covered (or no longer) at the
asker's next request, and an unchanged tree costs no statement at all.
"""

from __future__ import annotations

from domain.database import Database
from domain.principal import Principal
from domain.services import grids
from domain.services.principals import load_principal
from tests.schema.test_statement_count import counting_statements
from tests.world import World, _admin


async def _load(db: Database, world: World, name: str) -> tuple[Principal, list[str]]:
    with counting_statements(db) as seen:
        async with db.read() as session:
            principal = await load_principal(session, world.accounts[name], keep_tree=True)
    assert principal is not None
    return principal, [s for s in seen if s.lstrip().upper().startswith("SELECT")]


async def test_a_staff_member_loads_in_one_statement_once_the_tree_is_kept(
    database: Database, world: World
) -> None:
    first, _ = await _load(database, world, "chief1")
    again, statements = await _load(database, world, "chief1")
    assert len(statements) == 1, statements
    assert again == first
    assert again.covered_grid_ids == {world.grids[k] for k in ("G1", "M1a", "M1b")}
    assert again.post_grid_ids == {world.grids["G1"]}


async def test_a_node_added_or_deleted_is_seen_by_the_next_load(
    database: Database, world: World
) -> None:
    before, _ = await _load(database, world, "chief1")
    admin = _admin(world.community, world.accounts["admin"])
    async with database.transaction() as session:
        added = (
            await grids.create_grid(session, admin, name="新楼", parent_id=world.grids["G1"])
        ).id
    covering, statements = await _load(database, world, "chief1")
    assert covering.covered_grid_ids == before.covered_grid_ids | {added}
    assert len(statements) == 2  # the account, then the changed tree once
    async with database.transaction() as session:
        await grids.delete_grid(session, admin, added)
    after, _ = await _load(database, world, "chief1")
    assert after.covered_grid_ids == before.covered_grid_ids


async def test_a_tree_read_inside_a_writers_transaction_is_not_kept(
    database: Database, world: World
) -> None:
    """A writer sees its own new node; were that tree kept and the write rolled back, a later
    commit could reach the same version with another node."""
    admin = _admin(world.community, world.accounts["admin"])
    before, _ = await _load(database, world, "chief1")

    class Undone(Exception):
        pass

    try:
        async with database.transaction() as session:
            await grids.create_grid(session, admin, name="未建", parent_id=world.grids["G1"])
            inside = await load_principal(session, world.accounts["chief1"])
            assert inside is not None and len(inside.covered_grid_ids) == 4
            raise Undone
    except Undone:
        pass
    async with database.transaction() as session:
        built = await grids.create_grid(session, admin, name="新建", parent_id=world.grids["G1"])
    after, _ = await _load(database, world, "chief1")
    assert after.covered_grid_ids == before.covered_grid_ids | {built.id}


async def test_another_communitys_tree_is_kept_apart(database: Database, world: World) -> None:
    chief, _ = await _load(database, world, "chief1")
    other, statements = await _load(database, world, "staff-b")
    assert other.covered_grid_ids == {world.grids["MB"]}
    assert not other.covered_grid_ids & chief.covered_grid_ids
    assert len(statements) == 2
