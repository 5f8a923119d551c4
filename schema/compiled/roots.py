"""The root fields the compiled path answers, each as one statement built for one request.

Each mirrors its resolver in ``schema.registry_queries``: the same service filters
(``filter_clauses``), the same visibility, the same order. A by-id field that finds nothing
declines, so that the general executor writes its typed error (``NotFoundError``…).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import ColumnElement, case, false, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError
from domain.json_sql import uuid_text
from domain.models import Grid, Household, Resident
from domain.permissions import households_visible, residents_visible
from domain.services import households as household_service
from domain.services import residents as resident_service
from domain.services.residents import RESIDENT_ORDER
from schema.compiled.build import Build
from schema.compiled.connections import Listing, connection, size_and_after
from schema.compiled.objects import grid, household, many, resident
from schema.compiled.selection import Declined, Picked
from schema.compiled.viewer import viewer

Root = Callable[[Build, Picked, AsyncSession], Awaitable[ColumnElement[Any]]]
"""A root field's JSON expression."""

_FILTER_NAMES = {"gridId": "grid_id", "householdId": "household_id", "hasContact": "has_contact"}


def _filter(arguments: dict[str, Any], kind: Any) -> Any:
    given = arguments.get("filter") or {}
    return kind(**{_FILTER_NAMES.get(key, key): value for key, value in given.items()})


async def _clauses(coroutine: Awaitable[list[ColumnElement[bool]]]) -> list[ColumnElement[bool]]:
    try:
        return await coroutine
    except DomainError as exc:
        raise Declined from exc


async def residents(b: Build, entry: Picked, session: AsyncSession) -> ColumnElement[Any]:
    size, after, arguments = size_and_after(b, "Query", entry)
    where = _filter(arguments, resident_service.ResidentFilter)
    b.cacheable = b.cacheable and where.grid_id is None
    clauses = await _clauses(resident_service.filter_clauses(session, b.principal, where))
    r, h = Resident.__table__, Household.__table__
    listing = Listing(
        typename="ResidentConnection",
        rows=select().select_from(r.join(h, h.c.id == r.c.household_id)).where(*clauses),
        order=[column.expression for column in RESIDENT_ORDER],
        cursor=[h.c.sort_key, r.c.name, uuid_text(r.c.id)],
        node=lambda node: resident(b, node, r, h),
        own=(r, h),
    )
    return connection(b, entry, listing, size, after, root=True)


async def households(b: Build, entry: Picked, session: AsyncSession) -> ColumnElement[Any]:
    size, after, arguments = size_and_after(b, "Query", entry)
    where = _filter(arguments, household_service.HouseholdFilter)
    b.cacheable = b.cacheable and where.grid_id is None
    clauses = await _clauses(household_service.filter_clauses(session, b.principal, where))
    h = Household.__table__
    listing = Listing(
        typename="HouseholdConnection",
        rows=select().select_from(h).where(*clauses),
        order=[column.expression for column in household_service.ORDER],
        cursor=[h.c.sort_key, uuid_text(h.c.id)],
        node=lambda node: household(b, node, h),
        own=(h,),
    )
    return connection(b, entry, listing, size, after, root=True)


def _id(b: Build, entry: Picked) -> uuid.UUID:
    found = b.arguments("Query", entry).get("id")
    if not isinstance(found, uuid.UUID):
        raise Declined
    return found


async def one_resident(b: Build, entry: Picked, session: AsyncSession) -> ColumnElement[Any]:
    r, h = Resident.__table__, Household.__table__
    return (
        select(resident(b, entry.node, r, h))
        .select_from(r.join(h, h.c.id == r.c.household_id))
        .where(r.c.id == _id(b, entry), residents_visible(b.principal))
        .scalar_subquery()
    )


async def one_household(b: Build, entry: Picked, session: AsyncSession) -> ColumnElement[Any]:
    h = Household.__table__
    return (
        select(household(b, entry.node, h))
        .where(h.c.id == _id(b, entry), households_visible(b.principal))
        .scalar_subquery()
    )


async def one_grid(b: Build, entry: Picked, session: AsyncSession) -> ColumnElement[Any]:
    g = Grid.__table__
    return (
        select(grid(b, entry.node, g))
        .where(
            g.c.id == _id(b, entry),
            g.c.community_id == b.principal.community_id,
            g.c.deleted.is_(false()),
        )
        .scalar_subquery()
    )


async def grids(b: Build, entry: Picked, session: AsyncSession) -> ColumnElement[Any]:
    """``grids``: in ``grid_order.reading_order``: top grids (and orphans), then each grid's
    micro-grids under it, siblings by (sort key, id)."""
    if entry.node.arguments:
        raise Declined
    g, parent = Grid.__table__, Grid.__table__.alias("parent")
    live = (g.c.community_id == b.principal.community_id, g.c.deleted.is_(false()))
    rows = (
        select()
        .select_from(
            g.outerjoin(
                parent,
                (parent.c.id == g.c.parent_id)
                & (parent.c.community_id == b.principal.community_id)
                & parent.c.deleted.is_(false()),
            )
        )
        .where(*live)
    )
    top = parent.c.id.is_(None)
    empty: ColumnElement[str] = literal_column("''")
    order = [
        parent.c.id.is_not(None),
        func.coalesce(parent.c.sort_key, g.c.sort_key),
        func.coalesce(parent.c.id, g.c.id),  # ids order as their text does, on both engines
        case((top, empty), else_=g.c.sort_key),
        case((top, None), else_=g.c.id),
    ]
    return many(grid(b, entry.node, g), order, rows, g, parent)


ROOTS: dict[str, tuple[Root, bool]] = {
    "residents": (residents, False),
    "households": (households, False),
    "grids": (grids, False),
    "resident": (one_resident, True),
    "household": (one_household, True),
    "grid": (one_grid, True),
    "viewer": (viewer, False),
}
"""Root field -> (its builder, whether a missing row declines)."""
