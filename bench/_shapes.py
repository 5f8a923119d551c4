"""The six read shapes: changlang's operation, its variables, and the floor's parameters.

The first four are issue 12's (the operations of ``bench/compiled_reads.py``, shared, not
copied); the ledger (台账, ``domain.services.ledger``) and a vote's live tally
(``schema.votes``) are answered by the general executor, since the compiled path covers
registry reads only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from _scaled_demo import ScaledDemo
from compiled_reads import ONE, PAGE, TREE

LEDGER = """query($n: Int!) { ledger(first: $n) { edges { cursor node { proposalId title status
  category submittedOn gridName contactName deadline overdue averageRating supportCount } }
  pageInfo { hasNextPage endCursor } } }"""
TALLY = """query($id: UUID!) { vote(id: $id) { ... on Vote { id status tally { ballots
  electorateSize turnout quorumMet for against abstain passed countsHidden } } } }"""


@dataclass(frozen=True)
class Shape:
    key: str
    label: str
    query: str
    size: int | None = None
    """``first`` of the page, where the shape has one."""


SHAPES = (
    Shape("one", "one resident by id + household", ONE),
    Shape("page20", "first 20 residents + household + micro-grid", PAGE, 20),
    Shape("page500", "first 500 residents (same fields)", PAGE, 500),
    Shape("tree", "grids > micro-grids > 10 households > residents", TREE),
    Shape("ledger", "ledger (台账), first 50 topics", LEDGER, 50),
    Shape("tally", "a vote's live tally (20,000 ballots at full scale)", TALLY),
)


def variables(shape: Shape, demo: ScaledDemo) -> dict[str, Any]:
    if shape.key == "one":
        return {"id": str(demo.resident_id)}
    if shape.key == "tally":
        return {"id": str(demo.vote_id)}
    return {"n": shape.size} if shape.size else {}


def floor_parameters(shape: Shape, demo: ScaledDemo, dialect: str) -> dict[str, Any]:
    """What the floor's statement binds; SQLite keeps ids as 32 hex digits."""

    def ident(value: uuid.UUID) -> Any:
        return value.hex if dialect == "sqlite" else value

    values: dict[str, Any] = {"community": ident(demo.world.community)}
    if shape.key == "one":
        values["id"] = ident(demo.resident_id)
    if shape.key == "tally":
        values["vote"] = ident(demo.vote_id)
    if shape.size:
        values["n"] = shape.size
    if shape.key == "ledger":
        today = datetime.now(UTC).date()
        values["today"] = today.isoformat() if dialect == "sqlite" else today
    return values
