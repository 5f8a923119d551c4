"""议题 pushed from a phone after a visit: the topic lands in the resident's grid.

A topic the phone recorded must stay on the phone (its scope is the grids it covers) and
reach that grid's ledger, so the grid comes from the visited resident's household.
"""

from __future__ import annotations

from tests.api_client import Api
from tests.sync.client import Phone, new_id, row
from tests.world import World


async def test_a_topic_pushed_for_a_visited_resident_takes_their_households_grid(
    api: Api, world: World
) -> None:
    phone = Phone(api, await api.login("member1a"))
    topic_id = new_id()
    document = {
        "id": topic_id,
        "title": "电梯经常停运",
        "description": "",
        "category": "repairs",
        "source": "visit",
        "gridId": None,
        "residentId": str(world.residents["H1a-x"]),
        "status": None,
        "submittedOn": None,
        "raisedByAccountId": None,
        "updatedAt": None,
        "deleted": False,
    }
    [master] = await phone.push("proposal", [row(document)])  # server fields filled in
    assert master["gridId"] == str(world.grids["M1a"])
    pulled = {doc["id"]: doc for doc in await phone.pull_all("proposal")}
    assert pulled[topic_id]["gridId"] == str(world.grids["M1a"])

    other = Phone(api, await api.login("chief2"))  # covers G2 only
    assert topic_id not in {doc["id"] for doc in await other.pull_all("proposal")}
