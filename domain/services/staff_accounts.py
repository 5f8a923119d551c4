"""The community's staff accounts with their posts (工作人员与岗位), for the secretary.

An account without a post is listed too: a responsible contact (the property company, say)
holds none, and a new account waits for its post. Two statements, however many accounts.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Account, AccountKind, Community, GridPost
from domain.permissions import require_admin, require_login
from domain.principal import Principal
from domain.services.posts import posts_of_accounts


@dataclass(frozen=True)
class StaffAccount:
    account: Account
    posts: list[GridPost]


async def staff_accounts(session: AsyncSession, principal: Principal | None) -> list[StaffAccount]:
    who = require_admin(principal)
    accounts = list(
        await session.scalars(
            select(Account)
            .where(
                Account.community_id == who.community_id,
                Account.kind.in_((AccountKind.ADMIN, AccountKind.STAFF)),
            )
            .order_by(Account.created_at, Account.id)
        )
    )
    posts = await posts_of_accounts(session, who.community_id, [a.id for a in accounts])
    by_account: dict[object, list[GridPost]] = {}
    for post in posts:
        by_account.setdefault(post.account_id, []).append(post)
    return [StaffAccount(account, by_account.get(account.id, [])) for account in accounts]


async def community_name(session: AsyncSession, principal: Principal | None) -> str:
    who = require_login(principal)
    community = await session.get(Community, who.community_id)
    return community.name if community else ""
