"""``/healthz`` latency of a real ``changlang serve`` process, idle and under hostile load.

One server process (SQLite, empty data directory, uvicorn as ``changlang serve`` runs it).
A probe in this process sends ``GET /healthz`` one after another over one keep-alive
connection and records each latency. Each run measures the probe idle, then while
``--clients`` client processes (separate, so that their work does not slow the probe's own
Python) send ``{ viewer { accountId } }`` continuously (the baseline: ordinary traffic at the
same rate of requests), then while they send, continuously, one request at a time each, in
turn:

- ``viewer495``: ``{ viewer { accountId } }`` 495 times in one 10 KB query (was 6-8 s of
  the event loop per request);
- ``viewer495-fresh``: the same with a new comment every time, so no cache helps;
- ``costly``: 30 aliases of ``households(first: 100)`` with nested pages;
- ``header``: a request with a 1 MB header;
- ``deep``: variables nested 2,000 levels.

Prints, per run and as medians over ``--runs`` runs, the probe's p50 and p99 idle, under
ordinary and under hostile load, the ratios, and how the attack requests were answered.
Target: p99 under hostile load within 2x of idle. On a busy machine any load raises p99;
hostile against ordinary load says what the hostile requests themselves cost.

    python bench/healthz_under_load.py --runs 5 --seconds 8 --clients 1
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._harness import table  # noqa: E402
from tests.e2e.oversized_head import send_head  # noqa: E402
from tests.e2e.server_process import running_server  # noqa: E402

BENIGN_QUERY = "{ viewer { accountId } }"
VIEWER_495 = "{ " + "viewer { accountId } " * 495 + "}"
NESTED = "edges { node { residents { name household { residents { name } } } } }"
COSTLY = "{ " + " ".join(f"h{i}: households(first: 100) {{ {NESTED} }}" for i in range(30)) + " }"
DEEP = (
    b'{"query": "{ viewer { accountId } }", "variables": {"v": ' + b"[" * 2000 + b"]" * 2000 + b"}}"
)
ATTACKS = ("viewer495", "viewer495-fresh", "costly", "header", "deep")
BENIGN = ("benign",)


def _attack(
    kinds: tuple[str, ...], base: str, stop_at: float, results: multiprocessing.Queue
) -> None:
    seen: Counter[str] = Counter()
    port = int(base.rsplit(":", 1)[1])
    with httpx.Client(base_url=base, timeout=60) as client:
        n = 0
        while time.monotonic() < stop_at:
            n += 1
            kind = kinds[n % len(kinds)]
            if kind == "header":
                answer = send_head("127.0.0.1", port, 1024 * 1024)
                seen[f"{kind} {answer.status}"] += 1
                continue
            if kind == "deep":
                response = client.post(
                    "/graphql", content=DEEP, headers={"content-type": "application/json"}
                )
            else:
                known = {"viewer495": VIEWER_495, "costly": COSTLY, "benign": BENIGN_QUERY}
                query = known.get(kind)
                if query is None:
                    query = f"# {os.getpid()} {n}\n{VIEWER_495}"
                response = client.post("/graphql", json={"query": query})
            code = ""
            if response.headers.get("content-type", "").startswith("application/json"):
                errors = response.json().get("errors") or [{}]
                code = errors[0].get("extensions", {}).get("code", "")
            seen[f"{kind} {response.status_code} {code}".strip()] += 1
    results.put(dict(seen))


def _probe(base: str, seconds: float) -> list[float]:
    latencies: list[float] = []
    with httpx.Client(base_url=base, timeout=30) as client:
        client.get("/healthz")
        stop_at = time.monotonic() + seconds
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            response = client.get("/healthz")
            latencies.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
            time.sleep(0.002)
    return latencies


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _under_load(
    base: str, seconds: float, clients: int, kinds: tuple[str, ...]
) -> tuple[list[float], Counter[str]]:
    results: multiprocessing.Queue = multiprocessing.Queue()
    stop_at = time.monotonic() + seconds + 1.0
    workers = [
        multiprocessing.Process(target=_attack, args=(kinds, base, stop_at, results))
        for _ in range(clients)
    ]
    for worker in workers:
        worker.start()
    time.sleep(0.5)  # the clients are under way
    latencies = _probe(base, seconds)
    answered: Counter[str] = Counter()
    for _ in workers:
        answered.update(results.get(timeout=120))
    for worker in workers:
        worker.join()
    return latencies, answered


def one_run(base: str, seconds: float, clients: int) -> dict[str, Any]:
    idle = _probe(base, seconds)
    benign, benign_answered = _under_load(base, seconds, clients, BENIGN)
    hostile, answered = _under_load(base, seconds, clients, ATTACKS)
    return {
        "idle": idle,
        "benign": benign,
        "hostile": hostile,
        "answered": answered,
        "benign_answered": benign_answered,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--clients", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="changlang-healthz-") as tmp:
        env = {"CHANGLANG_DATA_DIR": str(Path(tmp) / "data"), "CHANGLANG_DATABASE_URL": ""}
        with running_server(env=env, log=Path(tmp) / "server.log") as base:
            runs = [one_run(base, args.seconds, args.clients) for _ in range(args.runs)]
    rows = []
    for i, run in enumerate(runs, 1):
        idle, benign, hostile = (_p(run[k], 0.99) for k in ("idle", "benign", "hostile"))
        rows.append(
            [
                str(i),
                f"{_p(run['idle'], 0.5):.2f}",
                f"{idle:.2f}",
                f"{benign:.2f}",
                f"{_p(run['hostile'], 0.5):.2f}",
                f"{hostile:.2f}",
                f"{hostile / idle:.2f}x",
                f"{hostile / benign:.2f}x",
            ]
        )
    medians = {
        k: statistics.median(_p(r[k], 0.99) for r in runs) for k in ("idle", "benign", "hostile")
    }
    rows.append(
        [
            "median",
            "",
            f"{medians['idle']:.2f}",
            f"{medians['benign']:.2f}",
            "",
            f"{medians['hostile']:.2f}",
            f"{medians['hostile'] / medians['idle']:.2f}x",
            f"{medians['hostile'] / medians['benign']:.2f}x",
        ]
    )
    headers = [
        "run",
        "idle p50",
        "idle p99",
        "ordinary p99",
        "hostile p50",
        "hostile p99",
        "vs idle",
        "vs ordinary",
    ]
    print(f"/healthz latency in ms, {args.clients} client process(es), {args.seconds:g} s each")
    print(table(headers, rows))
    print("\nrequests answered in the last run (kind, status, code):")
    print(f"  ordinary: {dict(runs[-1]['benign_answered'])}")
    print(f"  hostile: {dict(sorted(runs[-1]['answered'].items()))}")
    verdict = "met" if medians["hostile"] <= 2 * medians["idle"] else "NOT met"
    print(f"\ntarget: p99 under hostile load within 2x of idle: {verdict}")


if __name__ == "__main__":
    main()
