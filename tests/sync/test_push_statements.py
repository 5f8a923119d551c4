"""A push costs the same SQL statements for 200 rows as for 10 (``sync.staging``).

Applied one by one, each row cost its own look-ups, savepoint, position stamp, insert and
re-read (six statements a row for a create), and on a small machine each statement is a
round trip that dwarfs the work. Written together, a batch of accepted rows is checked
against look-ups made once and written in one flush; a refused row still goes its own way
and costs only itself.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from domain.database import Database
from domain.models import RefusedPush, VisitNote
from tests.api_client import Api
from tests.schema.test_statement_count import counting_statements
from tests.sync.client import Phone, edited, new_id, row
from tests.world import World


def _note(household: str, number: int) -> dict[str, Any]:
    return {
        "id": new_id(),
        "householdId": household,
        "category": "need",
        "text": f"第{number}条",
        "followUp": number % 2 == 0,
        "visitedAt": 1_767_225_600_000.0 + number,
        "deleted": False,
    }


async def _statements(phone: Phone, database: Database, collection: str, rows: list[Any]) -> int:
    with counting_statements(database) as statements:
        assert await phone.push(collection, rows) == []
    return len(statements)


async def test_new_visit_notes_cost_the_same_statements_for_200_as_for_10(
    api: Api, world: World, database: Database
) -> None:
    phone = Phone(api, await api.login("member1a"))
    homes = [str(world.households["H1a"]), str(world.households["H1a2"])]
    await phone.push("visitNote", [row(_note(homes[0], 0))])  # the device's first contact

    def batch(size: int) -> list[dict[str, Any]]:
        return [_note(homes[n % 2], n) for n in range(size)]

    few, many = batch(10), batch(200)
    assert await _statements(phone, database, "visitNote", [row(n) for n in few]) == (
        await _statements(phone, database, "visitNote", [row(n) for n in many])
    )
    stored = {doc["id"]: doc for doc in await phone.pull_all("visitNote", limit=500)}
    assert all(stored[n["id"]]["text"] == n["text"] for n in few + many)

    def edits(notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            row(edited(stored[n["id"]], text=n["text"] + "，已回访"), stored[n["id"]])
            for n in notes
        ]

    assert await _statements(phone, database, "visitNote", edits(few)) == (
        await _statements(phone, database, "visitNote", edits(many))
    )
    again = {doc["id"]: doc for doc in await phone.pull_all("visitNote", limit=500)}
    assert all(again[n["id"]]["text"].endswith("，已回访") for n in few + many)


async def test_new_residents_cost_the_same_statements_for_200_as_for_10(
    api: Api, world: World, database: Database
) -> None:
    phone = Phone(api, await api.login("member1a"))
    home = str(world.households["H1a"])

    def batch(size: int, tag: str) -> list[dict[str, Any]]:
        return [
            row(
                {
                    "id": new_id(),
                    "householdId": home,
                    "name": f"{tag}{n}",
                    "phone": f"137{n:08d}",
                    "tags": ["高龄老人"] if n % 2 else [],
                    "partyMember": n % 3 == 0,
                    "deleted": False,
                }
            )
            for n in range(size)
        ]

    await phone.push("resident", batch(1, "先"))
    assert await _statements(phone, database, "resident", batch(10, "甲")) == (
        await _statements(phone, database, "resident", batch(200, "乙"))
    )


async def test_a_refused_row_costs_only_itself_and_the_rest_are_written_together(
    api: Api, world: World, database: Database
) -> None:
    phone = Phone(api, await api.login("member1a"))
    home, elsewhere = str(world.households["H1a"]), str(world.households["H2a"])
    await phone.push("visitNote", [row(_note(home, 0))])
    costs: list[int] = []
    for size in (10, 200):
        bad = _note(elsewhere, size)  # not covered: refused, with its reason
        rows = [row(_note(home, n)) for n in range(size)]
        rows.insert(size // 2, row(bad))
        with counting_statements(database) as statements:
            [refused] = await phone.push("visitNote", rows)
        assert refused["id"] == bad["id"] and refused["deleted"]
        costs.append(len(statements))
    assert costs[0] == costs[1]
    async with database.read() as session:
        assert await session.scalar(select(func.count(VisitNote.id))) == 1 + 10 + 200
        reasons = list(await session.scalars(select(RefusedPush.code)))
    assert reasons == ["NOT_FOUND", "NOT_FOUND"]
