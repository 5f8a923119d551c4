"""Pull: keyset pages of exactly ``limit`` while more remain, tombstones included, scope first."""

from __future__ import annotations

import uuid

from domain.database import Database
from tests.api_client import Api
from tests.schema.test_statement_count import counting_statements
from tests.sync.client import Phone, pull_query
from tests.sync.seed import add_households, delete_households
from tests.world import World


async def test_pages_hold_exactly_limit_documents_while_more_remain_tombstones_included(
    api: Api, world: World, database: Database
) -> None:
    mine = await add_households(database, world, "M1a", 23)
    await add_households(database, world, "M2a", 40, prefix="T")  # another grid, interleaved
    phone = Phone(api, await api.login("member1a"))
    assert len(await phone.pull_all("household", limit=10)) == 25  # H1a, H1a2 and 23
    await add_households(database, world, "M1a", 7, prefix="U")
    await add_households(database, world, "M2a", 9, prefix="V")
    await delete_households(database, mine[:5])
    pages: list[int] = []
    seen: list[dict] = []
    while True:
        page = await phone.pull("household", limit=5)
        pages.append(len(page))
        seen.extend(page)
        if len(page) < 5:
            break
    # 7 new and 5 deleted since the first sync: 12 changes
    assert pages == [5, 5, 2]
    assert len({doc["id"] for doc in seen}) == 12
    assert sum(doc["deleted"] for doc in seen) == 5
    positions = [doc["updatedAt"] for doc in seen]
    assert positions == sorted(positions)
    assert all(doc["gridId"] == str(world.grids["M1a"]) for doc in seen if not doc["deleted"])


async def test_a_new_device_is_sent_no_tombstones_of_documents_it_never_held(
    api: Api, world: World, database: Database
) -> None:
    mine = await add_households(database, world, "M1a", 23)
    await delete_households(database, mine[:5])
    phone = Phone(api, await api.login("member1a"))
    pages: list[int] = []
    while True:
        page = await phone.pull("household", limit=10)
        pages.append(len(page))
        assert not any(doc["deleted"] for doc in page)
        if len(page) < 10:
            break
    assert pages == [10, 10, 0]  # H1a, H1a2 and the 18 left


async def test_the_next_pull_brings_only_what_changed(
    api: Api, world: World, database: Database
) -> None:
    phone = Phone(api, await api.login("member1a"))
    await phone.pull_all("household")
    assert await phone.pull("household") == []
    [fresh] = await add_households(database, world, "M1a", 1)
    await add_households(database, world, "M2a", 3)  # not this phone's
    assert [doc["id"] for doc in await phone.pull("household")] == [str(fresh)]


async def test_a_phone_gets_contact_phones_in_full_and_id_numbers_masked(
    api: Api, world: World
) -> None:
    phone = Phone(api, await api.login("member1a"))
    residents = {doc["name"]: doc for doc in await phone.pull_all("resident")}
    assert set(residents) == {"H1a-x", "H1a-y", "H1a2-x", "H1a2-y"}
    assert residents["H1a-x"]["phone"] == "13800000001"
    assert residents["H1a-x"]["idNumber"] == "120104********0011"


async def test_grid_nodes_and_own_posts_are_pulled(api: Api, world: World) -> None:
    phone = Phone(api, await api.login("chief1"))
    grids = {doc["name"] for doc in await phone.pull_all("grid")}
    assert grids == {"G1", "M1a", "M1b"}
    posts = await phone.pull_all("gridPost")
    assert [post["gridId"] for post in posts] == [str(world.grids["G1"])]


async def test_pull_refuses_a_forged_checkpoint_and_an_oversized_limit(
    api: Api, world: World
) -> None:
    phone = Phone(api, await api.login("member1a"))
    forged = {"id": f"{uuid.uuid4()}~deadbeef", "updatedAt": 3.0}
    body = await phone.pull_raw("household", 10, forged)
    assert body["errors"][0]["extensions"]["code"] == "BAD_CHECKPOINT"
    body = await phone.pull_raw("household", 100_000)
    assert body["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"


async def test_sync_needs_a_login(api: Api, world: World) -> None:
    body = await api.post(pull_query("household"), {"checkpoint": None, "limit": 10})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_pull_costs_the_same_statements_for_10_documents_as_for_500(
    api: Api, world: World, database: Database, dialect: str
) -> None:
    await add_households(database, world, "M1a", 500, residents=1)
    token = await api.login("member1a")

    async def statements(limit: int) -> int:
        with counting_statements(database) as seen:
            body = await api.post(
                pull_query("resident"), {"checkpoint": None, "limit": limit}, token
            )
        assert len(body["data"]["pullResident"]["documents"]) == limit
        tombstones = ("FROM sync_departure", "JOIN sync_push_receipt")
        documents = [
            s for s in seen if "FROM resident" in s and not any(t in s for t in tombstones)
        ]
        assert sum("device_holding" in s and "INSERT" in s for s in seen) == 1
        assert len(documents) == 1
        return len(seen)

    await statements(10)  # warm up
    small, large = await statements(10), await statements(500)
    print(f"\n[{dialect}] pull statements: {small} for 10 documents, {large} for 500")
    assert small == large
