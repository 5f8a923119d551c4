"""Communities, staff accounts and residents' one-time login codes."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.credentials import (
    hash_password_off_loop,
    new_login_code,
    normalize_login_code,
    token_digest,
)
from domain.errors import Conflict, InvalidInput, NotFound
from domain.i18n import N_
from domain.models import Account, AccountKind, ChangeCounter, Community, LoginCode
from domain.models.base import utcnow
from domain.permissions import require_admin, require_covers, require_staff
from domain.principal import Principal
from domain.services.residents import get_resident_with_household
from domain.validation import clean_text

USERNAME_MAX = 50


async def create_community(session: AsyncSession, name: str) -> Community:
    community = Community(name=clean_text("name", name, max_length=100))
    session.add(community)
    await session.flush()
    session.add(ChangeCounter(community_id=community.id, last_position=0))
    await session.flush()
    return community


async def create_staff_account(
    session: AsyncSession,
    community_id: uuid.UUID,
    *,
    username: str,
    password: str,
    display_name: str,
    admin: bool = False,
    password_hash: str | None = None,
) -> Account:
    """A staff or admin account. ``password_hash`` lets bulk demo loading hash only once."""
    name = clean_text("username", username, max_length=USERNAME_MAX).lower()
    if not name.replace("-", "").replace("_", "").replace(".", "").isalnum() or not name.isascii():
        raise InvalidInput("username", N_("use letters, digits, '.', '-' and '_' only"))
    if await session.scalar(select(Account.id).where(Account.username == name)) is not None:
        raise Conflict(N_("the username {name} is taken"), name=name)
    account = Account(
        community_id=community_id,
        kind=AccountKind.ADMIN if admin else AccountKind.STAFF,
        username=name,
        display_name=clean_text("displayName", display_name, max_length=50),
        password_hash=password_hash or await hash_password_off_loop(password),
    )
    session.add(account)
    await session.flush()
    return account


async def create_staff(
    session: AsyncSession,
    principal: Principal | None,
    *,
    username: str,
    password: str,
    display_name: str,
    admin: bool = False,
) -> Account:
    who = require_admin(principal)
    return await create_staff_account(
        session,
        who.community_id,
        username=username,
        password=password,
        display_name=display_name,
        admin=admin,
    )


async def issue_login_code(
    session: AsyncSession, principal: Principal | None, resident_id: uuid.UUID, ttl: timedelta
) -> str:
    """A fresh one-time code for a resident, shown to the staff member to hand over.

    Earlier unused codes for the same resident stop working: only the newest is live.
    """
    who = require_staff(principal)
    resident, household = await get_resident_with_household(session, who, resident_id)
    require_covers(who, household.grid_id)
    return await _store_code(session, who.community_id, resident.id, who.account_id, ttl)


async def issue_login_code_as_system(
    session: AsyncSession, community_id: uuid.UUID, resident_id: uuid.UUID, ttl: timedelta
) -> str:
    """The command line's way (``changlang issue-code``): the operator is the authority."""
    return await _store_code(session, community_id, resident_id, None, ttl)


async def _store_code(
    session: AsyncSession,
    community_id: uuid.UUID,
    resident_id: uuid.UUID,
    issued_by: uuid.UUID | None,
    ttl: timedelta,
) -> str:
    now = utcnow()
    await session.execute(
        update(LoginCode)
        .where(LoginCode.resident_id == resident_id, LoginCode.used_at.is_(None))
        .values(used_at=now)
    )
    code = new_login_code()
    session.add(
        LoginCode(
            community_id=community_id,
            resident_id=resident_id,
            issued_by_id=issued_by,
            code_hash=token_digest(normalize_login_code(code)),
            expires_at=now + ttl,
        )
    )
    await session.flush()
    return code


async def get_account(
    session: AsyncSession, principal: Principal, account_id: uuid.UUID
) -> Account:
    account = await session.get(Account, account_id)
    if account is None or account.community_id != principal.community_id:
        raise NotFound(N_("account"), account_id)
    return account
