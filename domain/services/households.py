"""Households (户): reading within one's coverage, and staff changes to them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.dialect import json_array_contains
from domain.errors import Conflict, InvalidInput, NotFound
from domain.i18n import N_
from domain.models import GridLevel, GridPost, Household, Resident
from domain.pagination import Page, keyset_page
from domain.permissions import (
    household_pii_visible,
    households_visible,
    require_covers,
    require_staff,
    resident_name_visible,
    resident_pii_visible,
)
from domain.principal import Principal
from domain.services.grids import get_grid, subtree_of
from domain.validation import clean_text

ADDRESS_PART_MAX = 20
SEARCH_MAX = 50


@dataclass(frozen=True)
class HouseholdFilter:
    grid_id: uuid.UUID | None = None
    search: str | None = None
    has_contact: bool | None = None
    tag: str | None = None


def _a_resident(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """The household has a living resident matching ``conditions``: a subquery correlated on
    ``resident.household_id`` (indexed), so the page stays one statement whatever it holds."""
    return exists().where(
        Resident.household_id == Household.id, Resident.deleted.is_(False), *conditions
    )


async def filter_clauses(
    session: AsyncSession, principal: Principal, where: HouseholdFilter
) -> list[ColumnElement[bool]]:
    clauses = [households_visible(principal)]
    if where.grid_id is not None:
        clauses.append(Household.grid_id.in_(await subtree_of(session, principal, where.grid_id)))
    if where.search:
        text = clean_text("search", where.search, max_length=SEARCH_MAX)
        address = Household.building + "-" + Household.unit + "-" + Household.room
        # A name matches only where the asker reads it in full: 张* must not be searchable.
        named = _a_resident(
            Resident.name.contains(text, autoescape=True), resident_name_visible(principal)
        )
        clauses.append(address.contains(text, autoescape=True) | named)
    if where.tag is not None:
        # Tags are personal data: only residents whose tags the asker may read count.
        clauses.append(
            _a_resident(
                json_array_contains(Resident.tags, where.tag),
                resident_pii_visible(principal),
            )
        )
    if where.has_contact is not None:
        has = Household.contact_post_id.is_not(None)
        clauses.append(has if where.has_contact else ~has)
    return clauses


def _select(principal: Principal) -> Select[Household, bool]:
    return select(Household, household_pii_visible(principal).label("room_visible"))


ORDER = (Household.sort_key, Household.id)
"""By address as read on the building: 1号楼 < 2号楼 < 10号楼, room 101 < 102 < 1001."""


async def list_households(
    session: AsyncSession,
    principal: Principal,
    where: HouseholdFilter,
    *,
    first: int,
    after: str | None,
) -> Page[Any]:
    statement = _select(principal).where(*await filter_clauses(session, principal, where))
    return await keyset_page(
        session,
        statement,
        ORDER,
        first=first,
        after=after,
        key_of=lambda row: (row[0].sort_key, row[0].id),
    )


async def count_households(
    session: AsyncSession, principal: Principal, where: HouseholdFilter
) -> int:
    statement = select(func.count(Household.id)).where(
        *await filter_clauses(session, principal, where)
    )
    return int(await session.scalar(statement) or 0)


async def households_by_ids(
    session: AsyncSession, principal: Principal, ids: list[uuid.UUID]
) -> dict[uuid.UUID, tuple[Household, bool]]:
    rows = await session.execute(
        _select(principal).where(Household.id.in_(ids), households_visible(principal))
    )
    return {household.id: (household, bool(visible)) for household, visible in rows}


async def get_household(
    session: AsyncSession, principal: Principal, household_id: uuid.UUID
) -> Household:
    household = await session.scalar(
        select(Household).where(Household.id == household_id, households_visible(principal))
    )
    if household is None:
        raise NotFound(N_("household"), household_id)
    return household


async def editable_households(
    session: AsyncSession, who: Principal, ids: Iterable[uuid.UUID | None]
) -> dict[uuid.UUID, Household]:
    """The households among ``ids`` that ``who`` may put residents or visit notes in (in their
    community, not deleted, under their posts): one query for a whole batch of writes, so
    that a sync push checks 500 rows with one statement, not 500. Pass the result to
    ``editable_household``."""
    wanted = {household_id for household_id in ids if household_id is not None}
    if not wanted:
        return {}
    found = await session.scalars(
        select(Household).where(
            Household.id.in_(wanted),
            Household.community_id == who.community_id,
            Household.deleted.is_(False),
        )
    )
    return {household.id: household for household in found if who.covers(household.grid_id)}


def editable_household(
    households: Mapping[uuid.UUID, Household], household_id: uuid.UUID
) -> Household:
    """One of ``editable_households``: an unknown, deleted or uncovered household is the same
    ``NotFound`` (another grid's ids must look like unknown ones)."""
    household = households.get(household_id)
    if household is None:
        raise NotFound(N_("household"), household_id)
    return household


async def _check_micro_grid(
    session: AsyncSession, principal: Principal, grid_id: uuid.UUID
) -> None:
    grid = await get_grid(session, principal, grid_id)
    if grid.level is not GridLevel.MICRO_GRID:
        raise InvalidInput(
            "gridId", N_("a household belongs to a micro-grid (a building or stairwell)")
        )
    require_covers(principal, grid_id)


async def _check_address_free(
    session: AsyncSession, household: Household, exclude: uuid.UUID | None = None
) -> None:
    clash = await session.scalar(
        select(Household.id).where(
            Household.community_id == household.community_id,
            Household.building == household.building,
            Household.unit == household.unit,
            Household.room == household.room,
            Household.deleted.is_(False),
            Household.id != exclude if exclude else Household.id.is_not(None),
        )
    )
    if clash is not None:
        raise Conflict(N_("a household already has this address"))


def _address(field: str, value: Any) -> str:
    return clean_text(field, value, max_length=ADDRESS_PART_MAX)


async def create_household(
    session: AsyncSession,
    principal: Principal | None,
    *,
    grid_id: uuid.UUID,
    building: str,
    unit: str,
    room: str,
    household_id: uuid.UUID | None = None,
) -> Household:
    who = require_staff(principal)
    await _check_micro_grid(session, who, grid_id)
    household = Household(
        id=household_id or uuid.uuid4(),
        community_id=who.community_id,
        grid_id=grid_id,
        building=_address("building", building),
        unit=_address("unit", unit),
        room=_address("room", room),
    )
    await _check_address_free(session, household)
    session.add(household)
    await session.flush()
    return household


async def update_household(
    session: AsyncSession,
    principal: Principal | None,
    household_id: uuid.UUID,
    changes: Mapping[str, Any],
) -> Household:
    who = require_staff(principal)
    household = await get_household(session, who, household_id)
    if changes.get("grid_id") is not None and changes["grid_id"] != household.grid_id:
        await _check_micro_grid(session, who, changes["grid_id"])
        household.grid_id = changes["grid_id"]
        if household.contact_post_id is not None:
            contact = await session.get(GridPost, household.contact_post_id)
            still_covers = contact is not None and household.grid_id in await subtree_of(
                session, who, contact.grid_id
            )
            if not still_covers:
                household.contact_post_id = None  # a contact must cover the household
    for field in ("building", "unit", "room"):
        if changes.get(field) is not None:
            setattr(household, field, _address(field, changes[field]))
    await _check_address_free(session, household, exclude=household.id)
    await session.flush()
    return household


async def delete_household(
    session: AsyncSession, principal: Principal | None, household_id: uuid.UUID
) -> Household:
    who = require_staff(principal)
    household = await get_household(session, who, household_id)
    living = await session.scalar(
        select(Resident.id)
        .where(Resident.household_id == household.id, Resident.deleted.is_(False))
        .limit(1)
    )
    if living is not None:
        raise Conflict(N_("the household still has residents; move or delete them first"))
    household.deleted = True
    await session.flush()
    return household


async def assign_contact(
    session: AsyncSession,
    principal: Principal | None,
    household_id: uuid.UUID,
    post_id: uuid.UUID | None,
) -> Household:
    """确保每户都有一名红色网格员联系: the contact's post must cover the household."""
    who = require_staff(principal)
    household = await get_household(session, who, household_id)
    if post_id is not None:
        post = await session.get(GridPost, post_id)
        if post is None or post.community_id != who.community_id or post.deleted:
            raise NotFound(N_("post"), post_id)
        covered = await subtree_of(session, who, post.grid_id)
        if household.grid_id not in covered:
            raise InvalidInput("postId", N_("this post does not cover the household's micro-grid"))
    household.contact_post_id = post_id
    await session.flush()
    return household
