"""Turn an authenticated account id into a ``Principal``: one statement per request.

Posts are read fresh on each request, so a withdrawn post stops covering at once rather than
when an access token expires. So is the session: the statement also asks whether the token's
device is still registered and unrevoked and whether its refresh-token family still has a
live member (a logout or a detected reuse revokes every member), so a logged-out or stolen
session's access tokens stop working at their next request. The grid tree the posts cover
is kept per process (``grid_tree_cache``) and the same statement reads its version, so a
changed tree is read again by the first request that sees the change.
"""

from __future__ import annotations

import uuid

from sqlalchemy import exists, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Account, AccountKind, Device, GridPost, RefreshToken, Resident
from domain.principal import Principal
from domain.services.grid_tree_cache import live_nodes, version_columns
from domain.services.grids import subtree_ids


async def load_principal(
    session: AsyncSession,
    account_id: uuid.UUID,
    device_id: uuid.UUID | None = None,
    family_id: uuid.UUID | None = None,
    *,
    keep_tree: bool = False,
) -> Principal | None:
    """The principal, or None when the account or device is gone, disabled or revoked, or
    when ``family_id`` (the session an access token belongs to) has no unrevoked token of
    this account's device left. Every access token names both; the server's own callers
    (right after a login, the demo) may leave them out. ``keep_tree`` lets the grid tree
    read here be kept for later requests: only from a read-only transaction
    (``grid_tree_cache.live_nodes``).

    One row per live post of the account (one row if it holds none)."""
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
    rows = (
        await session.execute(
            select(
                Account,
                Resident.household_id,
                Device.id,
                Device.revoked_at,
                live_family if family_id is not None else true(),
                GridPost.grid_id,
                *version_columns(Account.community_id),
            )
            .outerjoin(Resident, Resident.id == Account.resident_id)
            .outerjoin(Device, (Device.id == device_id) & (Device.account_id == Account.id))
            .outerjoin(
                GridPost,
                (GridPost.account_id == Account.id)
                & GridPost.deleted.is_(False)
                & (Account.kind != AccountKind.RESIDENT),
            )
            .where(Account.id == account_id)
        )
    ).all()
    if not rows:
        return None
    account, household_id, known_device, revoked_at, family_live, _, position, count = rows[0]
    if account.disabled or revoked_at is not None:
        return None
    if device_id is not None and known_device is None:
        return None
    if family_id is not None and not family_live:
        return None
    posts: frozenset[uuid.UUID] = frozenset()
    covered: frozenset[uuid.UUID] = frozenset()
    held = [row.grid_id for row in rows if row.grid_id is not None]
    if held:
        version = (int(position), int(count))
        nodes = await live_nodes(session, account.community_id, version, keep=keep_tree)
        posts = frozenset(held) & {node.id for node in nodes}
        covered = subtree_ids(nodes, posts)
    return Principal(
        account_id=account.id,
        community_id=account.community_id,
        kind=account.kind,
        display_name=account.display_name,
        resident_id=account.resident_id,
        household_id=household_id,
        device_id=device_id,
        post_grid_ids=posts,
        covered_grid_ids=covered,
    )
