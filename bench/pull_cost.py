"""Pull cost vs table size: 100 changes pulled from 10,000 residents and from 1,000,000.

    python bench/pull_cost.py --db sqlite|postgresql|both [--runs 15] [--large 1000000]

Residents are generated in SQL (``bench/_harness.py``: a recursive CTE on SQLite,
``generate_series`` on PostgreSQL), then 100 of them, spread over the whole table, are
changed (each gets a new position, as a write would). A volunteer's device whose checkpoint
stands just before those changes pulls them: through the real endpoint (the ASGI app
in-process, fast path on) and as the bare pull statement (``sync.pull.normal_statement``,
the one the pull runs). The ratio large / small should be about 1: an index serves the
pull. Both sizes stay loaded and are timed in alternation, run by run. The plan of the
statement, with bound parameters as the pull runs it, is printed (``EXPLAIN`` /
``EXPLAIN QUERY PLAN``).
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

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
    """The plan with bound parameters, as the pull runs it: not with literals, which SQLite
    plans otherwise (it folds ``position > 5 OR position = 5`` into an index range, never
    ``position > ? OR position = ?``)."""
    compiled = statement.compile(
        dialect=db.read_engine.dialect, compile_kwargs={"render_postcompile": True}
    )
    params: Any = compiled.params
    if db.dialect == "sqlite":  # qmark, and the Uuid type binds 32 hex digits there
        values = (compiled.params[name] for name in compiled.positiontup or ())
        params = tuple(v.hex if isinstance(v, uuid.UUID) else v for v in values)
    prefix = "EXPLAIN QUERY PLAN " if db.dialect == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    async with db.read_engine.connect() as connection:
        rows = (await connection.exec_driver_sql(prefix + str(compiled), params)).all()
    if db.dialect == "sqlite":
        return "\n".join(f"  {row[-1]}" for row in rows)
    return "\n".join(f"  {row[0]}" for row in rows)


@dataclass
class Setup:
    """One size, loaded and ready: the endpoint pull and the bare statement, as closures."""

    pulled: int
    loaded: float
    pull: Callable[[], Awaitable[int]]
    bare: Callable[[], Awaitable[int]]
    plan: Callable[[], Awaitable[str]]


async def one_size(stack: AsyncExitStack, servers: Servers, dialect: str, size: int) -> Setup:
    db = await stack.enter_async_context(
        fresh_database(servers, dialect, f"bench_cost_{dialect[:2]}_{size}")
    )
    world = await world_in(db)
    started = time.perf_counter()
    await load_residents(db, world, size, per_household=10, run=1)
    loaded = time.perf_counter() - started
    base, last_id = await change_some(db, world, size)
    api: Api = _client(db, fast=True)
    stack.push_async_callback(api.client.aclose)
    token = await api.login("member1a")
    first = await api.post(pull_query("resident"), {"checkpoint": None, "limit": 1}, token)
    scope_print = first["data"]["pullResident"]["checkpoint"]["id"].split("~")[1]
    checkpoint = {"id": f"{last_id}~{scope_print}", "updatedAt": float(base)}

    async def pull() -> int:
        bodies = await pull_endpoint(api, token, checkpoint)
        return sum(len(orjson.loads(b)["data"]["pullResident"]["documents"]) for b in bodies)

    collection = COLLECTIONS["resident"]
    member = ScopeSpec(world.community, world.accounts["member1a"], None, None)
    scope = with_grids(member, frozenset({world.grids["M1a"]}))
    statement = normal_statement(collection, scope, decode(*_wire(checkpoint)), 1000)

    async def bare() -> int:
        async with db.read() as session:
            connection = await session.connection()
            return len((await connection.execute(statement)).all())

    async def plan() -> str:
        return await explain(db, statement)

    pulled = await pull()
    assert await bare() == pulled
    return Setup(pulled, loaded, pull, bare, plan)


async def measure(setups: dict[int, Setup], runs: int) -> dict[tuple[int, str], float]:
    """Medians of ``runs`` rounds; each round times every size (endpoint, then statement),
    the sizes' order alternating, so that the machine's load drifting during the run hits
    both sizes alike (timing one size after the other made ratios of 0.3x to 2.7x)."""
    times: dict[tuple[int, str], list[float]] = {
        (size, what): [] for size in setups for what in ("endpoint", "statement")
    }
    order = list(setups)
    for _ in range(runs):
        for size in order:
            times[size, "endpoint"].append((await timed(setups[size].pull))[0])
            times[size, "statement"].append((await timed(setups[size].bare))[0])
        order.reverse()
    return {key: median(values) for key, values in times.items()}


def _wire(checkpoint: dict[str, Any]) -> tuple[str, float]:
    return checkpoint["id"], checkpoint["updatedAt"]


async def main(dialects: list[str], runs: int, large: int) -> None:
    servers = Servers()
    rows: list[list[str]] = []
    plans: list[str] = []
    try:
        for dialect in dialects:
            async with AsyncExitStack() as stack:
                setups = {
                    size: await one_size(stack, servers, dialect, size) for size in (SMALL, large)
                }
                found = await measure(setups, runs)
                small, big = setups[SMALL], setups[large]
                plan = await big.plan()
            for what in ("endpoint", "statement"):
                rows.append(
                    [
                        dialect,
                        what,
                        f"{small.pulled}",
                        f"{found[SMALL, what] * 1000:.2f}",
                        f"{found[large, what] * 1000:.2f}",
                        f"{found[large, what] / found[SMALL, what]:.2f}x",
                    ]
                )
            plans.append(f"[{dialect}] plan of the pull statement at {large:,} rows:\n{plan}")
            plans.append(f"[{dialect}] loaded {large:,} residents in {big.loaded:.1f} s")
            print(f"[{dialect}] done", flush=True)
    finally:
        servers.close()
    print("\n".join(plans))
    headers = ["db", "what", "docs", f"{SMALL:,} rows ms", f"{large:,} rows ms", "ratio"]
    print(f"medians of {runs} runs, the sizes interleaved")
    print(table(headers, rows))
    print("target: ratio about 1x (the index serves the pull)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("both", *DIALECTS), default="both")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--large", type=int, default=1_000_000)
    args = parser.parse_args()
    asyncio.run(main(list(DIALECTS) if args.db == "both" else [args.db], args.runs, args.large))
