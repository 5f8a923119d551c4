"""Commit listeners hear of every committed write to a synced table, and of nothing else."""

from __future__ import annotations

import pytest

from domain.changes import Change
from domain.database import Database
from domain.models import Device, Household, Resident
from tests.world import World


@pytest.fixture
def heard(database: Database) -> list[frozenset[Change]]:
    found: list[frozenset[Change]] = []

    async def listen(changes: frozenset[Change]) -> None:
        found.append(changes)

    database.on_commit(listen)
    return found


async def test_a_commit_announces_each_synced_table_it_wrote_once(
    database: Database, world: World, heard: list[frozenset[Change]]
) -> None:
    async with database.transaction() as session:
        for key in ("H1a-x", "H1a-y"):
            row = await session.get(Resident, world.residents[key])
            assert row is not None
            row.name += "·"
        await session.flush()
        household = await session.get(Household, world.households["H1a"])
        assert household is not None
        household.room = "202"
    assert heard == [
        frozenset({Change(world.community, "resident"), Change(world.community, "household")})
    ]


async def test_a_rollback_announces_nothing(
    database: Database, world: World, heard: list[frozenset[Change]]
) -> None:
    with pytest.raises(RuntimeError):
        async with database.transaction() as session:
            row = await session.get(Resident, world.residents["H1a-x"])
            assert row is not None
            row.name = "回滚"
            await session.flush()
            raise RuntimeError("the mutation failed")
    assert heard == []


async def test_a_household_move_announces_the_rows_that_move_with_it(
    database: Database, world: World, heard: list[frozenset[Change]]
) -> None:
    async with database.transaction() as session:
        household = await session.get(Household, world.households["H1a"])
        assert household is not None
        household.grid_id = world.grids["M1b"]
    tables = {change.table for change in heard[0]}
    assert {"household", "resident", "visit_note", "sync_departure"} <= tables


async def test_writes_to_unsynced_rows_announce_nothing(
    database: Database, world: World, heard: list[frozenset[Change]]
) -> None:
    async with database.transaction() as session:
        session.add(
            Device(community_id=world.community, account_id=world.accounts["chief1"], name="p")
        )
    assert heard == []


async def test_a_failing_listener_neither_fails_the_commit_nor_silences_the_others(
    database: Database, world: World, heard: list[frozenset[Change]]
) -> None:
    async def broken(_changes: frozenset[Change]) -> None:
        raise ConnectionError("the event bus is down")

    database.listeners.insert(0, broken)
    async with database.transaction() as session:
        row = await session.get(Resident, world.residents["H1a-x"])
        assert row is not None
        row.name = "照常"
    assert len(heard) == 1
    async with database.read() as session:
        found = await session.get(Resident, world.residents["H1a-x"])
        assert found is not None and found.name == "照常"
