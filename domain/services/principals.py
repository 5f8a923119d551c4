"""Turn an authenticated account id into a ``Principal``: two small queries per request.

Posts are read fresh on each request, so a withdrawn post stops covering at once rather than
when an access token expires. So is the session: the first statement also asks whether the
token's device is still registered and unrevoked and whether its refresh-token family still
has a live member (a logout or a detected reuse revokes every member), so a logged-out or
stolen session's access tokens stop working at their next request.
"""

from __future__ import annotations

import uuid

from sqlalchemy import exists, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Account, AccountKind, Device, Grid, GridPost, RefreshToken, Resident
from domain.principal import Principal
from domain.services.grids import subtree_ids


async def load_principal(
    session: AsyncSession,
    account_id: uuid.UUID,
    device_id: uuid.UUID | None = None,
    family_id: uuid.UUID | None = None,
) -> Principal | None:
    """The principal, or None when the account or device is gone, disabled or revoked, or
    when ``family_id`` (the session an access token belongs to) has no unrevoked token of
    this account's device left. Every access token names both; the server's own callers
    (right after a login, the demo) may leave them out."""
    live_family = (
        exists()
        .where(
            RefreshToken.family_id == family_id,
            RefreshToken.account_id == Account.id,
            RefreshToken.device_id == device_id,
            RefreshToken.revoked_at.is_(None),
        )
        .correlate(Account)
    )
    row = (
        await session.execute(
            select(
                Account,
                Resident.household_id,
                Device.id,
                Device.revoked_at,
                live_family if family_id is not None else true(),
            )
            .outerjoin(Resident, Resident.id == Account.resident_id)
            .outerjoin(Device, (Device.id == device_id) & (Device.account_id == Account.id))
            .where(Account.id == account_id)
        )
    ).one_or_none()
    if row is None:
        return None
    account, household_id, known_device, revoked_at, family_live = row
    if account.disabled or revoked_at is not None:
        return None
    if device_id is not None and known_device is None:
        return None
    if family_id is not None and not family_live:
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
