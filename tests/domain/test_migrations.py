"""The migrations build the schema the models describe, and come down again cleanly."""

from __future__ import annotations

import uuid
import warnings
from datetime import UTC, datetime
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import DateTime, Uuid, column, func, insert, inspect, select, table
from sqlalchemy.engine import Connection
from sqlalchemy.sql.expression import TableClause

from domain.database import Database
from domain.migrate import downgrade_on, upgrade, upgrade_on
from domain.models import Base


def _diff(connection: Connection) -> list[Any]:
    """SQLite cannot reflect an expression index (``ix_device_order``): alembic skips it there
    with a warning, and compares it on PostgreSQL."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index ix_device_order")
        warnings.filterwarnings("ignore", message=".*expression-based index 'ix_device_order'")
        return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


async def test_models_and_migrations_agree(database: Database) -> None:
    async with database.write_engine.connect() as connection:
        assert await connection.run_sync(_diff) == []


async def test_downgrade_to_empty_and_upgrade_again(database: Database) -> None:
    async with database.write_engine.begin() as connection:
        assert await connection.run_sync(_tables) == set(Base.metadata.tables)
        await connection.run_sync(downgrade_on, "base")
        assert await connection.run_sync(_tables) == set()
        await connection.run_sync(upgrade_on, "head")
        assert await connection.run_sync(_tables) == set(Base.metadata.tables)
        assert await connection.run_sync(_diff) == []


def _table(name: str, *columns: str) -> TableClause:
    """A lightweight table as revision 0001 has it (the models describe the newest one)."""
    types: dict[str, Any] = {
        "created_at": DateTime(timezone=True),
        "updated_at": DateTime(timezone=True),
    }
    return table(
        name, *(column(c, types.get(c, Uuid() if c.endswith("id") else None)) for c in columns)
    )


async def test_upgrading_a_database_that_holds_data_keeps_every_row(database: Database) -> None:
    async with database.write_engine.begin() as connection:
        await connection.run_sync(downgrade_on, "0001")
    c, g, h, r = (uuid.uuid4() for _ in range(4))
    now = datetime.now(UTC)
    synced = {
        "created_at": now,
        "updated_at": now,
        "position": 1,
        "deleted": False,
        "community_id": c,
    }
    stamped = ("id", "community_id", "created_at", "updated_at", "position", "deleted")
    rows = [
        (
            _table("community", "id", "name", "created_at", "updated_at"),
            {"id": c, "name": "c", "created_at": now, "updated_at": now},
        ),
        (
            _table("grid", *stamped, "level", "name"),
            {**synced, "id": g, "level": "micro_grid", "name": "m"},
        ),
        (
            _table("household", *stamped, "grid_id", "building", "unit", "room"),
            {**synced, "id": h, "grid_id": g, "building": "1", "unit": "1", "room": "101"},
        ),
        (
            _table("resident", *stamped, "household_id", "name", "tags", "party_member"),
            {
                **synced,
                "id": r,
                "household_id": h,
                "name": "n",
                "tags": "[]",
                "party_member": False,
            },
        ),
    ]
    async with database.write_engine.begin() as connection:
        for target, values in rows:
            await connection.execute(insert(target).values(values))
    await upgrade(database.write_engine)
    async with database.write_engine.connect() as connection:
        assert await connection.run_sync(_diff) == []
        for target, _ in rows:
            assert await connection.scalar(select(func.count()).select_from(target)) == 1
