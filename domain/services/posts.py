"""Grid posts (定岗定责): who holds which role on which grid node.

The five-level chain (五级红色网格) decides where each role sits: 包联社区干部, 网格长,
副网格长 and 网格员 hold posts on a grid (网格), 红色微网格员 on a micro-grid (微网格, a
building or stairwell). ``POST_LEVELS`` is that table, and the only place it is written. The
community level above the grids is not a node of the tree: it is held by the admin account
(社区书记 / 社区"两委"), not by a post.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from types import MappingProxyType

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Conflict, DomainError, InvalidInput, NotFound
from domain.i18n import N_, word
from domain.models import Account, AccountKind, Grid, GridLevel, GridPost, Household, PostRole
from domain.permissions import require_admin, require_login
from domain.principal import Principal
from domain.services.grids import get_grid

POST_LEVELS: Mapping[PostRole, frozenset[GridLevel]] = MappingProxyType(
    {
        PostRole.CADRE: frozenset({GridLevel.GRID}),
        PostRole.GRID_CHIEF: frozenset({GridLevel.GRID}),
        PostRole.DEPUTY_CHIEF: frozenset({GridLevel.GRID}),
        PostRole.GRID_MEMBER: frozenset({GridLevel.GRID}),
        PostRole.MICRO_GRID_MEMBER: frozenset({GridLevel.MICRO_GRID}),
    }
)
"""The grid levels where each role may hold a post."""


class WrongGridLevel(DomainError):
    """The role does not belong on this level of the grid tree (see ``POST_LEVELS``)."""

    code = "WRONG_GRID_LEVEL"


def check_level(role: PostRole, grid: Grid) -> None:
    if grid.level not in POST_LEVELS[role]:
        raise WrongGridLevel(
            N_("a {role} holds a post on a {levels}, not on a {level}"),
            role=word(role.value),
            levels=word(min(level.value for level in POST_LEVELS[role])),
            level=word(grid.level.value),
        )


async def posts_of_accounts(
    session: AsyncSession, community_id: uuid.UUID, account_ids: list[uuid.UUID]
) -> list[GridPost]:
    rows = await session.scalars(
        select(GridPost)
        .where(
            GridPost.community_id == community_id,
            GridPost.account_id.in_(account_ids),
            GridPost.deleted.is_(False),
        )
        .order_by(GridPost.created_at, GridPost.id)
    )
    return list(rows)


async def list_posts(
    session: AsyncSession, principal: Principal | None, grid_id: uuid.UUID | None = None
) -> list[GridPost]:
    who = require_login(principal)
    statement = select(GridPost).where(
        GridPost.community_id == who.community_id, GridPost.deleted.is_(False)
    )
    if grid_id is not None:
        statement = statement.where(GridPost.grid_id == grid_id)
    return list(await session.scalars(statement.order_by(GridPost.created_at, GridPost.id)))


async def get_post(session: AsyncSession, principal: Principal, post_id: uuid.UUID) -> GridPost:
    post = await session.get(GridPost, post_id)
    if post is None or post.community_id != principal.community_id or post.deleted:
        raise NotFound(N_("post"), post_id)
    return post


async def create_post(
    session: AsyncSession,
    principal: Principal | None,
    *,
    account_id: uuid.UUID,
    grid_id: uuid.UUID,
    role: PostRole,
) -> GridPost:
    who = require_admin(principal)
    grid = await get_grid(session, who, grid_id)
    account = await session.get(Account, account_id)
    if account is None or account.community_id != who.community_id:
        raise NotFound(N_("account"), account_id)
    if account.kind is AccountKind.RESIDENT:
        raise InvalidInput("accountId", N_("a resident's account cannot hold a grid post"))
    check_level(role, grid)
    existing = await session.scalar(
        select(GridPost.id).where(
            GridPost.account_id == account_id,
            GridPost.grid_id == grid_id,
            GridPost.role == role,
            GridPost.deleted.is_(False),
        )
    )
    if existing is not None:
        raise Conflict(N_("this account already holds this role on this grid node"))
    post = GridPost(
        community_id=who.community_id, account_id=account_id, grid_id=grid_id, role=role
    )
    session.add(post)
    await session.flush()
    return post


async def delete_post(
    session: AsyncSession, principal: Principal | None, post_id: uuid.UUID
) -> GridPost:
    """Withdraw a post; households it was the contact of show up as uncovered again."""
    who = require_admin(principal)
    post = await get_post(session, who, post_id)
    post.deleted = True
    households = await session.scalars(
        select(Household).where(Household.contact_post_id == post.id)
    )
    for household in households:
        household.contact_post_id = None
    await session.flush()
    return post
