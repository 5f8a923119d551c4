"""The read benchmark's table: medians over rounds, and the machine it ran on."""

from __future__ import annotations

import os
import platform
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

from _harness import table


def machine() -> dict[str, Any]:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "load_average": list(os.getloadavg()),
        "python": platform.python_version(),
    }


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if value < 10 else f"{value:.0f}"


def summary(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per (connections, shape, system): medians of its rounds."""
    groups: dict[tuple[int, str, str], list[dict[str, Any]]] = defaultdict(list)
    for s in result.get("samples", []):
        groups[(s["connections"], s["shape"], s["system"])].append(s)
    rows = []
    for (connections, shape, system), samples in groups.items():
        rows.append(
            {
                "db": result["db"],
                "connections": connections,
                "shape": shape,
                "system": system,
                "rate": _median([s["rate"] for s in samples]),
                "p50_ms": _median([s["p50_ms"] for s in samples]),
                "p99_ms": _median([s["p99_ms"] for s in samples]),
                "server_cpu_ms": _median([s["server_cpu_ms"] for s in samples]),
                "pg_cpu_ms": _median([s["pg_cpu_ms"] for s in samples]),
                "errors": sum(s["errors"] for s in samples),
                "statements": result.get("statements", {}).get(f"{system}/{shape}", "-"),
                "rounds": len(samples),
            }
        )
    return rows


def report(results: dict[str, Any]) -> str:
    out = []
    m = results["machine"]
    after = results.get("machine_after", m)
    out.append(
        f"{m['nproc']} CPUs ({m['cpu']}), load average {m['load_average'][0]:.2f} before,"
        f" {after['load_average'][0]:.2f} after; {results['note']}"
    )
    for result in results["databases"]:
        rows = summary(result)
        result["summary"] = rows
        rate = {(r["connections"], r["shape"], r["system"]): r["rate"] for r in rows}
        lines = []
        for r in sorted(rows, key=lambda r: (r["connections"], _order(r["shape"]), r["system"])):
            peer = rate.get((r["connections"], r["shape"], "postgraphile"))
            floor = rate.get((r["connections"], r["shape"], "floor"))
            lines.append(
                [
                    str(r["connections"]),
                    r["shape"],
                    r["system"],
                    f"{r['rate']:.1f}",
                    _ms(r["p50_ms"]),
                    _ms(r["p99_ms"]),
                    str(r["statements"]),
                    _ms(r["server_cpu_ms"]),
                    _ms(r["pg_cpu_ms"]),
                    f"{r['rate'] / peer:.2f}x" if peer else "-",
                    f"{r['rate'] / floor:.2f}x" if floor else "-",
                    str(r["errors"]),
                ]
            )
        scale = result["scale"]
        out.append(
            f"\n{result['db']}: {scale['residents']} residents, {scale['households']} households,"
            f" {scale['grids']} grids, {scale['micro_grids']} micro-grids; medians of"
            f" {max((r['rounds'] for r in rows), default=0)} rounds"
        )
        headers = ["conns", "shape", "system", "req/s", "p50 ms", "p99 ms", "stmts/req",
                   "server CPU ms/req", "PG CPU ms/req", "vs PostGraphile", "vs floor",
                   "errors"]  # fmt: skip
        out.append(table(headers, lines))
    return "\n".join(out)


def _order(shape: str) -> int:
    return ["one", "page20", "page500", "tree", "ledger", "tally"].index(shape)


SYSTEMS = ("floor", "bare", "postgraphile", "changlang")


def markdown(results: dict[str, Any]) -> str:
    """The README's tables: req/s by level, then what one request costs at 16 connections."""
    out = []
    for result in results["databases"]:
        rows = {(r["connections"], r["shape"], r["system"]): r for r in summary(result)}
        systems = [s for s in SYSTEMS if any(k[2] == s for k in rows)]
        peer = "postgraphile" in systems
        head = ["conns", "shape", *systems, "changlang / floor"]
        head += ["changlang / PostGraphile"] if peer else []
        out += [f"\n{result['db']}, req/s (median of rounds)\n", _md_row(head), _md_rule(head)]
        for connections, shape in sorted({k[:2] for k in rows}, key=lambda k: (k[0], _order(k[1]))):
            cell = {s: rows.get((connections, shape, s)) for s in systems}
            line = [
                str(connections),
                shape,
                *(f"{c['rate']:.1f}" if c else "-" for c in cell.values()),
            ]
            line.append(_ratio(cell.get("changlang"), cell.get("floor")))
            if peer:
                line.append(_ratio(cell.get("changlang"), cell.get("postgraphile")))
            out.append(_md_row(line))
        level = 16 if any(k[0] == 16 for k in rows) else min(k[0] for k in rows)
        head = [
            "shape",
            "system",
            "stmts/req",
            "p50 / p99 ms",
            "server CPU ms/req",
            "PG CPU ms/req",
        ]
        out += [f"\n{result['db']}, one request at {level} connections\n", _md_row(head)]
        out.append(_md_rule(head))
        for shape in sorted({k[1] for k in rows}, key=_order):
            for system in systems:
                r = rows.get((level, shape, system))
                if r is None:
                    continue
                out.append(_md_row([shape, system, str(r["statements"]),
                                    f"{_ms(r['p50_ms'])} / {_ms(r['p99_ms'])}",
                                    _ms(r["server_cpu_ms"]), _ms(r["pg_cpu_ms"])]))  # fmt: skip
    return "\n".join(out)


def _ratio(a: dict[str, Any] | None, b: dict[str, Any] | None) -> str:
    if not (a and b and b["rate"]):
        return "-"
    ratio = a["rate"] / b["rate"]
    return f"{ratio:.3f}x" if ratio < 0.1 else f"{ratio:.2f}x"


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _md_rule(cells: list[str]) -> str:
    return "|" + "|".join(" --- " for _ in cells) + "|"


if __name__ == "__main__":
    import sys

    import orjson

    print(markdown(orjson.loads(Path(sys.argv[1]).read_bytes())))
