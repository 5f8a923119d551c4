"""A checkpoint the device did not earn lists nothing it never held (deletions, removals)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from domain.database import Database
from domain.models import Household, Resident, VisitCategory, VisitNote
from tests.api_client import Api
from tests.sync.client import Phone
from tests.sync.seed import add_households, delete_households
from tests.world import World

FORGED_ALL = {"id": "~all", "updatedAt": 0.0}


async def _add_notes(database: Database, world: World, households: list[uuid.UUID]) -> None:
    """A visit note in each household; deleting the household deletes it too (soft)."""
    async with database.transaction() as session:
        for household_id in households:
            session.add(
                VisitNote(
                    community_id=world.community,
                    household_id=household_id,
                    author_account_id=world.accounts["admin"],
                    category=VisitCategory.ROUTINE,
                    text="note",
                )
            )


async def _delete_notes(database: Database, households: list[uuid.UUID]) -> None:
    async with database.transaction() as session:
        for note in await session.scalars(
            select(VisitNote).where(VisitNote.household_id.in_(households))
        ):
            note.deleted = True
        for resident in await session.scalars(
            select(Resident).where(Resident.household_id.in_(households))
        ):
            resident.deleted = True


async def _pull_all_from(phone: Phone, collection: str, checkpoint: dict) -> list[dict]:
    phone.checkpoints[collection] = checkpoint
    return await phone.pull_all(collection, limit=50)


@pytest.mark.parametrize("collection", ["household", "resident", "visitNote"])
async def test_a_forged_whole_community_checkpoint_lists_no_id_the_device_was_not_sent(
    api: Api, world: World, database: Database, collection: str
) -> None:
    others = await add_households(database, world, "M2a", 6, prefix="O")
    mine = await add_households(database, world, "M1a", 4, prefix="D")
    await _add_notes(database, world, [*others, *mine])
    for gone in (others[:3], mine[:2]):  # deleted before this phone ever pulled
        await _delete_notes(database, gone)
        await delete_households(database, gone)
    phone = Phone(api, await api.login("member1a"))
    found = await _pull_all_from(phone, collection, FORGED_ALL)
    assert not [doc for doc in found if doc["deleted"]]
    live = {doc["id"] for doc in found}
    honest = Phone(api, await api.login("member1a"))
    assert live == {doc["id"] for doc in await honest.pull_all(collection)}
    assert live
    outside = await _ids_in(database, collection, others)
    assert outside and not live & outside


async def _ids_in(database: Database, collection: str, households: list[uuid.UUID]) -> set[str]:
    model = {"household": Household, "resident": Resident, "visitNote": VisitNote}[collection]
    link = model.id if model is Household else model.household_id  # type: ignore[attr-defined]
    async with database.read() as session:
        return {str(i) for i in await session.scalars(select(model.id).where(link.in_(households)))}


async def test_real_deletions_of_sent_documents_still_arrive_after_a_forged_checkpoint(
    api: Api, world: World, database: Database
) -> None:
    mine = await add_households(database, world, "M1a", 4, prefix="D")
    others = await add_households(database, world, "M2a", 4, prefix="O")
    phone = Phone(api, await api.login("member1a"))
    held = {doc["id"] for doc in await phone.pull_all("household")}
    assert {str(i) for i in mine} <= held
    await delete_households(database, [mine[0], others[0]])
    found = await _pull_all_from(phone, "household", FORGED_ALL)
    tombstones = {doc["id"] for doc in found if doc["deleted"]}
    assert tombstones == {str(mine[0])}
    # and the honest way, from the phone's own checkpoint
    again = Phone(api, await api.login("member1a"))
    await again.pull_all("household")
    await delete_households(database, [mine[1], others[1]])
    assert [(d["id"], d["deleted"]) for d in await again.pull("household")] == [
        (str(mine[1]), True)
    ]


async def test_another_volunteers_scope_fingerprint_lists_nothing_of_theirs(
    api: Api, world: World, database: Database
) -> None:
    """chief2's checkpoint (a fingerprint this server issued, in this community) replayed
    by member1a: no removal of chief2's documents, which member1a never held."""
    others = await add_households(database, world, "M2a", 5, prefix="O")
    chief2 = Phone(api, await api.login("chief2"))
    await chief2.pull_all("household")
    stolen = chief2.checkpoints["household"]
    assert stolen is not None
    await delete_households(database, others[:2])
    phone = Phone(api, await api.login("member1a"))
    found = await _pull_all_from(phone, "household", {"id": stolen["id"], "updatedAt": 0.0})
    assert not [doc for doc in found if doc["deleted"]]
    assert not {doc["id"] for doc in found} & {str(i) for i in others}


@pytest.mark.parametrize(
    "checkpoint",
    [
        {"id": "~all~all", "updatedAt": 0.0},
        {"id": "not-a-uuid~all", "updatedAt": 0.0},
        {"id": f"{uuid.uuid4()}~all~all~x~all", "updatedAt": 1.0},
        {"id": "~all", "updatedAt": 0.5},
        {"id": "~all", "updatedAt": -1.0},
        {"id": "~" + "a" * 300, "updatedAt": 0.0},
    ],
)
async def test_a_garbage_checkpoint_is_a_typed_error_that_changes_nothing(
    api: Api, world: World, checkpoint: dict
) -> None:
    phone = Phone(api, await api.login("member1a"))
    body = await phone.pull_raw("household", 10, checkpoint)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_CHECKPOINT"
