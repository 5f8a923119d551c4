"""Sync throughput: documents per second through the real GraphQL endpoint vs the raw floor.

    python bench/sync_throughput.py --db sqlite|postgresql|both [--runs 5] [--only pull|push]

The endpoint is the real ASGI app (``api.app.create_app``: middleware, token auth, the
strawberry schema), driven in-process through ``httpx.ASGITransport``; no sockets, so the
figures are the server's own cost plus httpx's in-process transport.

- Pull: the residents of one volunteer's micro-grid (about 10,000, the heaviest realistic
  collection: a join for the scope, tags, dates, masked ID numbers, nulls, tombstones), paged
  as the RxDB client pages them (``limit`` 1000, the server's maximum, until a short page).
  Measured through the general strawberry executor and through the sync fast path.
- Floor: the same pages read with SQLAlchemy Core (the same join, scope and keyset) and
  serialised to the same JSON with orjson; checked equal to what the endpoint sent.
- Push: 1,000 new residents through ``pushResident`` (two batches of 500, the server's
  maximum); floor: the same rows parsed with orjson, upserted with Core
  (``INSERT ... ON CONFLICT DO UPDATE``, positions stamped from the change counter) in two
  transactions and the same answer serialised with orjson. Measured through the general
  strawberry executor and through the push's fast path.

Each figure is the median of ``--runs`` runs, interleaved (floor, general, fast) so that
noise on a shared machine hits all alike. Ratios are endpoint time / floor time.
"""

from __future__ import annotations

import argparse
import asyncio
import uuid
from functools import partial
from typing import Any

import httpx
import orjson
from _harness import (
    DIALECTS,
    Servers,
    fresh_database,
    load_residents,
    median,
    table,
    timed,
    world_in,
)
from sqlalchemy import Integer, Table, and_, cast, extract, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from api.app import create_app
from domain.database import Database
from domain.models import ChangeCounter, Household, Resident
from tests.api_client import Api, test_settings
from tests.sync.client import pull_query, push_query
from tests.world import World

LIMIT = 1000
PUSH_ROWS = 1000
PUSH_BATCH = 500


def _client(db: Database, *, fast: bool) -> Api:
    app = create_app(test_settings(), db=db, fast_paths=fast)
    transport = httpx.ASGITransport(app=app)
    return Api(httpx.AsyncClient(transport=transport, base_url="http://bench"))


async def pull_endpoint(api: Api, token: str, checkpoint: Any = None) -> list[bytes]:
    """Page through every resident the volunteer covers, as the client does."""
    query = pull_query("resident")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    bodies: list[bytes] = []
    while True:
        request = {"query": query, "variables": {"checkpoint": checkpoint, "limit": LIMIT}}
        response = await api.client.post("/graphql", content=orjson.dumps(request), headers=headers)
        bodies.append(response.content)
        page = orjson.loads(response.content)["data"]["pullResident"]
        if len(page["documents"]) < LIMIT:
            return bodies
        checkpoint = page["checkpoint"]


def _floor_statement(world: World) -> Any:
    r, h = Resident.__table__.c, Household.__table__.c
    return (
        select(
            r.id,
            r.position,
            r.deleted,
            r.household_id,
            r.name,
            r.phone,
            r.tags,
            r.party_member,
            cast(extract("year", r.birth_date), Integer),
            r.id_number_masked,
        )
        .join(Household.__table__, h.id == r.household_id)
        # a device is sent deletions only of what it was sent (``sync.holdings``): the
        # harness's tombstones were never sent live
        .where(
            r.community_id == world.community,
            h.grid_id.in_([world.grids["M1a"]]),
            r.deleted.is_(False),
        )
        .order_by(r.position, r.id)
        .limit(LIMIT)
    )


async def pull_floor(db: Database, world: World, scope_print: str) -> list[bytes]:
    """The same pages with Core and orjson: the least any server could do."""
    r = Resident.__table__.c
    base = _floor_statement(world)
    position, last_id = -1, None
    bodies: list[bytes] = []
    while True:
        statement = base.where(
            or_(r.position > position, and_(r.position == position, r.id > last_id))
            if last_id is not None
            else r.position > position
        )
        async with db.read_engine.connect() as connection:
            rows = (await connection.execute(statement)).all()
        documents = [
            {
                "id": str(row[0]),
                "householdId": str(row[3]),
                "name": row[4],
                "phone": row[5],
                "tags": sorted(set(row[6])),
                "partyMember": row[7],
                "birthYear": float(row[8]) if row[8] is not None else None,
                "idNumber": row[9],
                "updatedAt": float(row[1]),
                "deleted": row[2],
            }
            for row in rows
        ]
        if rows:
            position, last_id = rows[-1][1], rows[-1][0]
        checkpoint = {"id": f"{last_id}~{scope_print}", "updatedAt": float(position)}
        page = {"documents": documents, "checkpoint": checkpoint}
        bodies.append(orjson.dumps({"data": {"pullResident": page}}))
        if len(rows) < LIMIT:
            return bodies


def _documents(bodies: list[bytes]) -> list[Any]:
    return [d for b in bodies for d in orjson.loads(b)["data"]["pullResident"]["documents"]]


def push_batches(household_ids: list[uuid.UUID], run: str) -> list[bytes]:
    """1,000 residents created offline, as the client sends them (unset fields absent)."""
    tags = [[], ["高龄老人"], ["儿童", "困难家庭"], ["高龄老人", "残疾人"]]
    rows = []
    for number in range(PUSH_ROWS):
        document: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "householdId": str(household_ids[number % len(household_ids)]),
            "name": f"新居民{run}-{number}",
            "phone": f"137{number:08d}" if number % 7 else None,
            "tags": tags[number % 4],
            "partyMember": number % 9 == 0,
            "deleted": False,
        }
        rows.append({"assumedMasterState": None, "newDocumentState": document})
    query = push_query("resident")
    return [
        orjson.dumps({"query": query, "variables": {"residentPushRow": rows[i : i + PUSH_BATCH]}})
        for i in range(0, PUSH_ROWS, PUSH_BATCH)
    ]


async def push_endpoint(api: Api, token: str, bodies: list[bytes]) -> int:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    answered = 0
    for body in bodies:
        response = await api.client.post("/graphql", content=body, headers=headers)
        data = orjson.loads(response.content)
        assert "errors" not in data, data
        answered += len(data["data"]["pushResident"])
    return answered


async def push_floor(db: Database, world: World, bodies: list[bytes]) -> int:
    """Parse, upsert with Core (positions from the change counter), answer ``[]``."""
    table_: Table = Resident.__table__  # type: ignore[assignment]
    insert = sqlite.insert if db.dialect == "sqlite" else postgresql.insert
    for body in bodies:
        rows = orjson.loads(body)["variables"]["residentPushRow"]
        async with db.write_engine.begin() as connection:
            last = (
                await connection.execute(
                    update(ChangeCounter)
                    .where(ChangeCounter.community_id == world.community)
                    .values(last_position=ChangeCounter.last_position + len(rows))
                    .returning(ChangeCounter.last_position)
                )
            ).scalar_one()
            first = last - len(rows) + 1
            values = []
            for offset, row in enumerate(rows):
                new = row["newDocumentState"]
                values.append(
                    {
                        "id": uuid.UUID(new["id"]),
                        "community_id": world.community,
                        "position": first + offset,
                        "deleted": new["deleted"],
                        "household_id": uuid.UUID(new["householdId"]),
                        "name": new["name"],
                        "phone": new.get("phone"),
                        "tags": sorted(set(new.get("tags") or [])),
                        "party_member": bool(new.get("partyMember")),
                    }
                )
            statement = insert(table_)
            excluded = statement.excluded
            statement = statement.on_conflict_do_update(
                index_elements=[table_.c.id],
                set_={
                    name: getattr(excluded, name)
                    for name in (
                        "position",
                        "deleted",
                        "household_id",
                        "name",
                        "phone",
                        "tags",
                        "party_member",
                    )
                },
            )
            await connection.execute(statement, values)
        orjson.dumps({"data": {"pushResident": []}})
    return 0


def _seeded_households(world: World, count: int) -> list[uuid.UUID]:
    """Households of run 1 in M1a (every tenth is in M2a; see ``load_residents``)."""
    return [uuid.UUID(f"{1:08x}{i:024x}") for i in range(1, count + 1) if i % 10][:200]


async def bench(servers: Servers, dialect: str, runs: int, only: str | None) -> dict[str, float]:
    async with fresh_database(servers, dialect, f"bench_throughput_{dialect[:2]}") as db:
        world = await world_in(db)
        # 2,778 households of 4; one in ten is in another grid: 10,004 residents in scope,
        # plus the world's 4
        households = 2_778
        await load_residents(db, world, households * 4, per_household=4, run=1)
        general, fast = _client(db, fast=False), _client(db, fast=True)
        token = await general.login("member1a")
        scope_print = orjson.loads((await pull_endpoint(general, token))[-1])["data"][
            "pullResident"
        ]["checkpoint"]["id"].split("~")[1]
        reference = await pull_endpoint(general, token)
        assert _documents(await pull_floor(db, world, scope_print)) == _documents(reference)
        assert await pull_endpoint(fast, token) == reference, "fast path differs"
        pulled = len(_documents(reference))

        times: dict[str, list[float]] = {k: [] for k in ("floor", "general", "fast")}
        for _ in range(runs if only != "push" else 0):
            times["floor"].append((await timed(lambda: pull_floor(db, world, scope_print)))[0])
            times["general"].append((await timed(lambda: pull_endpoint(general, token)))[0])
            times["fast"].append((await timed(lambda: pull_endpoint(fast, token)))[0])

        targets = _seeded_households(world, households)
        push_times: dict[str, list[float]] = {k: [] for k in ("floor", "general", "fast")}
        for run in range(runs if only != "pull" else 0):
            took, _ = await timed(partial(push_floor, db, world, push_batches(targets, f"f{run}")))
            push_times["floor"].append(took)
            for key, api in (("general", general), ("fast", fast)):
                bodies = push_batches(targets, f"{key[0]}{run}")
                took, answered = await timed(partial(push_endpoint, api, token, bodies))
                assert answered == 0, f"{answered} rows answered: not taken as sent"
                push_times[key].append(took)
        async with db.read() as session:
            total = (await session.execute(text("SELECT count(*) FROM resident"))).scalar_one()
        await general.client.aclose()
        await fast.client.aclose()
    found: dict[str, float] = {"pulled": pulled, "table": total}
    for key, values in (
        ("pull_floor", times["floor"]),
        ("pull_general", times["general"]),
        ("pull_fast", times["fast"]),
        ("push_floor", push_times["floor"]),
        ("push_general", push_times["general"]),
        ("push_fast", push_times["fast"]),
    ):
        if values:
            found[key] = median(values)
    return found


_ROWS = (
    ("pull: Core + orjson floor", "pull_floor", "pull_floor"),
    ("pull: general executor", "pull_general", "pull_floor"),
    ("pull: sync fast path", "pull_fast", "pull_floor"),
    ("push: Core upsert floor", "push_floor", "push_floor"),
    ("push: general executor", "push_general", "push_floor"),
    ("push: sync fast path", "push_fast", "push_floor"),
)


def report(results: dict[str, dict[str, float]], runs: int) -> str:
    rows = []
    for dialect, r in results.items():
        for label, key, floor in _ROWS:
            if key not in r:
                continue
            n = r["pulled"] if key.startswith("pull") else PUSH_ROWS
            rows.append(
                [
                    dialect,
                    label,
                    f"{int(n)}",
                    f"{r[key] * 1000:.0f}",
                    f"{n / r[key]:,.0f}",
                    f"{r[key] / r[floor]:.2f}x",
                ]
            )
    headers = ["db", "what", "docs", "median ms", "docs/s", "vs floor"]
    return f"medians of {runs} runs\n" + table(headers, rows)


async def main(dialects: list[str], runs: int, only: str | None) -> None:
    servers = Servers()
    results: dict[str, dict[str, float]] = {}
    try:
        for dialect in dialects:
            results[dialect] = await bench(servers, dialect, runs, only)
            print(f"[{dialect}] done", flush=True)
    finally:
        servers.close()
    print(report(results, runs))
    print("targets: pull within 2x of the floor, push within 3x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("both", *DIALECTS), default="both")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", choices=("pull", "push"), help="run one of the two benchmarks")
    args = parser.parse_args()
    asyncio.run(main(list(DIALECTS) if args.db == "both" else [args.db], args.runs, args.only))
