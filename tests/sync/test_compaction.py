"""Compaction of a whole database: tombstones and departure records every device has passed
go, and no phone is stranded (a phone left behind is told, once, and its resync completes)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update

from api.app import create_app
from api.compaction_task import TASK_NAME
from domain.database import Database
from domain.models import DeviceNotice, DeviceSync, Household, SyncDeparture, SyncPushReceipt
from domain.models.base import utcnow
from sync.compaction import compact_all
from sync.devices import RETENTION
from tests.api_client import Api
from tests.api_client import test_settings as settings_with
from tests.sync.client import Phone, edited, row
from tests.sync.seed import add_households, delete_households
from tests.world import World


async def _count(database: Database, model: Any, *where: Any) -> int:
    async with database.read() as session:
        found = await session.scalar(select(func.count()).select_from(model).where(*where))
        return int(found or 0)


async def _age_devices(database: Database, days: int = 60) -> None:
    async with database.transaction() as session:
        await session.execute(update(DeviceSync).values(synced_at=utcnow() - timedelta(days=days)))


async def test_a_first_sync_after_a_compaction_completes_page_by_page(
    api: Api, world: World, database: Database
) -> None:
    """Its checkpoints pass below the purge line page by page; it holds nothing stale."""
    ids = await add_households(database, world, "M1a", 30, residents=0)
    await delete_households(database, ids[:5])
    assert (await compact_all(database)).tombstones == 5
    phone = Phone(api, await api.login("member1a"))
    got = await phone.pull_all("household", limit=4)
    assert len(got) == 25 + 2  # the live seeded ones and the world's two in M1a
    assert not [doc for doc in got if doc["deleted"]]


async def test_a_phone_left_behind_is_told_once_and_its_resync_completes(
    api: Api, world: World, database: Database
) -> None:
    ids = await add_households(database, world, "M1a", 12, residents=0)
    stale = Phone(api, await api.login("member1a"))
    await stale.pull_all("household", limit=5)
    await delete_households(database, ids[:3])
    await _age_devices(database)
    assert (await compact_all(database)).tombstones == 3
    await add_households(database, world, "M1a", 1, residents=0, prefix="T")
    await delete_households(database, ids[3:4])
    await compact_all(database)  # again, as the periodic task does: no second notice
    body = await stale.pull_raw("household", 5, stale.checkpoints["household"])
    assert body["errors"][0]["extensions"]["code"] == "RESYNC_REQUIRED"
    assert await _count(database, DeviceNotice, DeviceNotice.kind == "resync_required") == 1
    stale.checkpoints.pop("household")
    fresh = await stale.pull_all("household", limit=3)  # from scratch, page by page
    assert {doc["id"] for doc in fresh}.isdisjoint({str(i) for i in ids[:4]})
    assert len(fresh) == 8 + 1 + 2
    assert await stale.pull("household") == []


async def test_a_new_device_presenting_an_old_checkpoint_is_told_to_resync(
    api: Api, world: World, database: Database
) -> None:
    """A phone logged in again keeps its data under a new device id: only the position it
    presents tells whether it may hold what was purged."""
    ids = await add_households(database, world, "M1a", 6, residents=0)
    before = Phone(api, await api.login("member1a"))
    await before.pull_all("household", limit=3)
    old = before.checkpoints["household"]
    await delete_households(database, ids[:2])
    await _age_devices(database)
    await compact_all(database)
    again = Phone(api, await api.login("member1a"))
    body = await again.pull_raw("household", 3, old)
    assert body["errors"][0]["extensions"]["code"] == "RESYNC_REQUIRED"
    await add_households(database, world, "M1a", 1, residents=0, prefix="T")
    current = Phone(api, await api.login("member1a"))
    await current.pull_all("household")
    later = Phone(api, await api.login("member1a"))  # presents a checkpoint past the purge
    body = await later.pull_raw("household", 3, current.checkpoints["household"])
    assert "errors" not in body, body


async def test_departure_records_go_once_every_device_has_passed_them(
    api: Api, world: World, database: Database
) -> None:
    phone = Phone(api, await api.login("member1a"))
    collections = ("household", "resident", "visitNote")
    for name in collections:
        await phone.pull_all(name)
    async with database.transaction() as session:
        household = await session.get(Household, world.households["H1a"])
        assert household is not None
        household.grid_id = world.grids["M2a"]
    moved = await _count(database, SyncDeparture)
    assert moved == 1
    assert (await compact_all(database)).departures == 0  # the phone has not seen it yet
    for _ in range(2):  # the second pull acknowledges what the first brought
        for name in collections:
            await phone.pull_all(name)
    assert (await compact_all(database)).departures == 1
    assert await _count(database, SyncDeparture) == 0


async def test_push_receipts_are_forgotten_after_the_retention_window(
    api: Api, world: World, database: Database
) -> None:
    phone = Phone(api, await api.login("member1a"))
    [resident] = [d for d in await phone.pull_all("resident") if d["name"] == "H1a-x"]
    await phone.push("resident", [row(edited(resident, name="改"), resident)])
    assert await _count(database, SyncPushReceipt) == 1
    assert (await compact_all(database)).receipts == 0  # still within the window
    later = utcnow() + RETENTION + timedelta(days=2)
    assert (await compact_all(database, now=later)).receipts == 1
    assert await _count(database, SyncPushReceipt) == 0


async def test_concurrent_compactions_purge_each_tombstone_once(
    world: World, database: Database
) -> None:
    ids = await add_households(database, world, "M1a", 10, residents=0)
    await delete_households(database, ids)
    runs = await asyncio.gather(*(compact_all(database) for _ in range(4)))
    assert sum(run.tombstones for run in runs) == 10
    assert sum(run.communities + run.skipped for run in runs) == 4 * 2
    assert await _count(database, Household, Household.deleted) == 0


async def test_the_server_compacts_periodically_while_it_runs(
    world: World, database: Database
) -> None:
    ids = await add_households(database, world, "M1a", 4, residents=0)
    await delete_households(database, ids)
    app = create_app(settings_with(sync_compact_interval_seconds=1), db=database)
    async with app.router.lifespan_context(app):
        assert [t for t in asyncio.all_tasks() if t.get_name() == TASK_NAME]
        for _ in range(150):  # the first run comes after one interval
            if not await _count(database, Household, Household.deleted):
                break
            await asyncio.sleep(0.1)
        assert await _count(database, Household, Household.deleted) == 0
    assert not [t for t in asyncio.all_tasks() if t.get_name() == TASK_NAME]


async def test_an_interval_of_zero_starts_no_compaction(database: Database) -> None:
    app = create_app(settings_with(sync_compact_interval_seconds=0), db=database)
    async with app.router.lifespan_context(app):
        assert not [t for t in asyncio.all_tasks() if t.get_name() == TASK_NAME]
