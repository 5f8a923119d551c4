"""The demo scaled up for the read benchmark: 10 grids, 100 micro-grids, 40,000 households,
100,000 residents (issue 12's sizes), plus a ledger of topics and one open vote with ballots.

It starts from the test world (``tests.world``: two communities, every role, known ids) so
that the admin, the posts and a second community are there as on a real server; the bulk rows
are written in SQL (``_harness.load_residents``) and the council's rows with Core inserts,
since a service call per row would take minutes at this size. ``scale`` multiplies every count
(0.001 gives a world a smoke test can build in a second).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from _harness import _id, load_residents, spread_grid_id, world_in
from sqlalchemy import func, insert, select, text

from domain.database import Database
from domain.models import (
    AccountKind,
    Proposal,
    ProposalCategory,
    ProposalSource,
    ProposalStatus,
    ProposalSupport,
    Resident,
    Resolution,
    Vote,
)
from domain.models.votes import Electorate, Threshold
from domain.principal import Principal
from domain.services import grids
from tests.world import World

MICRO_RUN = 0xB0
GRID_RUN = 0xB1
STATUSES = (
    ProposalStatus.SUBMITTED,
    ProposalStatus.ACCEPTED,
    ProposalStatus.DELIBERATED,
    ProposalStatus.IN_PROGRESS,
    ProposalStatus.REPORTED,
    ProposalStatus.CLOSED,
)
FOLLOWED = {ProposalStatus.DELIBERATED, ProposalStatus.IN_PROGRESS, ProposalStatus.REPORTED}


@dataclass(frozen=True)
class Scale:
    residents: int
    households: int
    grids: int
    micro_grids: int
    topics: int
    ballots: int

    @staticmethod
    def of(factor: float) -> Scale:
        """Issue 12's sizes times ``factor`` (at least one of each, 10 micro-grids a grid)."""
        top = max(1, round(10 * min(factor, 1.0) ** 0.5)) if factor < 1 else 10
        return Scale(
            residents=max(25, round(100_000 * factor)),
            households=max(10, round(40_000 * factor)),
            grids=top,
            micro_grids=top * 10,
            topics=max(12, round(1_000 * factor)),
            ballots=max(10, round(20_000 * factor)),
        )


@dataclass(frozen=True)
class ScaledDemo:
    world: World
    scale: Scale
    vote_id: uuid.UUID
    resident_id: uuid.UUID
    """A resident in the middle of the table, for the by-id shape."""


async def build_scaled_demo(db: Database, scale: Scale) -> ScaledDemo:
    world = await world_in(db)
    admin = Principal(
        account_id=world.accounts["admin"], community_id=world.community, kind=AccountKind.ADMIN
    )
    async with db.transaction() as session:
        for g in range(1, scale.grids + 1):
            top = await grids.create_grid(
                session,
                admin,
                name=f"第{g}网格",
                parent_id=None,
                grid_id=spread_grid_id(GRID_RUN, g),
            )
            for m in range(1, 11):
                number = (g - 1) * 10 + m
                await grids.create_grid(
                    session,
                    admin,
                    name=f"{number}号楼",
                    parent_id=top.id,
                    grid_id=spread_grid_id(MICRO_RUN, number),
                )
    await load_residents(
        db,
        world,
        scale.residents,
        per_household=scale.residents / scale.households,
        run=1,
        spread=(MICRO_RUN, scale.micro_grids),
    )
    vote_id = await _council(db, world, scale)
    async with db.read() as session:
        count = await session.scalar(select(func.count()).select_from(text("resident")))
        middle = await session.scalar(
            text("SELECT id FROM resident WHERE deleted = :f ORDER BY position LIMIT 1 OFFSET :o"),
            {"f": False, "o": int(count or 0) // 2},
        )
    return ScaledDemo(world, scale, vote_id, uuid.UUID(str(middle)))


def _topics(world: World, scale: Scale) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    proposals, resolutions = [], []
    categories = list(ProposalCategory)
    for i in range(scale.topics):
        status = STATUSES[i % len(STATUSES)]
        pid = uuid.UUID(int=0xC0 << 120 | i)
        proposals.append(
            {
                "id": pid,
                "community_id": world.community,
                "position": 0,
                "deleted": False,
                "title": f"议题{i}：楼道照明",
                "description": "",
                "category": categories[i % len(categories)],
                "source": ProposalSource.RESIDENT,
                "status": status,
                "grid_id": spread_grid_id(MICRO_RUN, i % scale.micro_grids + 1),
                "raised_by_account_id": world.accounts["admin"],
                "anonymous": False,
                "submitted_on": date(2026, 1, 1) + timedelta(days=i % 300),
                "attachments": [],
                "close_round": 0,
            }
        )
        if status in FOLLOWED or status is ProposalStatus.CLOSED:
            resolutions.append(
                {
                    "community_id": world.community,
                    "proposal_id": pid,
                    "solution": "更换灯具",
                    "contact_name": f"联系人{i % 7}",
                    "deadline": date(2026, 1, 1) + timedelta(days=(i * 37) % 600),
                }
            )
    return proposals, resolutions


_BALLOTS = (
    "INSERT INTO ballot (id, community_id, vote_id, choice, change_key_hash, voter_key,"
    " superseded) SELECT {uuid}, :community, :vote, CASE r.position % 5 WHEN 0 THEN 'against'"
    " WHEN 1 THEN 'abstain' ELSE 'for' END, {hash}, {key}, {false}"
    " FROM (SELECT id, position FROM resident ORDER BY position LIMIT :n) r"
)
_DIALECT = {
    "sqlite": {
        "uuid": "lower(hex(randomblob(16)))",
        "hash": "lower(hex(randomblob(32)))",
        "key": "r.id",
        "false": "0",
    },
    "postgresql": {
        "uuid": "gen_random_uuid()",
        "hash": "encode(sha256(convert_to(r.id::text, 'UTF8')), 'hex')",
        "key": "r.id::text",
        "false": "false",
    },
}


async def _council(db: Database, world: World, scale: Scale) -> uuid.UUID:
    """Topics in every status (deadlines past and to come), supports, and one open vote."""
    proposals, resolutions = _topics(world, scale)
    vote_id = uuid.UUID(int=0xD0 << 120)
    now = datetime.now(UTC)
    words = _DIALECT[db.dialect]
    async with db.write_engine.begin() as connection:
        await connection.execute(insert(Proposal.__table__), proposals)
        await connection.execute(insert(Resolution.__table__), resolutions)
        first = await connection.execute(select(Resident.id).order_by(Resident.position).limit(16))
        supporters = [row[0] for row in first]
        await connection.execute(
            insert(ProposalSupport.__table__),
            [
                {"community_id": world.community, "proposal_id": p["id"], "resident_id": r}
                for i, p in enumerate(proposals)
                for r in supporters[: i % 17]
            ],
        )
        await connection.execute(
            insert(Vote.__table__),
            [
                {
                    "id": vote_id,
                    "community_id": world.community,
                    "proposal_id": proposals[0]["id"],
                    "electorate": Electorate.ADULT_RESIDENTS,
                    "electorate_size": scale.residents,
                    "opens_at": now - timedelta(days=1),
                    "closes_at": now + timedelta(days=3650),
                    "quorum_ballots": 0,
                    "quorum_percent": 10,
                    "threshold": Threshold.SIMPLE_MAJORITY,
                    "secret": False,
                    "allow_change": False,
                    "hide_results_until_close": False,
                    "created_by_id": world.accounts["admin"],
                    "offline_grace_seconds": 0,
                }
            ],
        )
        await connection.execute(
            text(_BALLOTS.format(**words)),
            {"community": _id(db, world.community), "vote": _id(db, vote_id), "n": scale.ballots},
        )
    return vote_id
