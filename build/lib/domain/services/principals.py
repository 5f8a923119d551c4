"""Turn an authenticated account id into a ``Principal``: two small queries per request.

Posts are read fresh on each request, so a withdrawn post stops covering at once rather than
when an access token expires.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Account, AccountKind, Device, Grid, GridPost, Resident
from domain.principal import Principal
from domain.services.grids import subtree_ids


async def load_principal(
    session: AsyncSession, account_id: uuid.UUID, device_id: uuid.UUID | None = None
) -> Principal | None:
    """The principal, or None when the account or device is gone, disabled or revoked."""
    row = (
        await session.execute(
            select(Account, Resident.household_id, Device.id, Device.revoked_at)
            .outerjoin(Resident, Resident.id == Account.resident_id)
            .outerjoin(Device, (Device.id == device_id) & (Device.account_id == Account.id))
            .where(Account.id == account_id)
        )
    ).one_or_none()
    if row is None:
        return None
    account, household_id, known_device, revoked_at = row
    if account.disabled or revoked_at is not None:
        return None
    if device_id is not None and known_device is None:
        return None
    posts: list[uuid.UUID] = []
    covered: frozenset[uuid.UUID] = frozenset()
    if account.kind is not AccountKind.RESIDENT:
        grid_rows = (
            await session.execute(
                select(Grid, GridPost.id)
                .outerjoin(
                    GridPost,
                    (GridPost.grid_id == Grid.id)
                    & (GridPost.account_id == account.id)
                    & GridPost.deleted.is_(False),
                )
                .where(Grid.community_id == account.community_id, Grid.deleted.is_(False))
            )
        ).all()
        grids = [grid for grid, _ in grid_rows]
        posts = [grid.id for grid, post_id in grid_rows if post_id is not None]
        covered = subtree_ids(grids, posts)
    return Principal(
        account_id=account.id,
        community_id=account.community_id,
        kind=account.kind,
        display_name=account.display_name,
        resident_id=account.resident_id,
        household_id=household_id,
        device_id=device_id,
        post_grid_ids=frozenset(posts),
        covered_grid_ids=covered,
    )
