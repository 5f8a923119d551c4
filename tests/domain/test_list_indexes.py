"""Every list a person pages through reads its order from an index, on both databases.

Each case runs the service as it runs for a request, catches the statement it sends (with
its bound parameters) and reads that statement's plan: on PostgreSQL ``EXPLAIN`` after
``ANALYZE`` with sequential scans priced out, on SQLite ``EXPLAIN QUERY PLAN`` after
``ANALYZE``. A plan that sorts the rows itself (a PostgreSQL ``Sort`` node, SQLite's "USE
TEMP B-TREE FOR ORDER BY") or does not walk the list's index fails: with 100,000 residents
that sort is what made a page of 20 cost 160 ms.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import event, insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.database import Database
from domain.models import (
    Account,
    AccountKind,
    ConflictStatus,
    Device,
    DeviceHolding,
    Electorate,
    Grid,
    GridLevel,
    Household,
    Meeting,
    MeetingKind,
    PersonalDataAccess,
    Proposal,
    ProposalCategory,
    ProposalSource,
    ProposalStatus,
    Resident,
    SyncConflict,
    Threshold,
    Vote,
)
from domain.principal import Principal
from domain.services import (
    access_log,
    devices,
    households,
    meetings,
    proposal_queries,
    residents,
    staff_accounts,
    votes,
)
from domain.services.principals import load_principal
from sync import inbox
from tests.world import World

ROWS = 1200
"""Rows in every listed table: well past the largest page (500 devices), so that reading the
whole community and sorting it costs more than walking an index to the limit."""
START = datetime(2026, 1, 1, tzinfo=UTC)
MICRO_GRIDS = 27
"""Micro-grids added under G2, so that a grid holds a few dozen of the households."""


def _ids() -> list[uuid.UUID]:
    return [uuid.uuid4() for _ in range(ROWS)]


async def _fill(db: Database, world: World) -> None:
    """A community with ``ROWS`` rows in every listed table, inserted in bulk, then ANALYZE."""
    admin = world.accounts["admin"]
    c = {"community_id": world.community}
    micro = [uuid.uuid4() for _ in range(MICRO_GRIDS)]
    grids = [world.grids[key] for key in ("M1a", "M1b", "M2a")] + micro
    at = [START + timedelta(minutes=i % 97) for i in range(ROWS)]
    homes, people, topics, staff, phones = _ids(), _ids(), _ids(), _ids(), _ids()
    rows: list[tuple[Any, list[dict[str, Any]]]] = [
        (
            Grid,
            [
                {
                    **c,
                    "id": grid,
                    "parent_id": world.grids["G2"],
                    "level": GridLevel.MICRO_GRID,
                    "name": f"微网格{i}",
                    "sort_key": f"{i:04d}",
                }
                for i, grid in enumerate(micro)
            ],
        ),
        (
            Household,
            [
                {
                    **c,
                    "id": homes[i],
                    "grid_id": grids[i % len(grids)],
                    "building": f"{i % 17 + 1}",
                    "unit": "1",
                    "room": f"{i + 100}",
                    "sort_key": f"{i % 17:04d} {i:06d}",
                }
                for i in range(ROWS)
            ],
        ),
        (
            Resident,
            [
                {
                    **c,
                    "id": people[i],
                    "household_id": homes[i // 2],
                    "name": f"张{i % 5}",
                    "phone": f"139{i:08d}",
                }
                for i in range(ROWS)
            ],
        ),
        (
            Proposal,
            [
                {
                    **c,
                    "id": topics[i],
                    "title": f"议题{i}",
                    "category": ProposalCategory.PARKING,
                    "source": ProposalSource.RESIDENT,
                    "status": ProposalStatus.SUBMITTED,
                    "grid_id": grids[i % 3],
                    "submitted_on": date(2026, 1, 1) + timedelta(days=i % 30),
                }
                for i in range(ROWS)
            ],
        ),
        (
            Meeting,
            [
                {
                    **c,
                    "kind": MeetingKind.DELIBERATION,
                    "title": f"会{i}",
                    "starts_at": at[i],
                    "place": "活动室",
                }
                for i in range(ROWS)
            ],
        ),
        (
            Vote,
            [
                {
                    **c,
                    "proposal_id": topics[i],
                    "electorate": Electorate.HOUSEHOLDS,
                    "electorate_size": ROWS,
                    "opens_at": START,
                    "closes_at": at[i] + timedelta(days=1),
                    "threshold": Threshold.SIMPLE_MAJORITY,
                    "secret": True,
                    "allow_change": False,
                    "hide_results_until_close": False,
                    "created_by_id": admin,
                    "closed_at": START,
                }
                for i in range(ROWS)
            ],
        ),
        (
            Account,
            [
                {
                    **c,
                    "id": staff[i],
                    "kind": AccountKind.STAFF,
                    "display_name": f"网格员{i}",
                    "created_at": at[i],
                }
                for i in range(ROWS)
            ],
        ),
        (
            Device,
            [
                {
                    **c,
                    "id": phones[i],
                    "account_id": staff[i],
                    "name": f"手机{i}",
                    "created_at": at[i],
                    "last_seen_at": at[-i] if i % 2 else None,
                }
                for i in range(ROWS)
            ],
        ),
        (
            PersonalDataAccess,
            [
                {
                    **c,
                    "account_id": admin,
                    "resident_id": people[i],
                    "purpose": "核实",
                    "created_at": at[i],
                }
                for i in range(ROWS)
            ],
        ),
        (
            DeviceHolding,
            [
                {
                    **c,
                    "device_id": phones[i],
                    "collection": "resident",
                    "document_id": people[i],
                    "account_id": staff[i],
                    "held_since": at[i],
                }
                for i in range(ROWS)
            ],
        ),
        (
            SyncConflict,
            [
                {
                    **c,
                    "collection": "resident",
                    "document_id": people[i],
                    "field": "phone",
                    "policy": "ask",
                    "account_id": admin,
                    "grid_id": grids[i % 3],
                    "status": ConflictStatus.OPEN,
                    "dedupe_key": uuid.uuid4().hex,
                    "created_at": at[i],
                }
                for i in range(ROWS)
            ],
        ),
    ]
    async with db.transaction() as session:
        for model, values in rows:
            await session.execute(insert(model), values)
    async with db.write_engine.connect() as connection:
        if db.dialect == "postgresql":
            await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("ANALYZE"))
        await connection.commit()


Listing = Callable[[AsyncSession, Principal], Awaitable[Any]]


@dataclass(frozen=True)
class Case:
    name: str
    reads: str  # the table the listed rows come from, to pick its statement
    index: str
    run: Listing
    who: str = "admin"
    bounded_by: str | None = None
    """An index that bounds the rows to the asker's grids: a plan may walk it and sort what it
    found (a grid worker's few hundred households) instead of walking the order's index."""


FIRST = {"first": 20, "after": None}
CASES = [
    Case(
        "households",
        "household",
        "ix_household_address_order",
        lambda s, p: households.list_households(s, p, households.HouseholdFilter(), **FIRST),
    ),
    Case(
        "households as grid staff",
        "household",
        "ix_household_address_order",
        lambda s, p: households.list_households(s, p, households.HouseholdFilter(), **FIRST),
        who="chief1",
        bounded_by="ix_household_grid_order",
    ),
    Case(
        "residents",
        "resident",
        "ix_household_address_order",
        lambda s, p: residents.list_residents(s, p, residents.ResidentFilter(), **FIRST),
    ),
    Case(
        "residents as grid staff",
        "resident",
        "ix_household_address_order",
        lambda s, p: residents.list_residents(s, p, residents.ResidentFilter(), **FIRST),
        who="chief1",
        bounded_by="ix_household_grid_order",
    ),
    Case(
        "proposals",
        "proposal",
        "ix_proposal_order",
        lambda s, p: proposal_queries.list_proposals(
            s, p, proposal_queries.ProposalFilter(), **FIRST
        ),
    ),
    Case("meetings", "meeting", "ix_meeting_order", meetings.list_meetings),
    Case("votes", "vote", "ix_vote_order", lambda s, p: votes.list_votes(s, p, limit=20)),
    Case(
        "access log reads",
        "personal_data_access",
        "ix_personal_data_access_order",
        lambda s, p: access_log.access_log(
            s, p, access_log.LogFilter(kind=access_log.AccessKind.READ, first=20)
        ),
    ),
    Case(
        "access log phones",
        "device_holding",
        "ix_device_holding_order",
        lambda s, p: access_log.access_log(
            s, p, access_log.LogFilter(kind=access_log.AccessKind.DEVICE_HOLDS, first=20)
        ),
    ),
    Case("devices", "device", "ix_device_order", devices.list_devices),
    Case(
        "conflicts inbox",
        "sync_conflict",
        "ix_sync_conflict_order",
        lambda s, p: inbox.list_conflicts(s, p, None),
    ),
    Case("staff accounts", "account", "ix_account_order", staff_accounts.staff_accounts),
]


def _sent_statements(db: Database) -> tuple[list[tuple[str, Any]], Callable[[], None]]:
    sent: list[tuple[str, Any]] = []

    def record(_c: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    engine = db.read_engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    return sent, lambda: event.remove(engine, "before_cursor_execute", record)


def _listing_statement(sent: list[tuple[str, Any]], table: str) -> tuple[str, Any]:
    for statement, parameters in sent:
        flat = " ".join(statement.split())
        if "ORDER BY" in flat and f"FROM {table}" in flat:
            return statement, parameters
    raise AssertionError(f"no ordered statement read {table}: {[s for s, _ in sent]}")


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan, *(node for child in plan.get("Plans", []) for node in _nodes(child))]


async def _plan(db: Database, statement: str, parameters: Any) -> tuple[list[str], set[str]]:
    """What sorts the plan does itself, and which indexes it walks."""
    async with db.read_engine.connect() as connection:
        if db.dialect == "postgresql":
            await connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            result = await connection.exec_driver_sql(
                "EXPLAIN (FORMAT JSON) " + statement, parameters
            )
            raw = result.scalar_one()
            nodes = _nodes((json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"])
            sorts = [n["Node Type"] for n in nodes if n["Node Type"] == "Sort"]
            return sorts, {n["Index Name"] for n in nodes if "Index Name" in n}
        rows = await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        details = [row[3] for row in rows]
        sorts = [d for d in details if d.startswith("USE TEMP B-TREE FOR ORDER BY")]
        used = {d.split(" INDEX ")[1].split(" ")[0] for d in details if " INDEX " in d}
        return sorts, used


async def _verdict(db: Database, world: World, case: Case) -> str | None:
    """Why the case's plan fails, or None."""
    async with db.read() as session:
        principal = await load_principal(session, world.accounts[case.who])
    assert principal is not None
    sent, stop = _sent_statements(db)
    try:
        async with db.read() as session:
            await case.run(session, principal)
    finally:
        stop()
    statement, parameters = _listing_statement(sent, case.reads)
    sorts, indexes = await _plan(db, statement, parameters)
    if case.bounded_by in indexes:
        return None
    if sorts:
        return f"{case.name} sorts its rows ({sorts}): {' '.join(statement.split())}"
    if case.index not in indexes:
        return f"{case.name} walks {sorted(indexes)}, not {case.index}"
    return None


async def test_every_page_walks_its_index_and_sorts_nothing(
    database: Database, world: World
) -> None:
    """One filled database for every case (filling is the slow part); every failing case is
    named at once. (``grid_households``' window over several grids is not here: it numbers
    every household of the asked grids before it cuts each page.)"""
    await _fill(database, world)
    failures = [verdict for case in CASES if (verdict := await _verdict(database, world, case))]
    assert failures == [], "\n".join(failures)
