"""Communities, staff accounts and residents' one-time login codes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

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


@dataclass(frozen=True)
class IssuedCode:
    """A fresh code, shown once; ``replaced_earlier_code`` says a live one stopped working,
    so that whoever hands it over can tell the resident the old slip is void."""

    resident_id: uuid.UUID
    code: str
    expires_at: datetime
    replaced_earlier_code: bool


async def issue_login_code(
    session: AsyncSession, principal: Principal | None, resident_id: uuid.UUID, ttl: timedelta
) -> IssuedCode:
    """A fresh one-time code for a resident, shown to the staff member to hand over.

    Earlier unused codes for the same resident stop working: only the newest is live.
    """
    who = require_staff(principal)
    resident, household = await get_resident_with_household(session, who, resident_id)
    require_covers(who, household.grid_id)
    issued = await store_codes(session, who.community_id, [resident.id], who.account_id, ttl)
    return issued[0]


async def issue_login_code_as_system(
    session: AsyncSession, community_id: uuid.UUID, resident_id: uuid.UUID, ttl: timedelta
) -> IssuedCode:
    """The command line's way (``changlang issue-code``): the operator is the authority."""
    return (await store_codes(session, community_id, [resident_id], None, ttl))[0]


async def store_codes(
    session: AsyncSession,
    community_id: uuid.UUID,
    resident_ids: Sequence[uuid.UUID],
    issued_by: uuid.UUID | None,
    ttl: timedelta,
) -> list[IssuedCode]:
    """New codes for many residents in two statements (printing slips for a whole grid).

    Every unused code of theirs is retired; those that were still live (not expired) are
    reported as replaced. The codes themselves exist only in the returned values.
    """
    if not resident_ids:
        return []
    now = utcnow()
    retired = await session.execute(
        update(LoginCode)
        .where(LoginCode.resident_id.in_(resident_ids), LoginCode.used_at.is_(None))
        .values(used_at=now)
        .returning(LoginCode.resident_id, LoginCode.expires_at)
        .execution_options(synchronize_session=False)
    )
    live = {resident for resident, expires in retired.all() if expires > now}
    expires_at = now + ttl
    issued = [
        IssuedCode(resident, new_login_code(), expires_at, resident in live)
        for resident in resident_ids
    ]
    session.add_all(
        LoginCode(
            community_id=community_id,
            resident_id=one.resident_id,
            issued_by_id=issued_by,
            code_hash=token_digest(normalize_login_code(one.code)),
            expires_at=expires_at,
        )
        for one in issued
    )
    await session.flush()
    return issued


async def get_account(
    session: AsyncSession, principal: Principal, account_id: uuid.UUID
) -> Account:
    account = await session.get(Account, account_id)
    if account is None or account.community_id != principal.community_id:
        raise NotFound(N_("account"), account_id)
    return account
