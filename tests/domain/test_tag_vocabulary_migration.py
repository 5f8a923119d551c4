"""Migration 0013: the four fixed tags become the community's words, and come back down."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, Uuid, column, insert, select, table
from sqlalchemy.sql.expression import ColumnClause

from domain.database import Database
from domain.migrate import downgrade_on, upgrade

NOW = datetime.now(UTC)
STAMPS = {"created_at": NOW, "updated_at": NOW}


COMMUNITY = table(
    "community",
    column("id", Uuid()),
    column("name", String()),
    column("created_at", DateTime(timezone=True)),
    column("updated_at", DateTime(timezone=True)),
)


def synced_columns() -> list[ColumnClause[object]]:
    return [
        column("id", Uuid()),
        column("community_id", Uuid()),
        column("created_at", DateTime(timezone=True)),
        column("updated_at", DateTime(timezone=True)),
        column("position", Integer()),
        column("deleted", Boolean()),
    ]


GRID = table("grid", *synced_columns(), column("level", String()), column("name", String()),
             column("sort_key", String()))  # fmt: skip
HOUSEHOLD = table("household", *synced_columns(), column("grid_id", Uuid()),
                  column("building", String()), column("unit", String()), column("room", String()),
                  column("sort_key", String()))  # fmt: skip
RESIDENT = table("resident", *synced_columns(), column("household_id", Uuid()),
                 column("name", String()), column("tags", JSON()),
                 column("party_member", Boolean()))  # fmt: skip


async def _downgrade(database: Database, revision: str) -> None:
    """As ``domain.migrate.upgrade`` does: SQLite's batch mode rebuilds the community table,
    which with foreign keys on would cascade to every row that references it."""
    async with database.write_engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            await connection.exec_driver_sql("COMMIT")
            await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        await connection.run_sync(downgrade_on, revision)
        await connection.commit()
        if sqlite:
            await connection.exec_driver_sql("PRAGMA foreign_keys=ON")


async def test_old_tags_map_to_words_and_back(database: Database) -> None:
    async with database.write_engine.begin() as connection:
        await connection.run_sync(downgrade_on, "0012")
    c, g, h = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    synced = {**STAMPS, "position": 1, "deleted": False, "community_id": c}
    people = {"a": ["elderly", "vulnerable"], "b": ["child"], "c": ["special_needs"], "d": []}
    async with database.write_engine.begin() as connection:
        await connection.execute(insert(COMMUNITY).values(id=c, name="c", **STAMPS))
        await connection.execute(
            insert(GRID).values(id=g, level="micro_grid", name="m", sort_key="m", **synced)
        )
        await connection.execute(
            insert(HOUSEHOLD).values(
                id=h, grid_id=g, building="1", unit="1", room="101", sort_key="k", **synced
            )
        )
        for name, tags in people.items():
            await connection.execute(
                insert(RESIDENT).values(
                    id=uuid.uuid4(),
                    household_id=h,
                    name=name,
                    tags=tags,
                    party_member=False,
                    **synced,
                )
            )
    await upgrade(database.write_engine, "0013")

    def read_tags(rows: object) -> dict[str, list[str]]:
        return {name: json.loads(t) if isinstance(t, str) else t for name, t in rows}  # type: ignore[attr-defined]

    async with database.write_engine.begin() as connection:
        up = read_tags(await connection.execute(select(RESIDENT.c.name, RESIDENT.c.tags)))
        vocabulary = await connection.scalar(
            select(column("resident_tags", JSON())).select_from(table("community"))
        )
        genders = set(
            await connection.scalars(
                select(column("gender", String())).select_from(table("resident"))
            )
        )
    assert up == {"a": ["困难家庭", "高龄老人"], "b": ["儿童"], "c": ["残疾人"], "d": []}
    vocabulary = json.loads(vocabulary) if isinstance(vocabulary, str) else vocabulary
    assert vocabulary[:3] == ["独居老人", "高龄老人", "空巢老人"] and len(vocabulary) == 10
    assert genders == {"unknown"}

    async with database.write_engine.begin() as connection:
        await connection.execute(
            RESIDENT.update().where(RESIDENT.c.name == "d").values(tags=["退役军人", "低保户"])
        )
    await _downgrade(database, "0012")
    async with database.write_engine.begin() as connection:
        down = read_tags(await connection.execute(select(RESIDENT.c.name, RESIDENT.c.tags)))
    await upgrade(database.write_engine)
    assert down == {
        "a": ["elderly", "vulnerable"],
        "b": ["child"],
        "c": ["special_needs"],
        "d": ["vulnerable"],  # 退役军人 has no old word; 低保户 was one of the vulnerable
    }
