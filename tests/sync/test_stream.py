"""streamX: every commit in scope after it happens, the writer's own included, in order."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace
from typing import Any

import pytest

from api.events import LocalEventBus
from domain.database import Database
from domain.models import Device
from domain.services.principals import load_principal
from schema import schema
from schema.context import Access, Context, Refusal, SchemaConfig
from schema.sync import operations
from schema.sync import stream as stream_module
from schema.sync.commit_events import sync_event_publisher
from tests.sync.client import new_id, row, stream_query
from tests.world import CIPHER, World


async def _context(database: Database, bus: LocalEventBus, principal: Any) -> Context:
    async def check_access(_authorization: str | None) -> Access:
        async with database.read() as session:
            found = await load_principal(session, principal.account_id, principal.device_id)
        return Access(found, None if found else Refusal.ENDED)

    return Context(
        db=database,
        principal=principal,
        cipher=CIPHER,
        tokens=None,  # type: ignore[arg-type]
        config=SchemaConfig(),
        events=bus,
        check_access=check_access,
    )


async def _phones(database: Database, world: World, names: tuple[str, ...]) -> list[Any]:
    """A registered device for each account, and its principal as the server loads it."""
    async with database.transaction() as session:
        devices = [
            Device(community_id=world.community, account_id=world.accounts[name], name=name)
            for name in names
        ]
        session.add_all(devices)
    principals = []
    for device in devices:
        async with database.read() as session:
            found = await load_principal(session, device.account_id, device.id)
        principals.append(replace(found, device_id=device.id))  # type: ignore[type-var]
    return principals


async def _stream(database: Database, bus: LocalEventBus, principal: Any) -> Any:
    return await schema.subscribe(
        stream_query("visitNote"),
        variable_values={"headers": {"Authorization": "Bearer x"}},
        context_value=await _context(database, bus, principal),
    )


async def test_a_push_reaches_the_stream_of_every_phone_in_scope(
    database: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.sync.client import push_query

    monkeypatch.setattr(stream_module, "POLL_SECONDS", 0.5)
    monkeypatch.setattr(operations, "REEMIT_AFTER_SECONDS", 0.3)
    bus = LocalEventBus()
    database.on_commit(sync_event_publisher(lambda: bus))  # as the server wires it
    principals = await _phones(database, world, ("member1a", "chief1", "chief2"))
    streams = [await _stream(database, bus, p) for p in principals]
    firsts = [asyncio.ensure_future(anext(s)) for s in streams]
    await asyncio.sleep(0.2)
    note = {
        "id": new_id(),
        "householdId": str(world.households["H1a"]),
        "category": "need",
        "text": "楼道灯坏了",
        "followUp": True,
        "deleted": False,
    }
    result = await schema.execute(
        push_query("visitNote"),
        variable_values={"visitNotePushRow": [row(note)]},
        context_value=await _context(database, bus, principals[0]),
    )
    assert result.errors is None, result.errors
    got = await asyncio.wait_for(asyncio.gather(firsts[0], firsts[1]), 10)
    for event in got:
        assert event.data is not None
        bulk = event.data["streamVisitNote"]
        assert [d["id"] for d in bulk["documents"]] == [note["id"]]
        assert bulk["checkpoint"]["updatedAt"] == bulk["documents"][0]["updatedAt"]
    # A moment after the answer, the pusher's stream sends the document once more (its first
    # event may have beaten the answer, and the client skips a document still in flight);
    # the other phones' streams do not.
    again, others = (
        asyncio.ensure_future(anext(streams[0])),
        asyncio.ensure_future(anext(streams[1])),
    )
    resent = await asyncio.wait_for(again, 10)
    assert resent.data is not None
    assert [d["id"] for d in resent.data["streamVisitNote"]["documents"]] == [note["id"]]
    await asyncio.sleep(1.5)  # polls later the other grid's stream has still nothing
    assert not firsts[2].done() and not others.done()
    others.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await others
    for pending in firsts:
        pending.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pending
    for stream in streams:
        await stream.aclose()


async def test_a_reconnecting_stream_first_sends_what_its_device_just_pushed(
    database: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stream cut while a push was answered loses the push's second sending, and the
    client's resync pulls only past its checkpoint: the new stream sends those documents."""
    from tests.sync.client import push_query

    monkeypatch.setattr(stream_module, "POLL_SECONDS", 3600)
    monkeypatch.setattr(operations, "REEMIT_AFTER_SECONDS", 3600)
    bus = LocalEventBus()
    principals = await _phones(database, world, ("member1a", "chief1"))
    note = {
        "id": new_id(),
        "householdId": str(world.households["H1a"]),
        "category": "care",
        "text": "独居老人",
        "followUp": True,
        "deleted": False,
    }
    result = await schema.execute(
        push_query("visitNote"),
        variable_values={"visitNotePushRow": [row(note)]},
        context_value=await _context(database, bus, principals[0]),
    )
    assert result.errors is None, result.errors
    streams = [await _stream(database, bus, p) for p in principals]
    mine, theirs = (asyncio.ensure_future(anext(s)) for s in streams)
    first = await asyncio.wait_for(mine, 10)
    assert first.data is not None
    [doc] = first.data["streamVisitNote"]["documents"]
    assert doc["id"] == note["id"] and doc["authorAccountId"] == str(world.accounts["member1a"])
    await asyncio.sleep(0.5)
    assert not theirs.done()  # another device's stream starts quiet
    theirs.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await theirs
    for stream in streams:
        await stream.aclose()
