"""Never skip: concurrent writers commit out of order while a phone pulls in a loop."""

from __future__ import annotations

import asyncio
import uuid

from domain.database import Database
from domain.models import Household
from domain.services.principals import load_principal
from sync import replication
from sync.collections import COLLECTIONS
from tests.world import World

ROUNDS = 20
WRITERS = 6


async def _writer(db: Database, world: World, hold: float) -> uuid.UUID:
    """One transaction that takes its position, then holds it open before committing."""
    async with db.transaction() as session:
        household = Household(
            id=uuid.uuid4(),
            community_id=world.community,
            grid_id=world.grids["M1a"],
            building=f"C{uuid.uuid4().hex[:8]}",
            unit="1",
            room="1",
        )
        session.add(household)
        await session.flush()  # the position is stamped here, under the counter's lock
        await asyncio.sleep(hold)
    return household.id


async def test_every_committed_row_is_seen_exactly_once(
    database: Database, world: World, dialect: str
) -> None:
    collection = COLLECTIONS["household"]
    async with database.read() as session:
        device = None
        principal = await load_principal(session, world.accounts["admin"], device)
    assert principal is not None
    from dataclasses import replace

    from domain.models import Device

    async with database.transaction() as session:
        phone = Device(community_id=world.community, account_id=principal.account_id, name="p")
        session.add(phone)
    principal = replace(principal, device_id=phone.id)

    seen: list[str] = []
    checkpoint: tuple[str, float] | None = None
    written: list[uuid.UUID] = []

    async def pull_once() -> None:
        nonlocal checkpoint
        page = await replication.pull(database, principal, collection, checkpoint, 3)
        if page.documents:
            seen.extend(doc["id"] for doc in page.documents)
            checkpoint = page.checkpoint.wire()

    for round_ in range(ROUNDS):
        holds = [0.05 * ((i * 7 + round_) % WRITERS) for i in range(WRITERS)]
        writers = asyncio.gather(*(_writer(database, world, h) for h in holds))
        while not writers.done():
            await pull_once()
            await asyncio.sleep(0.005)
        written.extend(await writers)
        await pull_once()
    while True:
        before = len(seen)
        await pull_once()
        if len(seen) == before:
            break
    mine = [i for i in seen if uuid.UUID(i) in set(written)]
    assert sorted(mine) == sorted(str(i) for i in written)  # every one, exactly once
    print(f"\n[{dialect}] {ROUNDS} rounds of {WRITERS} concurrent writers: {len(written)} rows")
