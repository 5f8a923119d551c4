"""Push: three-way merge into the conflict inbox, per-row outcomes, and idempotency."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, select

from domain.database import Database
from domain.models import RefusedPush, Resident, SyncConflict, VisitNote
from tests.api_client import Api
from tests.sync.client import Phone, edited, new_id, row
from tests.world import World

RESOLVE = """mutation($id: UUID!, $r: ConflictResolution!, $v: JSON) {
  resolveSyncConflict(conflictId: $id, resolution: $r, value: $v) {
    __typename ... on SyncConflict { status resolution } ... on Error { code message } } }"""
INBOX = """query { syncConflicts { id collection documentId field policy baseValue serverValue
  deviceValue deviceId accountId status } }"""


async def _resident(phone: Phone, name: str) -> dict[str, Any]:
    return next(doc for doc in await phone.pull_all("resident") if doc["name"] == name)


async def test_edits_of_different_fields_on_two_phones_both_survive(api: Api, world: World) -> None:
    one = Phone(api, await api.login("member1a"))
    two = Phone(api, await api.login("chief1"))
    base = await _resident(one, "H1a-x")
    assert await two.push("resident", [row(edited(base, phone="13911112222"), base)]) == []
    [answer] = await one.push("resident", [row(edited(base, name="H1a-x改"), base)])
    assert (answer["name"], answer["phone"]) == ("H1a-x改", "13911112222")  # merged, adopted
    merged = await _resident(two, "H1a-x改")
    assert merged == answer


async def test_a_true_conflict_keeps_the_server_value_and_lands_in_the_inbox(
    api: Api, world: World, database: Database
) -> None:
    one = Phone(api, await api.login("member1a"))
    two = Phone(api, await api.login("chief1"))
    base = await _resident(one, "H1a-x")
    await two.push("resident", [row(edited(base, phone="13911112222"), base)])
    [answer] = await one.push("resident", [row(edited(base, phone="13733334444"), base)])
    assert answer["phone"] == "13911112222"  # the master, which the phone adopts
    chief = await api.login("chief1")
    [conflict] = (await api.ok(INBOX, token=chief))["syncConflicts"]
    assert conflict["field"] == "phone" and conflict["policy"] == "server_wins"
    assert (conflict["baseValue"], conflict["serverValue"], conflict["deviceValue"]) == (
        "13800000001",
        "13911112222",
        "13733334444",
    )
    assert conflict["accountId"] == str(world.accounts["member1a"])
    assert conflict["deviceId"] is not None
    outsider = await api.login("chief2")  # another grid: not theirs to see
    assert (await api.ok(INBOX, token=outsider))["syncConflicts"] == []

    resolved = await api.ok(RESOLVE, {"id": conflict["id"], "r": "TAKE_DEVICE"}, chief)
    assert resolved["resolveSyncConflict"]["status"] == "RESOLVED"
    synced = await _resident(two, "H1a-x")
    assert synced["phone"] == "13733334444"  # a normal change that syncs out
    assert (await api.ok(INBOX, token=chief))["syncConflicts"] == []


async def test_entering_a_value_resolves_a_conflict_with_that_value(api: Api, world: World) -> None:
    one = Phone(api, await api.login("member1a"))
    chief = await api.login("chief1")
    two = Phone(api, chief)
    base = await _resident(one, "H1a-y")
    await two.push("resident", [row(edited(base, name="王二"), base)])
    await one.push("resident", [row(edited(base, name="王三"), base)])
    [conflict] = (await api.ok(INBOX, token=chief))["syncConflicts"]
    done = await api.ok(RESOLVE, {"id": conflict["id"], "r": "ENTER_VALUE", "v": "王二三"}, chief)
    assert done["resolveSyncConflict"]["resolution"] == "enter_value"
    assert await _resident(two, "王二三")


async def test_tags_merge_by_union_and_note_texts_are_both_kept(
    api: Api, world: World, database: Database
) -> None:
    one = Phone(api, await api.login("member1a"))
    two = Phone(api, await api.login("chief1"))
    base = await _resident(one, "H1a-y")
    await two.push("resident", [row(edited(base, tags=["儿童"]), base)])
    [merged] = await one.push("resident", [row(edited(base, tags=["困难家庭"]), base)])
    assert merged["tags"] == ["儿童", "困难家庭"]

    note_id = new_id()
    household = str(world.households["H1a"])
    note = {
        "id": note_id,
        "householdId": household,
        "category": "need",
        "text": "漏水",
        "followUp": False,
        "deleted": False,
    }
    await one.push("visitNote", [row(note)])
    [stored] = await one.pull_all("visitNote")
    await two.push("visitNote", [row(edited(stored, text="漏水，已报修"), stored)])
    [both] = await one.push("visitNote", [row(edited(stored, text="漏水，老人独居"), stored)])
    assert "已报修" in both["text"] and "老人独居" in both["text"]
    async with database.read() as session:
        conflicts = list(await session.scalars(select(SyncConflict)))
    assert {c.status.value for c in conflicts} == {"resolved"}  # settled by policy, on record


async def test_one_bad_row_does_not_block_the_rest_and_its_reason_reaches_the_phone(
    api: Api, world: World, database: Database
) -> None:
    phone = Phone(api, await api.login("member1a"))
    mine, other = str(world.households["H1a"]), str(world.households["H2a"])

    def note(household: str, text: str = "ok", **extra: Any) -> dict[str, Any]:
        fields = {"category": "need", "text": text, "followUp": False}
        return {"id": new_id(), "householdId": household, **fields, "deleted": False, **extra}

    good = [note(mine), note(mine, "又一条")]
    bad = [
        note(other),  # not covered: unknown to this phone
        note(str(world.grids["M1a"])),  # no such household
        note(mine, "长" * 6000),  # oversized text
        note(mine, category="gossip"),  # invalid field
        {**note(mine), "id": "not-a-uuid"},
    ]
    answers = await phone.push("visitNote", [row(doc) for doc in [good[0], *bad, good[1]]])
    refused = {answer["id"] for answer in answers}
    assert refused == {doc["id"] for doc in bad}
    assert all(answer["deleted"] for answer in answers)  # the phone drops what was refused
    stored = {doc["id"] for doc in await phone.pull_all("visitNote")}
    assert stored == {doc["id"] for doc in good}
    notices = await phone.pull_all("deviceNotice")
    assert {n["documentId"] for n in notices} == refused
    assert {n["code"] for n in notices} == {"NOT_FOUND", "INVALID_INPUT"}
    async with database.read() as session:
        kept = list(await session.scalars(select(RefusedPush)))
    assert len(kept) == 5 and all(k.row["newDocumentState"]["id"] in refused for k in kept)
    again = await phone.push("visitNote", [row(doc) for doc in [good[0], *bad, good[1]]])
    assert again == answers
    async with database.read() as session:
        assert await session.scalar(select(func.count(RefusedPush.id))) == 5


async def test_a_refused_update_sends_the_master_back(api: Api, world: World) -> None:
    phone = Phone(api, await api.login("member1a"))
    base = await _resident(phone, "H1a-x")
    [answer] = await phone.push("resident", [row(edited(base, phone="not a phone"), base)])
    assert answer == base


async def test_the_same_batch_twice_applies_once_and_answers_the_same(
    api: Api, world: World, database: Database
) -> None:
    phone = Phone(api, await api.login("member1a"))
    base = await _resident(phone, "H1a-x")
    note = {
        "id": new_id(),
        "householdId": str(world.households["H1a"]),
        "category": "care",
        "text": "探访",
        "followUp": True,
        "deleted": False,
    }
    batch = [row(edited(base, name="改名", phone="139 0000 0000"), base), row(note)]
    first = await phone.push("resident", batch[:1])
    second = await phone.push("resident", batch[:1])
    assert first == second and first[0]["phone"] == "13900000000"
    assert await phone.push("visitNote", batch[1:]) == await phone.push("visitNote", batch[1:])
    async with database.read() as session:
        assert await session.scalar(select(func.count(SyncConflict.id))) == 0
        assert await session.scalar(select(func.count(VisitNote.id))) == 1


async def test_fifty_concurrent_copies_of_a_batch_apply_once_and_answer_alike(
    api: Api, world: World, database: Database
) -> None:
    phone = Phone(api, await api.login("member1a"))
    base = await _resident(phone, "H1a-y")
    created = {
        "id": new_id(),
        "householdId": str(world.households["H1a"]),
        "name": "新住户",
        "phone": "13612345678",
        "tags": ["儿童"],
        "partyMember": False,
        "birthYear": None,
        "idNumber": None,
        "deleted": False,
    }
    batch = [row(edited(base, name="改了"), base), row(created)]
    answers = await asyncio.gather(*(phone.push("resident", batch) for _ in range(50)))
    assert all(answer == answers[0] for answer in answers)
    async with database.read() as session:
        names = list(
            await session.scalars(
                select(Resident.name).where(Resident.name.in_(["改了", "新住户"]))
            )
        )
        assert sorted(names) == ["改了", "新住户"]
        assert await session.scalar(select(func.count(SyncConflict.id))) == 0
        assert await session.scalar(select(func.count(RefusedPush.id))) == 0


async def test_an_old_push_delivered_late_does_not_bring_old_values_back(
    api: Api, world: World, database: Database
) -> None:
    """Tags merge by union: merged again against a newer master, the late row would re-add
    the tag the volunteer removed since, and record a conflict that never happened."""
    phone = Phone(api, await api.login("member1a"))
    base = await _resident(phone, "H1a-y")
    first = row(edited(base, tags=["儿童", "高龄老人"]), base)
    assert await phone.push("resident", [first]) == []
    after_first = await _resident(phone, "H1a-y")
    second = row(edited(after_first, tags=["儿童"]), after_first)
    assert await phone.push("resident", [second]) == []
    [late] = await phone.push("resident", [first])  # answered with the master, not merged
    assert late["tags"] == ["儿童"] and late == await _resident(phone, "H1a-y")
    async with database.read() as session:
        assert await session.scalar(select(func.count(SyncConflict.id))) == 0


async def test_edits_sent_with_a_delete_are_kept_on_the_tombstone(
    api: Api, world: World, database: Database
) -> None:
    phone = Phone(api, await api.login("member1a"))
    base = await _resident(phone, "H1a-x")
    assert (
        await phone.push("resident", [row(edited(base, name="搬走了", deleted=True), base)]) == []
    )
    async with database.read() as session:
        stored = await session.get(Resident, world.residents["H1a-x"])
        assert stored is not None and stored.deleted and stored.name == "搬走了"


async def test_clearing_a_required_field_is_refused_not_ignored(
    api: Api, world: World, database: Database
) -> None:
    phone = Phone(api, await api.login("member1a"))
    base = await _resident(phone, "H1a-x")
    [answer] = await phone.push(
        "resident", [row(edited(base, householdId=None, name="留下"), base)]
    )
    assert answer == base  # refused whole: nothing half-applied
    [notice] = await phone.pull_all("deviceNotice")
    assert notice["code"] == "INVALID_INPUT" and "householdId" in notice["message"]
