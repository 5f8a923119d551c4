"""Bring a database to the newest schema through Alembic, from sync or async code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_on(connection: Connection, revision: str = "head") -> None:
    command.upgrade(alembic_config(connection), revision)


def downgrade_on(connection: Connection, revision: str) -> None:
    command.downgrade(alembic_config(connection), revision)


def _foreign_key_violations(connection: Connection) -> list[Any]:
    return list(connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall())


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Migrate; on SQLite with foreign keys off while tables are rebuilt (Alembic's batch mode
    copies a table to change it, which a table that others reference cannot survive with
    keys on), then checked before commit."""
    async with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            raw = await connection.get_raw_connection()
            await raw.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            await connection.run_sync(upgrade_on, revision)
            if sqlite and (broken := await connection.run_sync(_foreign_key_violations)):
                raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
            await connection.commit()
        finally:
            if sqlite:
                await connection.rollback()
                await raw.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
