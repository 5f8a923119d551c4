"""A row moving between grids: old-grid phones lose it, new-grid phones receive it.

A household re-gridded takes its residents and visit notes with it; a resident re-housed in
another grid moves alone. Neither the volunteers' posts nor the phones' checkpoints change.
"""

from __future__ import annotations

import uuid
from typing import Any

from domain.database import Database
from domain.models import AccountKind
from domain.principal import Principal
from domain.services import households, residents
from tests.api_client import Api
from tests.sync.client import Phone, new_id, row
from tests.sync.seed import add_households
from tests.world import CIPHER, World

COLLECTIONS = ("household", "resident", "visitNote")


def _admin(world: World) -> Principal:
    return Principal(
        account_id=world.accounts["admin"], community_id=world.community, kind=AccountKind.ADMIN
    )


class Replica:
    """What a phone holds, per collection, after applying its pulls."""

    def __init__(self, phone: Phone) -> None:
        self.phone = phone
        self.held: dict[str, dict[str, dict[str, Any]]] = {c: {} for c in COLLECTIONS}

    async def sync(self, limit: int = 100) -> dict[str, list[dict[str, Any]]]:
        received: dict[str, list[dict[str, Any]]] = {}
        for collection in COLLECTIONS:
            received[collection] = await self.phone.pull_all(collection, limit)
            for doc in received[collection]:
                if doc["deleted"]:
                    self.held[collection].pop(doc["id"], None)
                else:
                    self.held[collection][doc["id"]] = doc
        return received

    def ids(self, collection: str) -> set[str]:
        return set(self.held[collection])


async def _note(phone: Phone, household: uuid.UUID) -> str:
    note = {
        "id": new_id(),
        "householdId": str(household),
        "category": "need",
        "text": "楼道灯坏了",
        "followUp": True,
        "deleted": False,
    }
    assert await phone.push("visitNote", [row(note)]) == []
    return str(note["id"])


async def test_a_household_moved_to_another_grid_leaves_old_phones_and_reaches_new_ones(
    api: Api, world: World, database: Database
) -> None:
    await add_households(database, world, "M1a", 30, residents=2)  # bulk to page past
    old = Replica(Phone(api, await api.login("member1a")))
    new = Replica(Phone(api, await api.login("chief2")))
    moving = world.households["H1a"]
    note = await _note(old.phone, moving)
    await old.sync(limit=7)
    await new.sync(limit=7)
    people = {str(world.residents["H1a-x"]), str(world.residents["H1a-y"])}
    assert str(moving) in old.ids("household") and people <= old.ids("resident")
    assert note in old.ids("visitNote")
    assert str(moving) not in new.ids("household") and not people & new.ids("resident")

    async with database.transaction() as session:
        await households.update_household(
            session, _admin(world), moving, {"grid_id": world.grids["M2a"]}
        )

    lost = await old.sync(limit=7)
    assert str(moving) not in old.ids("household")
    assert not people & old.ids("resident") and note not in old.ids("visitNote")
    # O(changes): only the departures come down, bare, not the 30 households' residents again
    assert {d["id"] for d in lost["household"]} == {str(moving)}
    assert {d["id"] for d in lost["resident"]} == people
    assert {d["id"] for d in lost["visitNote"]} == {note}
    assert all(d["deleted"] and d["name"] is None for d in lost["resident"])
    assert str(world.households["H1a2"]) in old.ids("household")  # the rest stays

    got = await new.sync(limit=7)
    assert new.held["household"][str(moving)]["gridId"] == str(world.grids["M2a"])
    assert people <= new.ids("resident") and note in new.ids("visitNote")
    assert {d["id"] for d in got["resident"]} == people
    assert {d["id"] for d in got["visitNote"]} == {note}

    for replica in (old, new):  # settled: nothing more to pull
        assert all(pulled == [] for pulled in (await replica.sync()).values())
    fresh = Replica(Phone(api, await api.login("chief2")))
    await fresh.sync()
    assert fresh.ids("resident") == new.ids("resident")
    assert fresh.ids("visitNote") == new.ids("visitNote")


async def test_a_resident_moved_to_a_household_in_another_grid_moves_alone(
    api: Api, world: World, database: Database
) -> None:
    old = Replica(Phone(api, await api.login("member1a")))
    new = Replica(Phone(api, await api.login("chief2")))
    await old.sync()
    await new.sync()
    mover = str(world.residents["H1a2-x"])
    async with database.transaction() as session:
        await residents.update_resident(
            session,
            _admin(world),
            CIPHER,
            world.residents["H1a2-x"],
            {"household_id": world.households["H2a"]},
        )
    lost = await old.sync()
    assert [d["id"] for d in lost["resident"]] == [mover] and lost["resident"][0]["deleted"]
    assert lost["household"] == [] and lost["visitNote"] == []
    assert str(world.residents["H1a2-y"]) in old.ids("resident")
    got = await new.sync()
    assert [d["id"] for d in got["resident"]] == [mover]
    assert new.held["resident"][mover]["householdId"] == str(world.households["H2a"])


async def test_moving_within_a_phones_own_grids_removes_nothing_from_it(
    api: Api, world: World, database: Database
) -> None:
    chief = Replica(Phone(api, await api.login("chief1")))  # covers M1a and M1b
    await chief.sync()
    before = {c: chief.ids(c) for c in COLLECTIONS}
    async with database.transaction() as session:
        await households.update_household(
            session, _admin(world), world.households["H1a"], {"grid_id": world.grids["M1b"]}
        )
    got = await chief.sync()
    assert not any(d["deleted"] for docs in got.values() for d in docs)
    assert {c: chief.ids(c) for c in COLLECTIONS} == before
