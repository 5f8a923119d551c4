"""Rows straight through the ORM, for tests that need many of them."""

from __future__ import annotations

import uuid

from sqlalchemy import update

from domain.database import Database
from domain.models import Household, Resident
from tests.world import World


async def add_households(
    db: Database, world: World, grid: str, count: int, *, residents: int = 1, prefix: str = "S"
) -> list[uuid.UUID]:
    ids: list[uuid.UUID] = []
    async with db.transaction() as session:
        for number in range(count):
            household = Household(
                id=uuid.uuid4(),
                community_id=world.community,
                grid_id=world.grids[grid],
                building=f"{prefix}{grid}{number:04d}",
                unit="1",
                room="101",
            )
            session.add(household)
            ids.append(household.id)
            for person in range(residents):
                session.add(
                    Resident(
                        community_id=world.community,
                        household_id=household.id,
                        name=f"{prefix}{number}-{person}",
                        phone=f"139{number:04d}{person:04d}",
                        tags=[],
                        party_member=False,
                    )
                )
        await session.flush()
    return ids


async def delete_households(db: Database, ids: list[uuid.UUID]) -> None:
    """Soft deletes through the ORM, so that each gets a fresh position."""
    async with db.transaction() as session:
        for household_id in ids:
            found = await session.get(Household, household_id)
            assert found is not None
            found.deleted = True
        await session.flush()


async def move_post(db: Database, world: World, post: str, grid: str) -> None:
    """Move a volunteer's post to another grid node (a new assignment, 定岗)."""
    from domain.models import GridPost

    async with db.transaction() as session:
        await session.execute(
            update(GridPost)
            .where(GridPost.id == world.posts[post])
            .values(grid_id=world.grids[grid])
        )
