"""``/healthz`` latency of a real ``changlang serve`` process, idle and under hostile load.

One server process (SQLite, empty data directory, uvicorn as ``changlang serve`` runs it).
A probe in this process sends ``GET /healthz`` one after another over one keep-alive
connection and records each latency. Each run measures the probe idle, then again while
attacker processes (separate processes, so that their work does not slow the probe's own
Python) send, continuously and one request at a time each:

- ``viewer495``: ``{ viewer { accountId } }`` 495 times in one 10 KB query (was 6-8 s of
  the event loop per request);
- ``viewer495-fresh``: the same with a new comment every time, so no cache helps;
- ``costly``: 30 aliases of ``households(first: 100)`` with nested pages;
- ``header``: a request with a 1 MB header;
- ``deep``: variables nested 2,000 levels.

Prints, per run and as medians over ``--runs`` runs, the probe's p50 and p99 idle and under
load, their ratio, and how many attack requests were answered (and with which statuses).
Target: p99 under load within 2x of idle.

    python bench/healthz_under_load.py --runs 5 --seconds 8
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

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._harness import table  # noqa: E402
from tests.e2e.oversized_head import send_head  # noqa: E402
from tests.e2e.server_process import running_server  # noqa: E402

VIEWER_495 = "{ " + "viewer { accountId } " * 495 + "}"
NESTED = "edges { node { residents { name household { residents { name } } } } }"
COSTLY = "{ " + " ".join(f"h{i}: households(first: 100) {{ {NESTED} }}" for i in range(30)) + " }"
DEEP = (
    b'{"query": "{ viewer { accountId } }", "variables": {"v": ' + b"[" * 2000 + b"]" * 2000 + b"}}"
)
ATTACKS = ("viewer495", "viewer495-fresh", "costly", "header", "deep")


def _attack(kind: str, base: str, stop_at: float, results: multiprocessing.Queue) -> None:
    seen: Counter[str] = Counter()
    port = int(base.rsplit(":", 1)[1])
    with httpx.Client(base_url=base, timeout=60) as client:
        n = 0
        while time.monotonic() < stop_at:
            n += 1
            if kind == "header":
                answer = send_head("127.0.0.1", port, 1024 * 1024)
                seen[str(answer.status)] += 1
                continue
            if kind == "deep":
                response = client.post(
                    "/graphql", content=DEEP, headers={"content-type": "application/json"}
                )
            else:
                query = {"viewer495": VIEWER_495, "costly": COSTLY}.get(kind)
                if query is None:
                    query = f"# {os.getpid()} {n}\n{VIEWER_495}"
                response = client.post("/graphql", json={"query": query})
            code = ""
            if response.headers.get("content-type", "").startswith("application/json"):
                errors = response.json().get("errors") or [{}]
                code = errors[0].get("extensions", {}).get("code", "")
            seen[f"{response.status_code} {code}".strip()] += 1
    results.put((kind, dict(seen)))


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


def one_run(base: str, seconds: float) -> dict[str, object]:
    idle = _probe(base, seconds)
    results: multiprocessing.Queue = multiprocessing.Queue()
    stop_at = time.monotonic() + seconds + 1.0
    workers = [
        multiprocessing.Process(target=_attack, args=(kind, base, stop_at, results))
        for kind in ATTACKS
    ]
    for worker in workers:
        worker.start()
    time.sleep(0.5)  # the attacks are under way
    loaded = _probe(base, seconds)
    answered = dict(results.get(timeout=120) for _ in workers)
    for worker in workers:
        worker.join()
    return {"idle": idle, "loaded": loaded, "answered": answered}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="changlang-healthz-") as tmp:
        env = {"CHANGLANG_DATA_DIR": str(Path(tmp) / "data"), "CHANGLANG_DATABASE_URL": ""}
        with running_server(env=env, log=Path(tmp) / "server.log") as base:
            runs = [one_run(base, args.seconds) for _ in range(args.runs)]
    rows = []
    for i, run in enumerate(runs, 1):
        idle, loaded = run["idle"], run["loaded"]
        assert isinstance(idle, list) and isinstance(loaded, list)
        rows.append(
            [
                str(i),
                f"{_p(idle, 0.5):.2f}",
                f"{_p(idle, 0.99):.2f}",
                f"{_p(loaded, 0.5):.2f}",
                f"{_p(loaded, 0.99):.2f}",
                f"{_p(loaded, 0.99) / _p(idle, 0.99):.2f}x",
                f"{len(idle)}/{len(loaded)}",
            ]
        )
    idle99 = statistics.median(_p(r["idle"], 0.99) for r in runs)  # type: ignore[arg-type]
    loaded99 = statistics.median(_p(r["loaded"], 0.99) for r in runs)  # type: ignore[arg-type]
    rows.append(
        ["median", "", f"{idle99:.2f}", "", f"{loaded99:.2f}", f"{loaded99 / idle99:.2f}x", ""]
    )
    headers = [
        "run",
        "idle p50 ms",
        "idle p99 ms",
        "load p50 ms",
        "load p99 ms",
        "p99 ratio",
        "probes",
    ]
    print(table(headers, rows))
    print("\nattack requests answered in the last run (status, code):")
    for kind, seen in runs[-1]["answered"].items():  # type: ignore[union-attr]
        print(f"  {kind}: {seen}")
    verdict = "met" if loaded99 <= 2 * idle99 else "NOT met"
    print(f"\ntarget: p99 under load within 2x of idle: {verdict}")


if __name__ == "__main__":
    main()
