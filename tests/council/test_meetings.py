"""议事会 housekeeping: the ordered agenda, attendance recorded by staff, minutes, and the
live announcements that follow each committed agenda change (ids only).
"""

from __future__ import annotations

import asyncio
from typing import Any

from api.events import LocalEventBus
from tests.api_client import Api
from tests.council.helpers import (
    RESULT,
    add_to_agenda,
    deliberate,
    mutate,
    raised_id,
    resident_token,
    schedule,
)
from tests.world import World

MEETING = """query($m: UUID!) { meeting(id: $m) { __typename ... on Meeting {
    minutes agenda { position proposal { title status } } attendance { name residentId } } } }"""


async def test_the_agenda_keeps_its_order_through_removal_and_reordering(
    api: Api, world: World
) -> None:
    resident = await resident_token(api, world, "H1a-x")
    admin = await api.login("admin")
    meeting = await schedule(api, admin)
    ids = [await raised_id(api, resident, title) for title in ("甲", "乙", "丙")]
    for pid in ids:
        await add_to_agenda(api, admin, meeting, pid)
    assert (await add_to_agenda(api, admin, meeting, ids[0]))["code"] == "ALREADY_ON_AGENDA"

    reorder = f"""mutation($m: UUID!, $p: [UUID!]!) {{ reorderAgenda(meetingId: $m,
        proposalIds: $p) {{ {RESULT} ... on Meeting {{ agenda {{ proposalId }} }} }} }}"""
    wrong = await mutate(api, admin, reorder, {"m": meeting, "p": ids[:2]})
    assert wrong["code"] == "INVALID_INPUT"
    done = await mutate(api, admin, reorder, {"m": meeting, "p": [ids[2], ids[0], ids[1]]})
    assert [a["proposalId"] for a in done["agenda"]] == [ids[2], ids[0], ids[1]]

    remove = f"""mutation($m: UUID!, $p: UUID!) {{ removeAgendaItem(meetingId: $m,
        proposalId: $p) {{ {RESULT} }} }}"""
    await deliberate(api, admin, meeting, ids[1])
    assert (await mutate(api, admin, remove, {"m": meeting, "p": ids[1]}))["code"] == (
        "ALREADY_DELIBERATED"
    )
    assert (await mutate(api, admin, remove, {"m": meeting, "p": ids[2]}))["__typename"] == (
        "Meeting"
    )
    seen = (await api.ok(MEETING, {"m": meeting}, resident))["meeting"]
    assert seen["agenda"] == [
        {"position": 1, "proposal": {"title": "甲", "status": "ACCEPTED"}},
        {"position": 2, "proposal": {"title": "乙", "status": "DELIBERATED"}},
    ]


async def test_staff_record_attendance_and_minutes(api: Api, world: World) -> None:
    admin = await api.login("admin")
    meeting = await schedule(api, admin)
    attend = f"""mutation($m: UUID!, $r: UUID, $n: String) {{ recordAttendance(meetingId: $m,
        residentId: $r, name: $n) {{ {RESULT} ... on Attendance {{ name }} }} }}"""
    resident_id = str(world.residents["H1a-x"])
    assert (await mutate(api, admin, attend, {"m": meeting, "r": resident_id}))["name"] == ("H1a-x")
    assert (await mutate(api, admin, attend, {"m": meeting, "r": resident_id}))["code"] == (
        "ALREADY_RECORDED"
    )
    assert (await mutate(api, admin, attend, {"m": meeting, "n": "李大爷"}))["name"] == "李大爷"
    assert (await mutate(api, admin, attend, {"m": meeting}))["code"] == "INVALID_INPUT"
    outsider = str(world.residents["HB-x"])
    assert (await mutate(api, admin, attend, {"m": meeting, "r": outsider}))["code"] == (
        "NOT_FOUND"
    )
    resident = await resident_token(api, world, "H1a-x")
    assert (await mutate(api, resident, attend, {"m": meeting, "n": "我"}))["code"] == ("FORBIDDEN")

    minutes = f"""mutation($m: UUID!, $t: String!) {{ setMinutes(meetingId: $m, minutes: $t) {{
        {RESULT} ... on Meeting {{ minutes }} }} }}"""
    text = "一、停车问题\n二、装修噪音"
    assert (await mutate(api, admin, minutes, {"m": meeting, "t": text}))["minutes"] == text

    by_staff = (await api.ok(MEETING, {"m": meeting}, admin))["meeting"]
    assert sorted(a["name"] for a in by_staff["attendance"]) == ["H1a-x", "李大爷"]
    by_resident = (await api.ok(MEETING, {"m": meeting}, resident))["meeting"]
    assert sorted(a["name"] for a in by_resident["attendance"]) == ["H****", "李**"]
    assert all(a["residentId"] is None for a in by_resident["attendance"])


async def test_agenda_changes_and_new_topics_are_announced_after_commit(
    api: Api, world: World, monkeypatch: Any
) -> None:
    published: list[tuple[str, dict[str, Any]]] = []
    original = LocalEventBus.publish

    async def spy(self: LocalEventBus, channel: str, payload: dict[str, Any]) -> None:
        published.append((channel, payload))
        await original(self, channel, payload)

    monkeypatch.setattr(LocalEventBus, "publish", spy)
    resident = await resident_token(api, world, "H1a-x")
    admin = await api.login("admin")
    pid = await raised_id(api, resident, "停车难", gridId=str(world.grids["M1a"]))
    meeting = await schedule(api, admin)
    await add_to_agenda(api, admin, meeting, pid)
    assert (await add_to_agenda(api, admin, meeting, pid))["code"] == "ALREADY_ON_AGENDA"
    await asyncio.sleep(0)
    assert [event for event in published if not event[0].startswith("sync:")] == [
        (f"proposals:{world.community}", {"event": "raised", "proposalId": pid}),
        (f"agenda:{meeting}", {"event": "item_added", "meetingId": meeting}),
    ]
