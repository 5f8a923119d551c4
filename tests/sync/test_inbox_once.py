"""A sync conflict is resolved once: a second resolution answers CONFLICT, even in a race.

Otherwise the inbox would record one decision while the resident's data holds another.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from domain.database import Database
from domain.errors import Conflict
from domain.models import Resident, SyncConflict
from domain.services.principals import load_principal
from sync import inbox
from sync.collections import COLLECTIONS
from sync.declaration import Actor
from tests.api_client import Api
from tests.sync.client import Phone, edited, row
from tests.world import CIPHER, World

RESOLVE = """mutation($id: UUID!, $r: ConflictResolution!, $v: JSON) {
  resolveSyncConflict(conflictId: $id, resolution: $r, value: $v) {
    __typename ... on SyncConflict { resolution } ... on Error { code message } } }"""
INBOX = "query { syncConflicts { id } }"


async def _name_conflict(api: Api, world: World) -> str:
    """Two phones rename H1a-y differently from the same base: one open conflict."""
    one = Phone(api, await api.login("member1a"))
    two = Phone(api, await api.login("chief1"))
    base = next(doc for doc in await one.pull_all("resident") if doc["name"] == "H1a-y")
    await two.push("resident", [row(edited(base, name="王二"), base)])
    await one.push("resident", [row(edited(base, name="王三"), base)])
    [conflict] = (await api.ok(INBOX, token=await api.login("chief1")))["syncConflicts"]
    return str(conflict["id"])


async def _stored(database: Database, world: World, conflict_id: str) -> tuple[Any, str]:
    async with database.read() as session:
        record = await session.get(SyncConflict, uuid.UUID(conflict_id))
        resident = await session.get(Resident, world.residents["H1a-y"])
        assert record is not None and resident is not None
        return record.resolved_value, resident.name


async def test_a_resolved_conflict_answers_conflict_and_keeps_the_first_decision(
    api: Api, world: World, database: Database
) -> None:
    conflict = await _name_conflict(api, world)
    chief = await api.login("chief1")
    first = await api.ok(RESOLVE, {"id": conflict, "r": "ENTER_VALUE", "v": "王二三"}, chief)
    assert first["resolveSyncConflict"]["resolution"] == "enter_value"
    for again in ({"r": "TAKE_DEVICE"}, {"r": "ENTER_VALUE", "v": "王四"}, {"r": "KEEP_SERVER"}):
        second = await api.ok(RESOLVE, {"id": conflict, **again}, chief)
        assert second["resolveSyncConflict"]["code"] == "CONFLICT", second
    assert await _stored(database, world, conflict) == ("王二三", "王二三")


async def test_two_racing_resolutions_settle_it_once(
    api: Api, world: World, database: Database
) -> None:
    conflict = await _name_conflict(api, world)
    chief = await api.login("chief1")
    admin = await api.login("admin")
    answers = await asyncio.gather(
        api.ok(RESOLVE, {"id": conflict, "r": "ENTER_VALUE", "v": "甲"}, chief),
        api.ok(RESOLVE, {"id": conflict, "r": "ENTER_VALUE", "v": "乙"}, admin),
    )
    kinds = sorted(a["resolveSyncConflict"]["__typename"] for a in answers)
    assert kinds == ["ConflictError", "SyncConflict"], answers
    resolved_value, name = await _stored(database, world, conflict)
    assert resolved_value == name and name in ("甲", "乙")


async def test_a_resolution_waiting_on_the_lock_sees_the_first_and_refuses(
    api: Api, world: World, database: Database
) -> None:
    """Two sessions, deterministically: the second starts while the first holds the row."""
    conflict = uuid.UUID(await _name_conflict(api, world))

    async def actor(username: str) -> Actor:
        async with database.read() as session:
            principal = await load_principal(session, world.accounts[username])
        assert principal is not None
        return Actor(principal, CIPHER)

    first, second = await actor("chief1"), await actor("admin")
    started = asyncio.Event()

    async def late() -> None:
        async with database.transaction() as session:
            started.set()
            await inbox.resolve(session, second, COLLECTIONS, conflict, "enter_value", "乙")

    async with database.transaction() as session:
        await inbox.resolve(session, first, COLLECTIONS, conflict, "enter_value", "甲")
        racing = asyncio.create_task(late())
        await asyncio.sleep(0.3)
        assert not racing.done()  # waiting for the first to commit
    with pytest.raises(Conflict):
        await racing
    assert started.is_set()
    async with database.read() as session:
        name = await session.scalar(
            select(Resident.name).where(Resident.id == world.residents["H1a-y"])
        )
    assert name == "甲"
