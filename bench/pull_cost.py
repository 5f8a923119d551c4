"""Pull cost vs table size: 100 changes pulled from 10,000 residents and from 1,000,000.

    python bench/pull_cost.py --db sqlite|postgresql|both [--runs 15] [--large 1000000]

Residents are generated in SQL (``bench/_harness.py``: a recursive CTE on SQLite,
``generate_series`` on PostgreSQL), then 100 of them, spread over the whole table, are
changed (each gets a new position, as a write would). A volunteer's device whose checkpoint
stands just before those changes pulls them: through the real endpoint (the ASGI app
in-process, fast path on) and as the bare pull statement (``sync.pull.normal_statement``,
the one the pull runs). The ratio large / small should be about 1: an index serves the
pull. The plan of the statement is printed (``EXPLAIN`` / ``EXPLAIN QUERY PLAN``).
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from typing import Any

import orjson
from _harness import DIALECTS, Servers, fresh_database, load_residents, median, table, world_in
from sqlalchemy import bindparam, select, text, update
from sync_throughput import _client, pull_endpoint

from domain.database import Database
from domain.models import Household, Resident
from sync.checkpoint import decode
from sync.collections import COLLECTIONS
from sync.declaration import ScopeSpec
from sync.pull import normal_statement
from sync.scope import with_grids
from tests.api_client import Api
from tests.sync.client import pull_query
from tests.world import World

CHANGES = 100
SMALL = 10_000


async def change_some(db: Database, world: World, total: int) -> tuple[int, str]:
    """Give 100 residents of the volunteer's grid, spread over the table, new positions.
    Returns the position just before them and the last id before them."""
    step = max(1, total // (CHANGES * 2))
    async with db.write_engine.begin() as connection:
        base = (
            await connection.execute(
                text("SELECT last_position FROM change_counter WHERE community_id = :c"),
                {"c": world.community.hex if db.dialect == "sqlite" else world.community},
            )
        ).scalar_one()
        r, h = Resident.__table__.c, Household.__table__.c
        ids = (
            await connection.execute(
                select(r.id)
                .join(Household.__table__, h.id == r.household_id)
                .where(h.grid_id == world.grids["M1a"], (r.position % step) == 0)
                .limit(CHANGES)
            )
        ).scalars()
        changes = [
            {"i": found, "p": base + number + 1, "n": f"改{number}"}
            for number, found in enumerate(ids)
        ]
        await connection.execute(
            update(Resident.__table__)
            .where(r.id == bindparam("i"))
            .values(position=bindparam("p"), name=bindparam("n")),
            changes,
        )
        await connection.execute(
            text("UPDATE change_counter SET last_position = :p WHERE community_id = :c"),
            {
                "p": base + len(changes),
                "c": world.community.hex if db.dialect == "sqlite" else world.community,
            },
        )
        last = (
            await connection.execute(select(r.id).where(r.position == base).limit(1))
        ).scalar_one_or_none()
    return base, str(last or uuid.UUID(int=0))


async def explain(db: Database, statement: Any) -> str:
    compiled = statement.compile(
        dialect=db.read_engine.dialect, compile_kwargs={"literal_binds": True}
    )
    prefix = "EXPLAIN QUERY PLAN " if db.dialect == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    async with db.read_engine.connect() as connection:
        rows = (await connection.exec_driver_sql(prefix + str(compiled))).all()
    if db.dialect == "sqlite":
        return "\n".join(f"  {row[-1]}" for row in rows)
    return "\n".join(f"  {row[0]}" for row in rows)


async def one_size(servers: Servers, dialect: str, size: int, runs: int) -> dict[str, Any]:
    async with fresh_database(servers, dialect, f"bench_cost_{dialect[:2]}_{size}") as db:
        world = await world_in(db)
        started = time.perf_counter()
        await load_residents(db, world, size, per_household=10, run=1)
        loaded = time.perf_counter() - started
        base, last_id = await change_some(db, world, size)
        api: Api = _client(db, fast=True)
        token = await api.login("member1a")
        first = await api.post(pull_query("resident"), {"checkpoint": None, "limit": 1}, token)
        scope_print = first["data"]["pullResident"]["checkpoint"]["id"].split("~")[1]
        checkpoint = {"id": f"{last_id}~{scope_print}", "updatedAt": float(base)}

        async def pull() -> int:
            bodies = await pull_endpoint(api, token, checkpoint)
            return sum(len(orjson.loads(b)["data"]["pullResident"]["documents"]) for b in bodies)

        pulled = await pull()
        collection = COLLECTIONS["resident"]
        member = ScopeSpec(world.community, world.accounts["member1a"], None, None)
        scope = with_grids(member, frozenset({world.grids["M1a"]}))
        statement = normal_statement(collection, scope, decode(*_wire(checkpoint)), 1000)

        async def bare() -> int:
            async with db.read() as session:
                connection = await session.connection()
                return len((await connection.execute(statement)).all())

        assert await bare() == pulled
        endpoint_times, statement_times = [], []
        for _ in range(runs):
            began = time.perf_counter()
            await pull()
            endpoint_times.append(time.perf_counter() - began)
            began = time.perf_counter()
            await bare()
            statement_times.append(time.perf_counter() - began)
        plan = await explain(db, statement)
        await api.client.aclose()
    return {
        "pulled": pulled,
        "loaded": loaded,
        "endpoint": median(endpoint_times),
        "statement": median(statement_times),
        "plan": plan,
    }


def _wire(checkpoint: dict[str, Any]) -> tuple[str, float]:
    return checkpoint["id"], checkpoint["updatedAt"]


async def main(dialects: list[str], runs: int, large: int) -> None:
    servers = Servers()
    rows: list[list[str]] = []
    plans: list[str] = []
    try:
        for dialect in dialects:
            found = {size: await one_size(servers, dialect, size, runs) for size in (SMALL, large)}
            small, big = found[SMALL], found[large]
            for what in ("endpoint", "statement"):
                rows.append(
                    [
                        dialect,
                        what,
                        f"{small['pulled']}",
                        f"{small[what] * 1000:.2f}",
                        f"{big[what] * 1000:.2f}",
                        f"{big[what] / small[what]:.2f}x",
                    ]
                )
            plans.append(
                f"[{dialect}] plan of the pull statement at {large:,} rows:\n{big['plan']}"
            )
            plans.append(f"[{dialect}] loaded {large:,} residents in {big['loaded']:.1f} s")
            print(f"[{dialect}] done", flush=True)
    finally:
        servers.close()
    print("\n".join(plans))
    headers = ["db", "what", "docs", f"{SMALL:,} rows ms", f"{large:,} rows ms", "ratio"]
    print(f"medians of {runs} runs")
    print(table(headers, rows))
    print("target: ratio about 1x (the index serves the pull)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("both", *DIALECTS), default="both")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--large", type=int, default=1_000_000)
    args = parser.parse_args()
    asyncio.run(main(list(DIALECTS) if args.db == "both" else [args.db], args.runs, args.large))
