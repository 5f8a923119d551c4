"""What Python's garbage collector costs a request loop, under its defaults and tuned.

The real ASGI app driven in process through ``httpx.ASGITransport`` (as
``compiled_reads.py`` drives it), one client, one request at a time: the first 20 residents
with household and micro-grid, as the admin, through the compiled read path (the server's
default) and through the general executor. Each setting runs in turn, interleaved, each
round starting with the next one:

- *default*: ``gc.set_threshold(700, 10, 10)``, nothing frozen;
- *frozen*: what ``api.gc_tuning.tune`` does at server start: the startup heap (app,
  schema, SQLAlchemy, catalogs) moved out of the collector's reach with ``gc.freeze()``;
- *raised*: frozen, and the thresholds raised as well (10,000, 10, 10, or ``--thresholds``).

Collections are counted per generation with ``gc.callbacks``.

    python bench/gc_cost.py --db both --residents 5000 --runs 5 --requests 300
    python bench/gc_cost.py --db both --residents 5000 --runs 3 --requests 40 --first 500

Prints the median CPU time per request of ``--runs`` runs, the ratio to the default, and the
collections each run set off.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
import orjson
from _harness import DIALECTS, Servers, fresh_database, load_residents, median, table, world_in

from api import gc_tuning
from api.app import create_app
from tests.api_client import test_settings
from tests.world import PASSWORD

PAGE = """query($n: Int!) { residents(first: $n) { edges { cursor node { id name
  phone { value hiddenReason } household { building unit room { value } grid { name } } } }
  pageInfo { hasNextPage endCursor } } }"""


DEFAULT_THRESHOLDS = (700, 10, 10)
RAISED = [10_000, 10, 10]


def default() -> None:
    gc.unfreeze()
    gc.set_threshold(*DEFAULT_THRESHOLDS)


def frozen() -> None:
    gc.unfreeze()
    gc.set_threshold(*DEFAULT_THRESHOLDS)
    gc_tuning.tune()


def raised() -> None:
    frozen()
    gc.set_threshold(*RAISED)


SETTINGS = {"default": default, "frozen": frozen, "raised": raised}


class Collections:
    """Counts the collections of each generation while it is installed."""

    def __init__(self) -> None:
        self.counts = [0, 0, 0]

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self.counts[info["generation"]] += 1


async def _post(client: httpx.AsyncClient, token: str, query: str, variables: Any) -> bytes:
    response = await client.post(
        "/graphql",
        content=orjson.dumps({"query": query, "variables": variables}),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    return response.content


async def _run(
    client: httpx.AsyncClient, token: str, requests: int, first: int
) -> tuple[float, list[int]]:
    """CPU seconds per request (the whole process: the event loop and aiosqlite's thread,
    not PostgreSQL's), and the collections of each generation the loop set off. CPU time,
    not wall time: other processes on a shared machine then move the figures less."""
    counter = Collections()
    gc.callbacks.append(counter)
    try:
        started = time.process_time()
        for _ in range(requests):
            await _post(client, token, PAGE, {"n": first})
        elapsed = time.process_time() - started
    finally:
        gc.callbacks.remove(counter)
    return elapsed / requests, counter.counts


async def one_dialect(
    servers: Servers, dialect: str, residents: int, runs: int, requests: int, first: int
) -> list[list[str]]:
    rows = []
    async with fresh_database(servers, dialect, f"gc_{dialect}") as db:
        world = await world_in(db)
        await load_residents(db, world, residents, per_household=3, run=1)
        for path, compiled in (("compiled", True), ("general", False)):
            limits = {"max_page_size": 500, "max_query_cost": 10_000_000}
            app = create_app(test_settings(compiled_reads=compiled, **limits), db=db)
            client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b")
            login = await _post(
                client,
                "",
                'mutation($p: String!) { login(username: "admin", password: $p) {'
                " ... on AuthSession { accessToken } } }",
                {"p": PASSWORD},
            )
            token = orjson.loads(login)["data"]["login"]["accessToken"]
            await _run(client, token, 20, first)  # warm: caches, pool, first parse
            times: dict[str, list[float]] = {name: [] for name in SETTINGS}
            counts: dict[str, list[list[int]]] = {name: [] for name in SETTINGS}
            order = list(SETTINGS.items())
            for run in range(runs):
                for name, apply in order[run % 3 :] + order[: run % 3]:
                    apply()
                    per_request, seen = await _run(client, token, requests, first)
                    times[name].append(per_request)
                    counts[name].append(seen)
            default()
            await client.aclose()
            base = median(times["default"])
            for name in SETTINGS:
                ms = median(times[name])
                gens = [median([float(c[g]) for c in counts[name]]) for g in range(3)]
                rows.append(
                    [
                        dialect,
                        path,
                        name,
                        f"{ms * 1e3:.2f}",
                        f"{ms / base:.2f}",
                        "/".join(f"{g:.0f}" for g in gens),
                    ]
                )
                print(" | ".join(rows[-1]), flush=True)
    return rows


async def main(dialects: list[str], residents: int, runs: int, requests: int, first: int) -> None:
    servers = Servers()
    try:
        rows = []
        for dialect in dialects:
            rows += await one_dialect(servers, dialect, residents, runs, requests, first)
    finally:
        servers.close()
    print()
    print(
        f"{residents} residents; first {first} + household + grid, {requests} requests a run, "
        f"median of {runs} interleaved runs; raised = frozen + {tuple(RAISED)}"
    )
    headers = ["db", "path", "gc", "CPU ms/request", "vs default", "collections gen0/1/2 per run"]
    print(table(headers, rows))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=[*DIALECTS, "both"], default="both")
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--first", type=int, default=20, help="page size (issue 12: also 500)")
    parser.add_argument("--thresholds", help="the raised setting's, e.g. 50000,20,100")
    args = parser.parse_args()
    if args.thresholds:
        RAISED[:] = [int(part) for part in args.thresholds.split(",")]
    chosen = list(DIALECTS) if args.db == "both" else [args.db]
    asyncio.run(main(chosen, args.residents, args.runs, args.requests, args.first))
