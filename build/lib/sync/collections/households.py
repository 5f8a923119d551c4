"""户 on a volunteer's phone: the households its posts cover (room numbers included)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, exists, true
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Household, Synced
from domain.services import households
from sync.collections.convert import as_uuid, required_uuid
from sync.declaration import Actor, Field, Kind, Owner, ScopeSpec, SyncedType


def covers(grid: Any, scope: ScopeSpec) -> ColumnElement[bool]:
    """The grid-post rule every grid-scoped collection shares."""
    if scope.grid_ids is None:
        return true()
    return grid.in_(scope.grid_ids)


def covers_through(grid: Any, link: ColumnElement[bool], scope: ScopeSpec) -> ColumnElement[bool]:
    """``covers`` for a row whose grid node is on the row it refers to (a resident's
    household): that row looked up by ``link`` (its primary key) for each row the pull's
    index range returns, as a correlated ``EXISTS``, never a join. With a join, SQLite's
    planner (no range statistics: it expects a keyset range to return a quarter of the table)
    builds a Bloom filter over every household, a scan of the whole table on each pull
    (``bench/README.md``, pull cost)."""
    if scope.grid_ids is None:
        return true()
    return exists().where(link, covers(grid, scope))


class HouseholdWriter:
    async def create(
        self, session: AsyncSession, actor: Actor, document_id: uuid.UUID, values: Mapping[str, Any]
    ) -> Synced:
        return await households.create_household(
            session,
            actor.principal,
            grid_id=required_uuid("gridId", values.get("grid_id")),
            building=values.get("building"),  # type: ignore[arg-type]
            unit=values.get("unit"),  # type: ignore[arg-type]
            room=values.get("room"),  # type: ignore[arg-type]
            household_id=document_id,
        )

    async def update(
        self,
        session: AsyncSession,
        actor: Actor,
        document_id: uuid.UUID,
        changes: Mapping[str, Any],
    ) -> Synced:
        values = dict(changes)
        if "grid_id" in values:
            values["grid_id"] = as_uuid("gridId", values["grid_id"])
        return await households.update_household(session, actor.principal, document_id, values)

    async def delete(self, session: AsyncSession, actor: Actor, document_id: uuid.UUID) -> Synced:
        return await households.delete_household(session, actor.principal, document_id)


HOUSEHOLDS = SyncedType(
    name="household",
    model=Household,
    description="户: a household the device's posts cover.",
    fields=(
        Field("gridId", Kind.ID, lambda: Household.grid_id, key="grid_id"),
        Field("building", Kind.TEXT, lambda: Household.building),
        Field("unit", Kind.TEXT, lambda: Household.unit),
        Field("room", Kind.TEXT, lambda: Household.room),
        Field(
            "contactPostId",
            Kind.ID,
            lambda: Household.contact_post_id,
            owner=Owner.SERVER,
            description="The red grid contact's post; assigned through the API.",
        ),
    ),
    scope=lambda scope: covers(Household.grid_id, scope),
    writer=HouseholdWriter(),
    grid_of=lambda: Household.grid_id,
    moves=True,
)
