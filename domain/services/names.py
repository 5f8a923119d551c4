"""How people's names are shown: full where the reader may see them, else masked (张*).

Every path that names a person to someone else (a topic's raiser, a history entry's actor,
...) goes through here, one statement per batch. A staff account's display name is its
public working name (网格员 王芳) and is shown as it is; an account that belongs to a
resident is shown as that resident, under ``resident_name_visible``: the admin, the staff
covering the household and the resident's own household read the full name, everyone else
the masked one, whatever the account's display name says.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Account, Household, Resident
from domain.permissions import resident_name_visible
from domain.personal_data import mask_name
from domain.principal import Principal


def shown(name: str, visible: bool) -> str:
    return name if visible else mask_name(name)


async def resident_names(
    session: AsyncSession, principal: Principal | None, resident_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """The residents' names as ``principal`` may read them (masked for no one logged in)."""
    if principal is None or not resident_ids:
        return {}
    rows = await session.execute(
        select(Resident.id, Resident.name, resident_name_visible(principal).label("visible"))
        .join(Household, Household.id == Resident.household_id)
        .where(Resident.id.in_(resident_ids), Resident.community_id == principal.community_id)
    )
    return {rid: shown(name, bool(visible)) for rid, name, visible in rows}


async def account_names(
    session: AsyncSession, principal: Principal | None, account_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """Accounts' names: a staff account's display name, a resident's account as the resident."""
    if principal is None or not account_ids:
        return {}
    rows = await session.execute(
        select(
            Account.id,
            Account.display_name,
            Resident.name,
            resident_name_visible(principal).label("visible"),
        )
        .outerjoin(Resident, Resident.id == Account.resident_id)
        .outerjoin(Household, Household.id == Resident.household_id)
        .where(Account.id.in_(account_ids), Account.community_id == principal.community_id)
    )
    return {
        aid: display if resident_name is None else shown(resident_name, bool(visible))
        for aid, display, resident_name, visible in rows
    }
