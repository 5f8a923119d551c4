"""Devices: a revoked phone is refused at once; tombstone compaction never strands a phone."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from domain.database import Database
from domain.models import DeviceSync, Household
from domain.models.base import utcnow
from sync.collections import COLLECTIONS
from sync.devices import compact
from tests.api_client import Api
from tests.sync.client import Phone, pull_query, push_query
from tests.sync.seed import add_households, delete_households
from tests.world import World

LOGIN = """mutation { login(username: "member1a", password: "correct-horse-battery",
  deviceName: "phone") { ... on AuthSession { accessToken deviceId } } }"""
REVOKE = """mutation($id: UUID!) { revokeDevice(deviceId: $id) { __typename } }"""


async def test_a_revoked_phone_can_pull_and_push_nothing(api: Api, world: World) -> None:
    session = (await api.ok(LOGIN))["login"]
    phone = Phone(api, session["accessToken"])
    assert await phone.pull_all("household")
    await api.ok(REVOKE, {"id": session["deviceId"]}, session["accessToken"])
    pulled = await api.post(pull_query("household"), {"limit": 5}, phone.token)
    pushed = await api.post(push_query("visitNote"), {"visitNotePushRow": []}, phone.token)
    assert pulled["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert pushed["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_pulls_record_what_each_device_acknowledged(
    api: Api, world: World, database: Database
) -> None:
    phone = Phone(api, await api.login("member1a"))
    await phone.pull_all("household")
    await phone.pull("household")
    async with database.read() as session:
        row = await session.scalar(select(DeviceSync).where(DeviceSync.collection == "household"))
    checkpoint = phone.checkpoints["household"]
    assert row is not None and checkpoint is not None
    assert row.position == checkpoint["updatedAt"]


async def test_compaction_keeps_tombstones_an_active_phone_has_not_seen(
    api: Api, world: World, database: Database
) -> None:
    ids = await add_households(database, world, "M1a", 4, residents=0)
    phone = Phone(api, await api.login("member1a"))
    await phone.pull_all("household")
    await phone.pull("household")  # acknowledges everything so far
    await delete_households(database, ids[:2])
    async with database.transaction() as session:
        assert await compact(session, world.community, COLLECTIONS["household"]) == 0
    deleted = [doc for doc in await phone.pull_all("household") if doc["deleted"]]
    assert len(deleted) == 2  # still there for the phone
    await phone.pull("household")
    async with database.transaction() as session:
        assert await compact(session, world.community, COLLECTIONS["household"]) == 2
    async with database.read() as session:
        left = await session.scalar(select(func.count(Household.id)).where(Household.deleted))
    assert left == 0


async def test_a_phone_offline_past_the_retention_window_is_told_to_resync(
    api: Api, world: World, database: Database
) -> None:
    ids = await add_households(database, world, "M1a", 3, residents=0)
    stale = Phone(api, await api.login("member1a"))
    await stale.pull_all("household")
    await delete_households(database, ids)
    async with database.transaction() as session:
        await session.execute(update(DeviceSync).values(synced_at=utcnow() - timedelta(days=60)))
        assert await compact(session, world.community, COLLECTIONS["household"]) == 3
    body = await stale.pull_raw("household", 10, stale.checkpoints["household"])
    assert body["errors"][0]["extensions"]["code"] == "RESYNC_REQUIRED"
    notices = await stale.pull_all("deviceNotice")
    assert [(n["kind"], n["collection"]) for n in notices] == [("resync_required", "household")]
    stale.checkpoints.pop("household")
    fresh = await stale.pull_all("household")
    assert {doc["id"] for doc in fresh}.isdisjoint({str(i) for i in ids})
