"""登录码条: fresh login codes for every resident of a grid node, to print and hand over.

Grid contacts visit a building with a sheet of slips rather than reading codes off a
screen one resident at a time. Issuing them follows ``issueLoginCode``'s rule (staff, for
grid nodes their posts cover; the admin everywhere), in one transaction, and retires every
earlier code of those residents, which each slip says when it happened.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InvalidInput
from domain.i18n import N_
from domain.models import Account, Community, Grid, Household, Resident
from domain.permissions import require_covers, require_staff
from domain.principal import Principal
from domain.services.accounts import store_codes
from domain.services.grids import community_grids, get_grid, subtree_ids
from domain.validation import clean_text

MAX_SLIPS = 2000
"""One sheet's worth for a large grid; beyond it a printout is split by building."""


@dataclass(frozen=True)
class Slip:
    resident_id: uuid.UUID
    name: str
    building: str
    unit: str
    room: str
    code: str
    expires_at: datetime
    replaced_earlier_code: bool


@dataclass(frozen=True)
class SlipSheet:
    community_name: str
    grid_name: str
    building: str | None
    slips: list[Slip]

    @property
    def replaced(self) -> int:
        return sum(slip.replaced_earlier_code for slip in self.slips)


async def issue_slips(
    session: AsyncSession,
    principal: Principal | None,
    grid_id: uuid.UUID,
    building: str | None,
    ttl: timedelta,
) -> SlipSheet:
    """Codes for the residents of ``grid_id`` (and its micro-grids), optionally one building."""
    who = require_staff(principal)
    grid = await get_grid(session, who, grid_id)
    require_covers(who, grid.id)
    return await _issue(session, who.community_id, grid, building, who.account_id, ttl)


async def issue_slips_as_system(
    session: AsyncSession,
    community_id: uuid.UUID,
    grid: Grid,
    building: str | None,
    ttl: timedelta,
) -> SlipSheet:
    """The command line's way (``changlang print-slips``): the operator is the authority."""
    return await _issue(session, community_id, grid, building, None, ttl)


async def _issue(
    session: AsyncSession,
    community_id: uuid.UUID,
    grid: Grid,
    building: str | None,
    issued_by: uuid.UUID | None,
    ttl: timedelta,
) -> SlipSheet:
    building = clean_text("building", building, max_length=20) if building else None
    nodes = subtree_ids(await community_grids(session, community_id), [grid.id])
    query = (
        select(Resident.id, Resident.name, Household.building, Household.unit, Household.room)
        .join(Household, Household.id == Resident.household_id)
        .outerjoin(Account, Account.resident_id == Resident.id)
        .where(
            Resident.community_id == community_id,
            Resident.deleted.is_(False),
            Household.deleted.is_(False),
            Household.grid_id.in_(nodes),
            Account.disabled.is_not(True),
        )
        .order_by(Household.sort_key, Household.id, Resident.name, Resident.id)
    )
    if building is not None:
        query = query.where(Household.building == building)
    rows = (await session.execute(query.limit(MAX_SLIPS + 1))).all()
    if len(rows) > MAX_SLIPS:
        raise InvalidInput(
            "building",
            N_("more than {limit} residents: print one building at a time"),
            limit=MAX_SLIPS,
        )
    issued = await store_codes(session, community_id, [row[0] for row in rows], issued_by, ttl)
    community = await session.get(Community, community_id)
    return SlipSheet(
        community_name=community.name if community else "",
        grid_name=grid.name,
        building=building,
        slips=[
            Slip(
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                one.code,
                one.expires_at,
                one.replaced_earlier_code,
            )
            for row, one in zip(rows, issued, strict=True)
        ],
    )
