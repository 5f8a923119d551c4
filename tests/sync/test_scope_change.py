"""A volunteer moved to another grid: the next pulls bring the new grid and clear the old."""

from __future__ import annotations

from domain.database import Database
from tests.api_client import Api
from tests.sync.client import Phone
from tests.sync.seed import add_households, move_post
from tests.world import World


async def test_moving_a_volunteer_brings_the_new_grid_and_removes_the_old_without_reset(
    api: Api, world: World, database: Database
) -> None:
    old = await add_households(database, world, "M1a", 12)
    new = await add_households(database, world, "M2a", 15, prefix="N")  # low positions
    phone = Phone(api, await api.login("member1a"))
    held = {doc["id"]: doc for doc in await phone.pull_all("household", limit=5)}
    assert set(held) == {str(i) for i in old} | {
        str(world.households["H1a"]),
        str(world.households["H1a2"]),
    }

    await move_post(database, world, "member1a", "M2a")
    later = await add_households(database, world, "M2a", 2, prefix="L")
    phone.token = await api.login("member1a")  # a fresh token reads the new post
    pages = []
    while True:
        page = await phone.pull("household", limit=5)
        pages.append(len(page))
        for doc in page:
            if doc["deleted"]:
                held.pop(doc["id"], None)
            else:
                held[doc["id"]] = doc
        if len(page) < 5:
            break
    expected = {str(i) for i in [*new, *later]} | {str(world.households["H2a"])}
    assert set(held) == expected
    assert all(doc["gridId"] == str(world.grids["M2a"]) for doc in held.values())
    assert all(p == 5 for p in pages[:-1])
    assert await phone.pull("household") == []  # settled into a normal checkpoint
    [fresh] = await add_households(database, world, "M2a", 1, prefix="F")
    await add_households(database, world, "M1a", 1, prefix="G")
    assert [doc["id"] for doc in await phone.pull("household")] == [str(fresh)]


async def test_removed_documents_reveal_nothing_but_their_id(
    api: Api, world: World, database: Database
) -> None:
    phone = Phone(api, await api.login("member1a"))
    await phone.pull_all("resident")
    await move_post(database, world, "member1a", "M2a")
    phone.token = await api.login("member1a")
    removed = [doc for doc in await phone.pull_all("resident") if doc["deleted"]]
    assert len(removed) == 4
    assert all(doc["name"] is None and doc["phone"] is None for doc in removed)


async def test_a_scope_change_in_the_middle_of_a_replay_starts_it_over(
    api: Api, world: World, database: Database
) -> None:
    await add_households(database, world, "M2a", 12)
    await add_households(database, world, "M1b", 12, prefix="B")
    phone = Phone(api, await api.login("member1a"))
    held = {doc["id"] for doc in await phone.pull_all("household", limit=5)}
    await move_post(database, world, "member1a", "M2a")
    phone.token = await api.login("member1a")

    def apply(page: list[dict]) -> None:
        for doc in page:
            (held.discard if doc["deleted"] else held.add)(doc["id"])

    apply(await phone.pull("household", limit=5))  # one page into the replay
    await move_post(database, world, "member1a", "M1b")
    phone.token = await api.login("member1a")
    apply(await phone.pull_all("household", limit=5))
    phone2 = Phone(api, phone.token)
    fresh = {doc["id"] for doc in await phone2.pull_all("household") if not doc["deleted"]}
    assert held == fresh and len(fresh) == 13  # M1b's 12 and the world's H1b
