"""The migrations build the schema the models describe, and come down again cleanly."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from domain.database import Database
from domain.migrate import downgrade_on, upgrade_on
from domain.models import Base


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
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
