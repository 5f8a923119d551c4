"""Refused rows and their notices are kept, but not forever: each device keeps its newest
(``CHANGLANG_SYNC_REFUSED_PER_DEVICE``), and compaction removes those past the retention
(``CHANGLANG_SYNC_REFUSED_RETENTION_DAYS``); a phone holding a notice learns to drop it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from api.settings import Settings, SettingsError
from domain.database import Database
from domain.models import DeviceNotice, RefusedPush
from domain.models.base import utcnow
from sync.compaction import compact_all
from tests.api_client import Api, api_for
from tests.api_client import test_settings as settings_with
from tests.schema.test_statement_count import counting_statements
from tests.sync.client import Phone, new_id, row
from tests.world import World

CAP = 3


@pytest.fixture
async def capped(database: Database) -> AsyncIterator[Api]:
    api = api_for(database, settings_with(sync_refused_per_device=CAP))
    try:
        yield api
    finally:
        await api.client.aclose()


def _refused_note(world: World) -> dict[str, Any]:
    """A note for a household the phone does not cover: refused, with a notice."""
    return {
        "id": new_id(),
        "householdId": str(world.households["H2a"]),
        "category": "need",
        "text": "不归我管",
        "followUp": False,
        "deleted": False,
    }


async def _kept(database: Database) -> tuple[set[str], set[str], int]:
    """Refused rows' documents, live refusal notices' documents, retired notices."""
    async with database.read() as session:
        rows = set(await session.scalars(select(RefusedPush.document_id)))
        notices = await session.execute(select(DeviceNotice.document_id, DeviceNotice.deleted))
    found = list(notices)
    live = {str(doc) for doc, deleted in found if not deleted}
    return rows, live, sum(1 for _, deleted in found if deleted)


async def test_a_device_keeps_its_newest_refused_rows_and_notices(
    capped: Api, world: World, database: Database
) -> None:
    phone = Phone(capped, await capped.login("member1a"))
    first = [_refused_note(world) for _ in range(5)]
    assert len(await phone.push("visitNote", [row(doc) for doc in first])) == 5
    rows, live, retired = await _kept(database)
    assert len(rows) == CAP and live == rows and retired == 5 - CAP
    pulled = await phone.pull_all("deviceNotice")
    assert {doc["documentId"] for doc in pulled if not doc["deleted"]} == rows

    later = [_refused_note(world) for _ in range(2)]
    await phone.push("visitNote", [row(doc) for doc in later])
    rows, live, retired = await _kept(database)
    newest = {doc["id"] for doc in later}
    assert len(rows) == CAP and newest <= rows and rows <= {d["id"] for d in first} | newest
    assert live == rows and retired == 5 + 2 - CAP
    pulled = await phone.pull_all("deviceNotice")  # the phone learns which to drop
    assert sorted(doc["deleted"] for doc in pulled) == [False, False, True, True]
    assert {doc["documentId"] for doc in pulled if not doc["deleted"]} == newest

    other = Phone(capped, await capped.login("chief1"))  # another device keeps its own
    await other.push("visitNote", [row(_refused_note(world))])
    assert len((await _kept(database))[0]) == CAP + 1


async def test_trimming_costs_the_same_statements_however_many_go(
    capped: Api, world: World, database: Database
) -> None:
    roomy = api_for(database, settings_with(sync_refused_per_device=1000))
    try:
        many = await roomy.login("member1a")
        await Phone(roomy, many).push("visitNote", [row(_refused_note(world)) for _ in range(40)])
    finally:
        await roomy.client.aclose()
    few = Phone(capped, await capped.login("chief1"))
    await few.push("visitNote", [row(_refused_note(world)) for _ in range(CAP + 1)])
    costs = []
    for phone in (Phone(capped, many), few):  # 40 + 2 - CAP rows to trim, then 2
        with counting_statements(database) as statements:
            await phone.push("visitNote", [row(_refused_note(world)) for _ in range(2)])
        costs.append(len(statements))
    assert costs[0] == costs[1]
    rows, live, retired = await _kept(database)
    assert len(rows) == len(live) == 2 * CAP and retired == 40 + 2 + CAP + 1 + 2 - 2 * CAP


async def test_compaction_removes_refused_rows_past_their_retention(
    api: Api, world: World, database: Database
) -> None:
    phone = Phone(api, await api.login("member1a"))
    old = [_refused_note(world) for _ in range(4)]
    await phone.push("visitNote", [row(doc) for doc in old])
    await phone.pull_all("deviceNotice")
    async with database.transaction() as session:
        for model in (RefusedPush, DeviceNotice):
            await session.execute(update(model).values(created_at=utcnow() - timedelta(days=8)))
    recent = _refused_note(world)
    await phone.push("visitNote", [row(recent)])

    done = await compact_all(database, refused_retention=timedelta(days=7))
    assert done.refusals == 4
    rows, live, retired = await _kept(database)
    assert rows == live == {recent["id"]} and retired == 4
    pulled = await phone.pull_all("deviceNotice")
    assert {doc["documentId"] for doc in pulled if doc["deleted"]} == {d["id"] for d in old}
    assert (await compact_all(database, refused_retention=timedelta(days=7))).refusals == 0


def test_the_retention_and_the_cap_are_settings(tmp_path: Path) -> None:
    names = ("CHANGLANG_SYNC_REFUSED_RETENTION_DAYS", "CHANGLANG_SYNC_REFUSED_PER_DEVICE")
    env = {"CHANGLANG_DATA_DIR": str(tmp_path), names[0]: "7", names[1]: "50"}
    settings = Settings.from_env(env)
    assert settings.sync_refused_retention == timedelta(days=7)
    assert settings.sync_refused_per_device == 50
    assert (
        Settings().sync_refused_retention_days == 30 and Settings().sync_refused_per_device == 200
    )
    for name in names:
        with pytest.raises(SettingsError):
            Settings.from_env({**env, name: "0"})
