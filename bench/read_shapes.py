"""Six read shapes, five ways, on one database: changlang against its floor and its peer.

For each database the demo is scaled (``_scaled_demo``: 100,000 residents, 40,000
households, 10 grids, 100 micro-grids, a ledger, a vote with 20,000 ballots at ``--scale 1``)
and each shape is answered by:

- *floor*: the one SQL statement that writes the same JSON, run with the driver directly;
- *bare*: a Starlette route running that statement under uvicorn (``_bare_route``);
- *postgraphile* (PostgreSQL only): PostGraphile 5, the equivalent GraphQL (``_postgraphile``);
- *changlang*: a real ``changlang serve`` process, the admin's token, compiled reads on.

First every answer is checked: changlang, bare and floor must give equal JSON, PostGraphile
the same rows. Then (unless ``--smoke``) wrk loads each server at each ``--connections``,
``--rounds`` times, interleaved (round by round, level by level, shape by shape, every system
in turn), and the table gives medians over rounds: req/s, p50/p99 latency, statements per
request, server and PostgreSQL CPU per request (``_processes``, ``_read_measure``).

    python bench/read_shapes.py --db both --seconds 5 --rounds 2 --json /tmp/read.json
    python bench/read_shapes.py --smoke            # tiny scale, answers only, no wrk
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _postgraphile as pgl
import httpx
import orjson
from _harness import DIALECTS, Servers, fresh_database
from _processes import Load, running, settle, tree_cpu_seconds, wrk
from _read_floors import statement
from _read_measure import floor_answer, floor_load, pg_statements, sqlite_changlang_statements
from _read_report import machine, report
from _scaled_demo import Scale, ScaledDemo, build_scaled_demo
from _shapes import SHAPES, Shape, floor_parameters, variables

from tests.e2e.server_process import free_port
from tests.world import PASSWORD, PII_KEY

SECRET = "bench-secret-key-0123456789-abcdefghijkl"
LIMITS = {"max_page_size": 500, "max_query_cost": 10_000_000}


async def _build(servers: Servers, dialect: str, scale: Scale) -> tuple[str, ScaledDemo]:
    async with fresh_database(servers, dialect, f"read_shapes_{dialect}") as db:
        return db.url, await build_scaled_demo(db, scale)


class Systems:
    """The running servers of one database and how to ask each for a shape."""

    def __init__(self, dialect: str, url: str, demo: ScaledDemo, servers: Servers, tmp: Path):
        self.dialect, self.url, self.demo, self.servers, self.tmp = dialect, url, demo, servers, tmp
        self.dsn = url.replace("+psycopg", "") if dialect == "postgresql" else url.split("///")[1]
        self.base: dict[str, str] = {}
        self.pids: dict[str, int] = {}
        self.token = ""

    def body(self, system: str, shape: Shape) -> tuple[str, bytes, dict[str, str]]:
        if system == "changlang":
            payload: Any = {"query": shape.query, "variables": variables(shape, self.demo)}
            headers = {"Authorization": f"Bearer {self.token}"}
            return f"{self.base[system]}/graphql", orjson.dumps(payload), headers
        if system == "postgraphile":
            payload = pgl.request(shape, self.demo)
            return f"{self.base[system]}/graphql", orjson.dumps(payload), {}
        parameters = floor_parameters(shape, self.demo, self.dialect)
        return f"{self.base[system]}/{shape.key}", orjson.dumps(_jsonable(parameters)), {}

    def ask(self, system: str, shape: Shape) -> Any:
        url, body, headers = self.body(system, shape)
        headers = {**headers, "Content-Type": "application/json"}
        response = httpx.post(url, content=body, headers=headers, timeout=120)
        answer = response.json()
        if response.status_code != 200 or "errors" in answer:
            raise AssertionError(
                f"{system} {shape.key}: {response.status_code} {response.text[:500]}"
            )
        return answer

    def floor(self, shape: Shape) -> Any:
        parameters = floor_parameters(shape, self.demo, self.dialect)
        return floor_answer(self.dialect, self.dsn, statement(shape.key, self.dialect), parameters)


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v if isinstance(v, int | str) else str(v) for k, v in values.items()}


def agree(name: str, shape: str, answer: Any, floor: Any) -> None:
    """Raise unless ``answer`` holds what the floor's does (PostGraphile: the same rows)."""
    if name == "postgraphile":
        same = pgl.rows_of(shape, answer, peer=True) == pgl.rows_of(shape, floor, peer=False)
        assert same, f"postgraphile {shape}: different rows from the floor"
    else:
        assert answer == floor, f"{name} {shape}: different JSON from the floor"


def check(systems: Systems, names: list[str]) -> dict[str, dict[str, Any]]:
    """Every system's answer to every shape agrees with the floor's; returns the answers."""
    answers: dict[str, dict[str, Any]] = {}
    for shape in SHAPES:
        answers[shape.key] = {"floor": systems.floor(shape)}
        for name in names:
            answers[shape.key][name] = systems.ask(name, shape)
            agree(name, shape.key, answers[shape.key][name], answers[shape.key]["floor"])
    return answers


def statements(systems: Systems, names: list[str]) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for shape in SHAPES:
        found[("floor", shape.key)] = "1"
        for name in names:
            if systems.dialect == "postgresql":
                log = systems.servers.postgres.directory / "log"  # type: ignore[union-attr]
                admin = systems.servers.postgres.admin_url.replace("+psycopg", "")  # type: ignore[union-attr]
                n, tx = pg_statements(admin, log, partial(systems.ask, name, shape))
                found[(name, shape.key)] = f"{n}" + (f" ({tx} tx)" if tx else "")
            elif name == "changlang":
                _, body, _ = systems.body(name, shape)
                n = sqlite_changlang_statements(systems.url, _settings(), systems.token, body)
                found[(name, shape.key)] = str(n)
            else:
                found[(name, shape.key)] = "1"
    return found


def _settings() -> dict[str, Any]:
    return {"secret_key": SECRET, "pii_key": PII_KEY, **LIMITS}


def measure(systems: Systems, names: list[str], args: argparse.Namespace) -> list[dict[str, Any]]:
    postmaster = _postmaster(systems)
    samples: list[dict[str, Any]] = []
    for round_ in range(args.rounds):
        for connections in args.connections:
            for shape in SHAPES:
                order = names[round_ % len(names) :] + names[: round_ % len(names)]
                for name in ["floor", *order]:
                    pg_before = tree_cpu_seconds(postmaster) if postmaster else 0.0
                    server_before = (
                        tree_cpu_seconds(systems.pids[name]) if name in systems.pids else 0.0
                    )
                    if name == "floor":
                        parameters = floor_parameters(shape, systems.demo, systems.dialect)
                        sql = statement(shape.key, systems.dialect)
                        load = floor_load(
                            systems.dialect, systems.dsn, sql, parameters, connections, args.seconds
                        )
                    else:
                        url, body, headers = systems.body(name, shape)
                        load = wrk(url, body, headers, connections, args.seconds, systems.tmp)
                    samples.append(
                        _sample(
                            systems,
                            name,
                            shape,
                            connections,
                            round_,
                            load,
                            postmaster,
                            pg_before,
                            server_before,
                        )
                    )
                    busy = [p for p in (systems.pids.get(name), postmaster) if p]
                    samples[-1]["settled_s"] = settle(busy) if name != "floor" else 0.0
                    print(_line(samples[-1]), flush=True)
    return samples


def _sample(systems: Systems, name: str, shape: Shape, connections: int, round_: int,
            load: Load, postmaster: int | None, pg_before: float,
            server_before: float) -> dict[str, Any]:  # fmt: skip
    done = max(load.requests, 1)
    server = (
        (tree_cpu_seconds(systems.pids[name]) - server_before) if name in systems.pids else None
    )
    pg = (tree_cpu_seconds(postmaster) - pg_before) if postmaster else None
    return {
        "db": systems.dialect, "system": name, "shape": shape.key, "connections": connections,
        "round": round_, "requests": load.requests, "seconds": load.seconds, "errors": load.errors,
        "rate": load.rate, "p50_ms": load.p50_ms, "p99_ms": load.p99_ms,
        "server_cpu_ms": None if server is None else server * 1000 / done,
        "pg_cpu_ms": None if pg is None else pg * 1000 / done,
    }  # fmt: skip


def _line(s: dict[str, Any]) -> str:
    return (
        f"{s['db']} r{s['round']} c{s['connections']} {s['shape']:8} {s['system']:12}"
        f" {s['rate']:9.1f} req/s p50 {s['p50_ms']:.2f} ms p99 {s['p99_ms']:.2f} ms"
        f" errors {s['errors']} settled {s['settled_s']:.1f} s"
        f" server CPU {s['server_cpu_ms'] or 0:.2f} ms PG CPU {s['pg_cpu_ms'] or 0:.2f} ms"
    )


def _postmaster(systems: Systems) -> int | None:
    if systems.dialect != "postgresql" or systems.servers.postgres is None:
        return None
    pid_file = systems.servers.postgres.directory / "data" / "postmaster.pid"
    return int(pid_file.read_text().split()[0])


def one_database(
    servers: Servers, dialect: str, args: argparse.Namespace, tmp: Path
) -> dict[str, Any]:
    url, demo = asyncio.run(_build(servers, dialect, Scale.of(args.scale)))
    systems = Systems(dialect, url, demo, servers, tmp)
    names = ["bare", "changlang"]
    workers = str(args.workers)
    env = {
        "CHANGLANG_DATABASE_URL": url, "CHANGLANG_SECRET_KEY": SECRET, "CHANGLANG_PII_KEY": PII_KEY,
        "CHANGLANG_DATA_DIR": str(tmp / f"data-{dialect}"), "CHANGLANG_COMPILED_READS": "1",
        "CHANGLANG_MAX_PAGE_SIZE": "500", "CHANGLANG_MAX_QUERY_COST": "10000000",
        "CHANGLANG_ACCESS_TOKEN_SECONDS": "86400",
    }  # fmt: skip
    changlang = [str(Path(sys.executable).parent / "changlang"), "serve", "--workers", workers]
    bare = [sys.executable, "-m", "uvicorn", "_bare_route:app_from_env", "--factory",
            "--workers", workers, "--no-access-log", "--log-level", "warning"]  # fmt: skip
    with (
        _serve(systems, "changlang", changlang, env, tmp),
        _serve(systems, "bare", bare, {"BENCH_DIALECT": dialect, "BENCH_DSN": systems.dsn}, tmp),
        _peer(systems, args, tmp, names),
    ):
        login = httpx.post(
            f"{systems.base['changlang']}/graphql",
            json={"query": 'mutation($p: String!) { login(username: "admin", password: $p)'
                  " { ... on AuthSession { accessToken } } }", "variables": {"p": PASSWORD}},
        )  # fmt: skip
        systems.token = login.json()["data"]["login"]["accessToken"]
        answers = check(systems, names)
        print(
            f"{dialect}: answers agree ({', '.join(names)}, floor): {', '.join(answers)}",
            flush=True,
        )
        result: dict[str, Any] = {"db": dialect, "scale": vars(demo.scale), "systems": names}
        result["checked"] = list(answers)
        if args.smoke:
            result["answers"] = answers
        else:
            result["statements"] = {
                f"{k[0]}/{k[1]}": v for k, v in statements(systems, names).items()
            }
            result["samples"] = measure(systems, names, args)
    return result


def _serve(systems: Systems, name: str, command: list[str], env: dict[str, str], tmp: Path) -> Any:
    port = free_port()
    command = [*command, "--port", str(port)] if name != "postgraphile" else command
    return _Started(
        systems, name, running(name, command, env=env, port=port, log=tmp / f"{name}.log")
    )


class _Started:
    """Enters ``running`` and records the server's address and pid on ``systems``."""

    def __init__(self, systems: Systems, name: str, context: Any) -> None:
        self.systems, self.name, self.context = systems, name, context

    def __enter__(self) -> None:
        server = self.context.__enter__()
        self.systems.base[self.name] = server.base
        self.systems.pids[self.name] = server.pid

    def __exit__(self, *exc: Any) -> None:
        self.context.__exit__(*exc)


def _peer(systems: Systems, args: argparse.Namespace, tmp: Path, names: list[str]) -> Any:
    if systems.dialect != "postgresql" or args.no_postgraphile:
        return _Nothing()
    pgl.install()
    pgl.prepare(systems.dsn)
    names.insert(0, "postgraphile")
    port = free_port()
    dsn = systems.dsn.replace("postgres@", f"{pgl.ROLE}@")
    context = running("postgraphile", pgl.command(), env=pgl.environment(dsn, port), port=port,
                      log=tmp / "postgraphile.log", cwd=pgl.HOME)  # fmt: skip
    return _Started(systems, "postgraphile", context)


class _Nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=[*DIALECTS, "both"], default="both")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument(
        "--connections", type=lambda s: [int(c) for c in s.split(",")], default=[1, 16, 64]
    )
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--smoke", action="store_true", help="tiny scale, check the answers only")
    parser.add_argument("--no-postgraphile", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if args.smoke and args.scale == 1.0:
        args.scale = 0.002
    chosen = list(DIALECTS) if args.db == "both" else [args.db]
    servers = Servers()
    results: dict[str, Any] = {
        "machine": machine(),
        "args": {k: str(v) for k, v in vars(args).items()},
    }
    results["note"] = pgl.NOTE
    try:
        with tempfile.TemporaryDirectory(prefix="changlang-read-") as tmp:
            results["databases"] = []
            for dialect in chosen:
                results["databases"].append(one_database(servers, dialect, args, Path(tmp)))
                if args.json:  # written after each database: a later failure keeps it
                    args.json.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2))
    finally:
        servers.close()
    results["machine_after"] = machine()
    if not args.smoke:
        print(report(results))
    if args.json:
        args.json.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2))
    return results


if __name__ == "__main__":
    main()
