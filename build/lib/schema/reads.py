"""Connection builders shared by every field that lists households or residents."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from domain.permissions import require_login
from domain.principal import Principal
from domain.services import households as household_service
from domain.services import residents as resident_service
from schema.context import Info
from schema.pagination import Connection, connection, page_size
from schema.types.households import Household, Resident

F = TypeVar("F")


def _counter(
    info: Info,
    count: Callable[[AsyncSession, Principal, F], Awaitable[int]],
    who: Principal,
    where: F,
) -> Callable[[], Awaitable[int]]:
    async def run() -> int:
        async with info.context.db.read() as session:
            return await count(session, who, where)

    return run


async def list_households(
    info: Info, first: int | None, after: str | None, where: household_service.HouseholdFilter
) -> Connection[Household]:
    who = require_login(info.context.principal)
    size = page_size(first, info.context.config.max_page_size)
    async with info.context.db.read() as session:
        page = await household_service.list_households(session, who, where, first=size, after=after)
    nodes = [Household.of(row, bool(visible)) for row, visible in page.items]
    return connection(page, nodes, _counter(info, household_service.count_households, who, where))


async def list_residents(
    info: Info, first: int | None, after: str | None, where: resident_service.ResidentFilter
) -> Connection[Resident]:
    who = require_login(info.context.principal)
    size = page_size(first, info.context.config.max_page_size)
    async with info.context.db.read() as session:
        page = await resident_service.list_residents(session, who, where, first=size, after=after)
    nodes = [Resident.of(row, bool(visible)) for row, visible in page.items]
    return connection(page, nodes, _counter(info, resident_service.count_residents, who, where))
