"""A pushed row whose text is not Unicode (a note ending in half an emoji) is refused on its
own, as ``INVALID_INPUT`` on that field with a notice; the rows beside it are stored, and the
same batch sent again answers the same (the phone stops retrying).

The requests are written with the standard library's JSON escapes (httpx cannot encode a
lone surrogate), as a phone's JSON carries one.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from domain.database import Database
from domain.models import RefusedPush, VisitNote
from tests.api_client import Api
from tests.sync.client import Phone, edited, new_id, push_query, row
from tests.world import World

HALF = "\ud83d"  # the first half of 😀 (U+1F600)


async def push(phone: Phone, collection: str, rows: list[dict[str, Any]]) -> list[Any]:
    response = await phone.api.client.post(
        "/graphql",
        content=json.dumps(
            {"query": push_query(collection), "variables": {f"{collection}PushRow": rows}}
        ),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {phone.token}"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return list(next(iter(body["data"].values())))


def _note(household: str, text: str) -> dict[str, Any]:
    return {
        "id": new_id(),
        "householdId": household,
        "category": "need",
        "text": text,
        "followUp": False,
        "visitedAt": 1_767_225_600_000.0,
        "deleted": False,
    }


async def test_a_note_ending_in_half_an_emoji_is_refused_alone(
    api: Api, world: World, database: Database
) -> None:
    phone = Phone(api, await api.login("member1a"))
    home = str(world.households["H1a"])
    good, bad = _note(home, "老人身体好😀"), _note(home, "老人身体好" + HALF)
    rows = [row(good), row(bad)]
    [answer] = await push(phone, "visitNote", rows)
    assert answer["id"] == bad["id"] and answer["deleted"]  # the phone drops it
    stored = {doc["id"]: doc for doc in await phone.pull_all("visitNote")}
    assert set(stored) == {good["id"]} and stored[good["id"]]["text"] == "老人身体好😀"
    [notice] = await phone.pull_all("deviceNotice")
    assert (notice["documentId"], notice["code"]) == (bad["id"], "INVALID_INPUT")
    assert notice["message"].startswith("text：")  # Chinese by default, on the field
    async with database.read() as session:
        [kept] = list(await session.scalars(select(RefusedPush)))
    assert kept.code == "INVALID_INPUT" and kept.reason.startswith("text: ")
    assert kept.row["newDocumentState"]["text"] == "老人身体好\\ud83d"  # as sent, escaped

    assert await push(phone, "visitNote", rows) == [answer]  # sent again: the same answer
    async with database.read() as session:
        assert await session.scalar(select(func.count(RefusedPush.id))) == 1
        assert await session.scalar(select(func.count(VisitNote.id))) == 1


async def test_an_edit_with_a_lone_surrogate_gets_the_master_back(
    api: Api, world: World, database: Database
) -> None:
    phone = Phone(api, await api.login("member1a"))
    residents = await phone.pull_all("resident")
    [base] = [doc for doc in residents if doc["name"] == "H1a-x"]
    other = next(doc for doc in residents if doc["name"] != "H1a-x")
    rows = [
        row(edited(base, name="王\udc00"), base),
        row(edited(other, tags=["高龄老人", "x" + HALF]), other),
        row(edited(base, phone="13911112222"), {**base, "name": HALF}),  # a garbled base
    ]
    answers = await push(phone, "resident", rows)
    assert answers == [base, other, base]  # each refused whole, the master sent back
    async with database.read() as session:
        reasons = sorted(r.split(":")[0] for r in await session.scalars(select(RefusedPush.reason)))
    assert reasons == ["name", "name", "tags[1]"]
    async with database.read() as session:
        assert await session.scalar(select(func.count(RefusedPush.id))) == 3
    assert await phone.pull_all("resident") == []  # nothing changed
