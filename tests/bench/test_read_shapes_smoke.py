"""The read benchmark's smoke: every system answers every shape alike, on a tiny world.

``bench/read_shapes.py --smoke`` builds the scaled demo at a small scale, starts a real
``changlang serve``, the bare Starlette route and (on PostgreSQL) PostGraphile 5 (``npm ci``
into ``bench/postgraphile`` the first time, about 25 s), and demands the same JSON from
changlang, the bare route and the SQL floor, and the same rows from PostGraphile. No wrk, no
timings: a benchmark whose systems answer differently measures nothing.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import read_shapes  # noqa: E402

SHAPES = ["one", "page20", "page500", "tree", "ledger", "tally"]


def test_every_system_gives_the_same_answers(dialect: str, tmp_path: Path) -> None:
    out = tmp_path / "smoke.json"
    read_shapes.main(["--smoke", "--db", dialect, "--workers", "1", "--json", str(out)])
    (result,) = orjson.loads(out.read_bytes())["databases"]
    assert result["db"] == dialect
    assert result["checked"] == SHAPES
    expected = (
        ["bare", "changlang"] if dialect == "sqlite" else ["postgraphile", "bare", "changlang"]
    )
    assert result["systems"] == expected
    assert "samples" not in result
    _a_different_answer_is_caught(result["answers"]["page20"], result["systems"])


def _a_different_answer_is_caught(answers: dict[str, Any], systems: list[str]) -> None:
    """The check compares content: one row fewer, or one name changed, fails it."""
    floor = answers["floor"]
    for name in systems:
        read_shapes.agree(name, "page20", answers[name], floor)
        shorter = copy.deepcopy(answers[name])
        edges = shorter["data"]["residentRegister" if name == "postgraphile" else "residents"]
        (edges["nodes"] if name == "postgraphile" else edges["edges"]).pop()
        renamed = copy.deepcopy(floor)
        renamed["data"]["residents"]["edges"][0]["node"]["name"] += "改"
        for wrong, right in ((shorter, floor), (answers[name], renamed)):
            with pytest.raises(AssertionError):
                if name == "postgraphile" and wrong is answers[name]:
                    # PostGraphile is held to the rows (ids), not to the names it writes
                    read_shapes.agree(name, "page20", answers[name], _one_id_changed(floor))
                else:
                    read_shapes.agree(name, "page20", wrong, right)


def _one_id_changed(floor: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(floor)
    changed["data"]["residents"]["edges"][-1]["node"]["id"] = "00000000-0000-0000-0000-000000000000"
    return changed
