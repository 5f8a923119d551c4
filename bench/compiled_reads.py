"""The compiled read path beside the general executor, in process, on the same rows.

The real ASGI app (middleware, token auth, schema) driven through ``httpx.ASGITransport``,
one client, one request at a time: what a request costs the server, without sockets. Two
apps share one database: one with ``compiled_reads`` (the default), one without (every
query through strawberry's executor). The four shapes of issue 12 as the admin sees them;
each answer is checked to be the same from both apps before anything is timed.

    python bench/compiled_reads.py --db both --residents 20000 --runs 5

Prints requests per second (median of ``--runs`` interleaved runs) and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
import orjson
from _harness import (
    DIALECTS,
    Servers,
    fresh_database,
    load_residents,
    median,
    table,
    world_in,
)

from api.app import create_app
from tests.api_client import test_settings
from tests.world import PASSWORD

ONE = """query($id: UUID!) { resident(id: $id) { ... on Resident { id name phone { value }
  household { building unit room { value } } } } }"""
PAGE = """query($n: Int!) { residents(first: $n) { edges { cursor node { id name
  phone { value hiddenReason } household { building unit room { value } grid { name } } } }
  pageInfo { hasNextPage endCursor } } }"""
TREE = """{ grids { name children { name households(first: 10) { edges { node { building
  residents { name } } } } } } }"""

SHAPES: list[tuple[str, str, dict[str, Any]]] = [
    ("one resident + household", ONE, {}),
    ("first 20 + household + grid", PAGE, {"n": 20}),
    ("first 500", PAGE, {"n": 500}),
    ("grids > micro-grids > 10 households > residents", TREE, {}),
]


async def _post(client: httpx.AsyncClient, token: str, query: str, variables: Any) -> bytes:
    response = await client.post(
        "/graphql",
        content=orjson.dumps({"query": query, "variables": variables}),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    return response.content


async def _rate(client: httpx.AsyncClient, token: str, query: str, variables: Any) -> float:
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < 1.0 or count < 3:
        await _post(client, token, query, variables)
        count += 1
    return count / (time.perf_counter() - started)


async def one_dialect(servers: Servers, dialect: str, residents: int, runs: int) -> list[Any]:
    rows = []
    async with fresh_database(servers, dialect, f"compiled_{dialect}") as db:
        world = await world_in(db)
        await load_residents(db, world, residents, per_household=3, run=1)
        limits = {"max_page_size": 500, "max_query_cost": 10_000_000}
        clients = {
            name: httpx.AsyncClient(
                transport=httpx.ASGITransport(
                    app=create_app(test_settings(compiled_reads=on, **limits), db=db)
                ),
                base_url="http://bench",
            )
            for name, on in (("compiled", True), ("general", False))
        }
        login = await _post(
            clients["general"],
            "",
            'mutation($p: String!) { login(username: "admin", password: $p) {'
            " ... on AuthSession { accessToken } } }",
            {"p": PASSWORD},
        )
        token = orjson.loads(login)["data"]["login"]["accessToken"]
        first = orjson.loads(await _post(clients["general"], token, PAGE, {"n": 1}))
        some_id = first["data"]["residents"]["edges"][0]["node"]["id"]
        for name, query, variables in SHAPES:
            given = {**variables, "id": some_id} if "$id" in query else variables
            answers = [orjson.loads(await _post(c, token, query, given)) for c in clients.values()]
            assert orjson.dumps(answers[0]) == orjson.dumps(answers[1]), name
            rates: dict[str, list[float]] = {"compiled": [], "general": []}
            for _ in range(runs):
                for label, client in clients.items():
                    rates[label].append(await _rate(client, token, query, given))
            compiled, general = median(rates["compiled"]), median(rates["general"])
            rows.append(
                [dialect, name, f"{general:.1f}", f"{compiled:.1f}", f"{compiled / general:.1f}x"]
            )
            print(" | ".join(rows[-1]), flush=True)
        for client in clients.values():
            await client.aclose()
    return rows


async def main(dialects: list[str], residents: int, runs: int) -> None:
    servers = Servers()
    try:
        rows = []
        for dialect in dialects:
            rows += await one_dialect(servers, dialect, residents, runs)
    finally:
        servers.close()
    print()
    print(f"{residents} residents; req/s, one client in process, median of {runs} runs")
    print(table(["db", "shape", "general", "compiled", "ratio"], rows))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=[*DIALECTS, "both"], default="both")
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    chosen = list(DIALECTS) if args.db == "both" else [args.db]
    asyncio.run(main(chosen, args.residents, args.runs))
