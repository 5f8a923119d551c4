"""What both benchmarks share: throwaway databases, the test world, bulk-loaded residents.

Databases are made the way the test suite makes them (a migrated SQLite file, or a database
on a throwaway PostgreSQL server started with ``tests.postgres_server``). Residents are
generated in SQL (a recursive CTE on SQLite, ``generate_series`` on PostgreSQL), so a
million rows load in seconds, with positions stamped from the community's change counter as
the server would.
"""

from __future__ import annotations

import gc
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from domain.credentials import use_fast_password_hashing  # noqa: E402
from domain.database import Database, open_database  # noqa: E402
from domain.migrate import upgrade_on  # noqa: E402
from tests.postgres_server import PostgresServer, start_postgres  # noqa: E402
from tests.world import World, build_world  # noqa: E402

use_fast_password_hashing()

DIALECTS = ("sqlite", "postgresql")


class Servers:
    """Starts the PostgreSQL server once, on first use; ``close`` stops it."""

    def __init__(self) -> None:
        self.postgres: PostgresServer | None = None
        self.tmp = Path(tempfile.mkdtemp(prefix="changlang-bench-"))

    def url(self, dialect: str, name: str) -> str:
        if dialect == "sqlite":
            return f"sqlite+aiosqlite:///{self.tmp / name}.sqlite3"
        if self.postgres is None:
            self.postgres = start_postgres()
        admin = create_engine(self.postgres.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
        admin.dispose()
        return self.postgres.url(name)

    def close(self) -> None:
        if self.postgres is not None:
            self.postgres.stop()
        for path in self.tmp.glob("*"):
            path.unlink()
        self.tmp.rmdir()


@asynccontextmanager
async def fresh_database(servers: Servers, dialect: str, name: str) -> AsyncIterator[Database]:
    url = servers.url(dialect, name)
    sync_url = url.replace("+aiosqlite", "")
    engine = create_engine(sync_url)
    with engine.begin() as connection:
        upgrade_on(connection)
    engine.dispose()
    db = open_database(url)
    try:
        yield db
    finally:
        await db.dispose()


async def world_in(db: Database) -> World:
    return await build_world(db)


def _id(db: Database, value: uuid.UUID) -> Any:
    return value.hex if db.dialect == "sqlite" else value


_SQLITE_SEQ = "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < :n) "

_HOUSEHOLDS = {
    "sqlite": _SQLITE_SEQ
    + "INSERT INTO household (id, created_at, updated_at, community_id, position, deleted,"
    " grid_id, building, unit, room, sort_key)"
    " SELECT printf('%08x%024x', :run, i), :now, :now, :community, :base + i, 0,"
    " {grid}, :prefix || i, '1', '101',"
    " printf('1%s %010d', :prefix, i) FROM seq",
    "postgresql": "INSERT INTO household (id, created_at, updated_at, community_id, position,"
    " deleted, grid_id, building, unit, room, sort_key)"
    " SELECT (lpad(to_hex(CAST(:run AS integer)), 8, '0') || lpad(to_hex(i), 24, '0'))::uuid,"
    " :now, :now,"
    " :community, :base + i, false,"
    " {grid}, :prefix || i, '1', '101',"
    " '1' || :prefix || ' ' || lpad(i::text, 10, '0')"
    " FROM generate_series(1, CAST(:n AS integer)) AS i",
}

_TWO_GRIDS = "CASE WHEN i % 10 = 0 THEN :other ELSE :grid END"
_SPREAD = {
    "sqlite": "printf('%08x%024x', :grid_run, i % :grids + 1)",
    "postgresql": "(lpad(to_hex(CAST(:grid_run AS integer)), 8, '0')"
    " || lpad(to_hex(i % CAST(:grids AS integer) + 1), 24, '0'))::uuid",
}


def spread_grid_id(run: int, number: int) -> uuid.UUID:
    """The id of the ``number``-th (from 1) grid households are spread over: the households'
    statement computes the same id from the row's number, so no join is needed."""
    return uuid.UUID(f"{run:08x}{number:024x}")


# Realistic residents: Chinese names, some phones and birth dates missing, tags in no order,
# masked ID numbers, a few tombstones.
_RESIDENTS = {
    "sqlite": _SQLITE_SEQ
    + "INSERT INTO resident (id, created_at, updated_at, community_id, position, deleted,"
    " household_id, name, phone, id_number_masked, birth_date, tags, party_member, gender)"
    " SELECT lower(hex(randomblob(16))), :now, :now, :community, :base + i,"
    " CASE WHEN i % 50 = 0 THEN 1 ELSE 0 END,"
    " printf('%08x%024x', :run, (i - 1) * :households / :n + 1),"
    " '居民' || :prefix || i,"
    " CASE WHEN i % 7 = 0 THEN NULL ELSE printf('139%08d', i) END,"
    " CASE WHEN i % 3 = 0 THEN NULL ELSE printf('120104********%04d', i % 10000) END,"
    " CASE WHEN i % 5 = 0 THEN NULL ELSE printf('19%02d-%02d-%02d', i % 100, i % 12 + 1,"
    " i % 28 + 1) END,"
    " CASE i % 4 WHEN 0 THEN '[]' WHEN 1 THEN '[\"高龄老人\"]'"
    ' WHEN 2 THEN \'["困难家庭", "儿童"]\' ELSE \'["残疾人", "高龄老人", "儿童"]\''
    " END,"
    " CASE WHEN i % 9 = 0 THEN 1 ELSE 0 END,"
    " CASE i % 3 WHEN 0 THEN 'male' WHEN 1 THEN 'female' ELSE 'unknown' END FROM seq",
    "postgresql": "INSERT INTO resident (id, created_at, updated_at, community_id, position,"
    " deleted, household_id, name, phone, id_number_masked, birth_date, tags, party_member,"
    " gender)"
    " SELECT gen_random_uuid(), :now, :now, :community, :base + i, i % 50 = 0,"
    " (lpad(to_hex(CAST(:run AS integer)), 8, '0')"
    " || lpad(to_hex(CAST((CAST(i AS bigint) - 1) * :households / :n + 1 AS integer)),"
    " 24, '0'))::uuid,"
    " '居民' || :prefix || i,"
    " CASE WHEN i % 7 = 0 THEN NULL ELSE '139' || lpad(i::text, 8, '0') END,"
    " CASE WHEN i % 3 = 0 THEN NULL ELSE '120104********' || lpad((i % 10000)::text, 4, '0')"
    " END,"
    " CASE WHEN i % 5 = 0 THEN NULL ELSE make_date(1900 + i % 100, i % 12 + 1, i % 28 + 1)"
    " END,"
    " (CASE i % 4 WHEN 0 THEN '[]' WHEN 1 THEN '[\"高龄老人\"]'"
    ' WHEN 2 THEN \'["困难家庭", "儿童"]\' ELSE \'["残疾人", "高龄老人", "儿童"]\''
    " END)::json,"
    " i % 9 = 0, CASE i % 3 WHEN 0 THEN 'male' WHEN 1 THEN 'female' ELSE 'unknown' END"
    " FROM generate_series(1, CAST(:n AS integer)) AS i",
}


async def load_residents(
    db: Database,
    world: World,
    count: int,
    *,
    per_household: float,
    run: int,
    spread: tuple[int, int] | None = None,
) -> None:
    """``count`` residents in ``count / per_household`` households; one in ten households is
    in another grid (M2a), so the scope filter has work to do, or, with ``spread=(run, n)``,
    household ``i`` is in grid ``spread_grid_id(run, i % n + 1)`` (grids the caller made).
    Households get distinct sort keys in building order, as ``domain.natural_order`` would
    give them. One transaction."""
    households = -int(-count // per_household)
    grid_sql = _TWO_GRIDS if spread is None else _SPREAD[db.dialect]
    async with db.write_engine.begin() as connection:
        base = (
            await connection.execute(
                text("SELECT last_position FROM change_counter WHERE community_id = :c"),
                {"c": _id(db, world.community)},
            )
        ).scalar_one()
        now = "2026-01-01 00:00:00.000000" if db.dialect == "sqlite" else "2026-01-01T00:00Z"
        common = {
            "community": _id(db, world.community),
            "run": run,
            "now": now,
            "prefix": f"R{run}-",
        }
        await connection.execute(
            text(_HOUSEHOLDS[db.dialect].format(grid=grid_sql)),
            {
                **common,
                "n": households,
                "base": base,
                **(
                    {"grid": _id(db, world.grids["M1a"]), "other": _id(db, world.grids["M2a"])}
                    if spread is None
                    else {"grid_run": spread[0], "grids": spread[1]}
                ),
            },
        )
        await connection.execute(
            text(_RESIDENTS[db.dialect]),
            {**common, "n": count, "base": base + households, "households": households},
        )
        await connection.execute(
            text("UPDATE change_counter SET last_position = :p WHERE community_id = :c"),
            {"p": base + households + count, "c": _id(db, world.community)},
        )
    if db.dialect == "postgresql":
        async with db.write_engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("ANALYZE"))
    else:
        async with db.write_engine.begin() as connection:
            await connection.execute(text("ANALYZE"))


async def timed(action: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    """Wall time of ``action``, started from a collected heap.

    A full garbage collection walks every object of the process (about 200,000 here: the
    app, the schema, SQLAlchemy, the bench itself) and took 200-350 ms on this machine; it
    falls due after enough allocations, so without the collection first it lands in
    whichever measured action crosses the threshold, often one whose cost it is not. Each
    action still pays for every collection its own allocations set off.
    """
    gc.collect()
    started = time.perf_counter()
    result = await action()
    return time.perf_counter() - started, result


def median(values: list[float]) -> float:
    return statistics.median(values)


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)
