"""Revision 0008 gives the grids and households already in a database their natural keys."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Uuid, column, insert, select, table, text
from sqlalchemy.sql.expression import TableClause

from domain.database import Database
from domain.migrate import downgrade_on, upgrade
from domain.models import Grid, Household
from domain.natural_order import composite_key, explicit_key

STAMPED = ("id", "community_id", "created_at", "updated_at", "position", "deleted")


def _type(name: str) -> Any:
    if name.endswith("_at"):
        return DateTime(timezone=True)
    return Uuid() if name.endswith("id") else None


def _table(name: str, *columns: str) -> TableClause:
    """The table as revision 0005 has it (the models describe the newest one)."""
    return table(name, *(column(c, _type(c)) for c in columns))


async def test_existing_rows_get_their_keys_and_read_in_natural_order(database: Database) -> None:
    async with database.write_engine.begin() as connection:
        await connection.run_sync(downgrade_on, "0005")
    community = uuid.uuid4()
    now = datetime.now(UTC)
    synced = {"community_id": community, "created_at": now, "updated_at": now, "position": 1}
    grids = {name: uuid.uuid4() for name in ("第十一网格", "第二网格", "第一网格")}
    micro = grids["第二网格"]
    rooms = ("1001", "101", "2")
    async with database.write_engine.begin() as connection:
        await connection.execute(
            insert(_table("community", "id", "name", "created_at", "updated_at")).values(
                id=community, name="c", created_at=now, updated_at=now
            )
        )
        for name, grid_id in grids.items():
            await connection.execute(
                insert(_table("grid", *STAMPED, "level", "name")).values(
                    id=grid_id, name=name, level="grid", deleted=False, **synced
                )
            )
        for room in rooms:
            await connection.execute(
                insert(_table("household", *STAMPED, "grid_id", "building", "unit", "room")).values(
                    id=uuid.uuid4(),
                    grid_id=micro,
                    building="1号楼",
                    unit="2单元",
                    room=room,
                    deleted=False,
                    **synced,
                )
            )
    await upgrade(database.write_engine)
    async with database.read() as session:
        ordered = list(await session.scalars(select(Grid).order_by(Grid.sort_key, Grid.id)))
        assert [g.name for g in ordered] == ["第一网格", "第二网格", "第十一网格"]
        assert all(g.sort_key == explicit_key(None, g.name) for g in ordered)
        homes = list(
            await session.scalars(select(Household).order_by(Household.sort_key, Household.id))
        )
        assert [h.room for h in homes] == ["2", "101", "1001"]
        assert all(h.sort_key == composite_key((h.building, h.unit, h.room)) for h in homes)
        if database.dialect == "postgresql":  # byte order whatever the database's collation
            collations = await session.execute(
                text(
                    "SELECT table_name, collation_name FROM information_schema.columns "
                    "WHERE column_name = 'sort_key' ORDER BY table_name"
                )
            )
            assert list(collations) == [("grid", "C"), ("household", "C")]
