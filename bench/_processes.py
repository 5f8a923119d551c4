"""Servers as real processes, the CPU they spend, and what wrk measures against them.

CPU is read from ``/proc/<pid>/stat`` (utime + stime, and cutime + cstime for children that
have exited and been reaped) summed over a process and all its descendants: a uvicorn master
and its workers, the Node process, or PostgreSQL's postmaster and every backend. Sampled
before and after a load run, the difference divided by the requests answered is the CPU
per request, whoever in the tree spent it.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

TICK = os.sysconf("SC_CLK_TCK")
BENCH = Path(__file__).resolve().parent


def _children(pid: int) -> list[int]:
    """Children of ``pid``; a process that has just exited has none (it is in its parent's
    cutime by then, or will be once reaped)."""
    found = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").glob("*/children"))
    except OSError:
        return []
    for task in tasks:
        try:
            found += [int(p) for p in task.read_text().split()]
        except OSError:
            continue
    return found


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and its descendants, reaped children included."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(fields[i]) for i in (11, 12, 13, 14))
        pending += _children(current)
    return total / TICK


@dataclass
class Server:
    name: str
    base: str
    process: subprocess.Popen[bytes]

    @property
    def pid(self) -> int:
        return self.process.pid


@contextmanager
def running(
    name: str, command: list[str], *, env: dict[str, str], port: int, log: Path, cwd: Path = BENCH
) -> Iterator[Server]:
    """Start ``command`` and yield it once ``/readyz`` (or ``/graphql``'s GET) answers."""
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env={**os.environ, **env}, stdout=output, stderr=subprocess.STDOUT, cwd=cwd
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited:\n{log.read_text(errors='replace')[-3000:]}")
                try:
                    if httpx.get(f"{base}/readyz", timeout=1).status_code < 500:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not start:\n{log.read_text(errors='replace')}")
                time.sleep(0.3)
            yield Server(name, base, process)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def settle(pids: list[int], *, idle_share: float = 0.05, limit: float = 90.0) -> float:
    """Wait until ``pids``' trees spend under ``idle_share`` of a core (seconds waited).

    wrk stops counting at its deadline, but requests still queued in a slow server go on
    being answered; without this they would run during the next system's measurement."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        before = sum(tree_cpu_seconds(p) for p in pids)
        time.sleep(0.25)
        if sum(tree_cpu_seconds(p) for p in pids) - before < idle_share * 0.25:
            break
    return time.monotonic() - started


WRK_SCRIPT = BENCH / "wrk_post.lua"


@dataclass(frozen=True)
class Load:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk(
    url: str, body: bytes, headers: dict[str, str], connections: int, seconds: float, tmp: Path
) -> Load:
    """``wrk`` POSTing ``body`` over ``connections`` keep-alive connections for ``seconds``."""
    body_file = tmp / "wrk-body.json"
    body_file.write_bytes(body)
    env = {
        **os.environ,
        "WRK_BODY_FILE": str(body_file),
        "WRK_HEADERS": "\n".join(f"{k}: {v}" for k, v in headers.items()),
    }
    threads = max(1, min(2, connections))
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
        "--timeout", "30s", "-s", str(WRK_SCRIPT), url,
    ]  # fmt: skip
    out = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 60)
    match = re.search(r"^BENCH (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", out.stdout, re.M)
    if match is None:
        raise RuntimeError(f"wrk said:\n{out.stdout}\n{out.stderr}")
    requests, micros, errors, non2xx, p50, p99 = map(int, match.groups())
    return Load(requests, micros / 1e6, errors + non2xx, p50 / 1000, p99 / 1000)
