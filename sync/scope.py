"""A device's scope: which grid nodes its account's posts cover, and the fingerprint of that.

A checkpoint carries the fingerprint of the scope the device's copy is complete for; a pull
whose fingerprint differs from the current one replays the difference (``sync.pull``). The
grid nodes behind each fingerprint are kept in ``sync_scope``, so the server can tell what
the device may still hold without trusting the client with the list.
"""

from __future__ import annotations

import hashlib
import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import PermissionDenied
from domain.i18n import N_
from domain.models import SyncScope
from domain.principal import Principal
from sync.declaration import ScopeSpec, SyncedType
from sync.errors import BadCheckpoint, DeviceRequired

ALL = "all"  # an admin's device: the whole community
FIXED = "fixed"  # a collection whose scope does not depend on grid posts


def scope_of(principal: Principal | None) -> ScopeSpec:
    """Sync is for staff on a registered device (field volunteers, grid staff, admins)."""
    if principal is None:
        from domain.errors import AuthenticationRequired

        raise AuthenticationRequired()
    if not principal.is_staff:
        raise PermissionDenied(N_("offline sync is for grid staff"))
    if principal.device_id is None:
        raise DeviceRequired(N_("log in from the app: sync needs a registered device"))
    return ScopeSpec(
        community_id=principal.community_id,
        account_id=principal.account_id,
        device_id=principal.device_id,
        grid_ids=None if principal.is_admin else frozenset(principal.covered_grid_ids),
    )


def fingerprint(collection: SyncedType, grid_ids: frozenset[uuid.UUID] | None) -> str:
    if not collection.grid_scoped:
        return FIXED
    if grid_ids is None:
        return ALL
    joined = ",".join(sorted(str(grid) for grid in grid_ids))
    return hashlib.sha256(f"v1:{joined}".encode()).hexdigest()[:32]


def with_grids(scope: ScopeSpec, grid_ids: frozenset[uuid.UUID] | None) -> ScopeSpec:
    return ScopeSpec(scope.community_id, scope.account_id, scope.device_id, grid_ids)


def union(
    left: frozenset[uuid.UUID] | None, right: frozenset[uuid.UUID] | None
) -> frozenset[uuid.UUID] | None:
    return None if left is None or right is None else left | right


async def remember(
    session: AsyncSession, community_id: uuid.UUID, print_: str, grids: frozenset[uuid.UUID] | None
) -> None:
    """Store the grid nodes behind a fingerprint (content-addressed: the same set, one row)."""
    if print_ in (ALL, FIXED):
        return
    if await session.get(SyncScope, print_) is not None:
        return
    try:
        async with session.begin_nested():
            session.add(
                SyncScope(
                    fingerprint=print_,
                    community_id=community_id,
                    grid_ids=sorted(str(g) for g in grids or ()),
                )
            )
    except IntegrityError:
        pass  # stored by a concurrent pull a moment ago: the same content


async def recall(
    session: AsyncSession, community_id: uuid.UUID, print_: str
) -> frozenset[uuid.UUID] | None:
    """The grid nodes behind a fingerprint this server issued in this community."""
    if print_ == ALL:
        return None
    if print_ == FIXED:
        return frozenset()
    row = await session.scalar(
        select(SyncScope).where(
            SyncScope.fingerprint == print_, SyncScope.community_id == community_id
        )
    )
    if row is None:
        raise BadCheckpoint(N_("checkpoint.id names a scope this server never issued"))
    return frozenset(uuid.UUID(grid) for grid in row.grid_ids or ())
