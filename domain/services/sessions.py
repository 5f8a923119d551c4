"""Logins and rotating refresh tokens, each bound to a device.

Every refresh hands out a new token and retires the old one. A retired token presented again
was copied (only one party can hold the live one), so the whole family is revoked: the thief
and the owner both have to log in again, and the theft is over.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.changes import DEVICES, note
from domain.credentials import (
    new_refresh_token,
    normalize_login_code,
    token_digest,
    verify_password_off_loop,
)
from domain.errors import InvalidCredentials, NotFound, PermissionDenied
from domain.i18n import N_
from domain.models import Account, AccountKind, Device, LoginCode, RefreshToken, Resident
from domain.models.base import utcnow
from domain.permissions import require_login
from domain.principal import Principal
from domain.validation import clean_text

DEVICE_NAME_MAX = 100


class RefreshTokenReused(InvalidCredentials):
    """A rotated token came back; the caller revokes ``family_id`` in its own transaction."""

    def __init__(self, family_id: uuid.UUID, account_id: uuid.UUID) -> None:
        super().__init__(N_("this refresh token was already used; log in again"))
        self.family_id = family_id
        self.account_id = account_id


@dataclass(frozen=True)
class IssuedSession:
    account: Account
    device: Device
    family_id: uuid.UUID
    """The session's refresh-token family; its access tokens name it (and end with it)."""
    refresh_token: str


async def _device_for(
    session: AsyncSession, account: Account, device_id: uuid.UUID | None, device_name: str
) -> Device:
    if device_id is not None:
        device = await session.get(Device, device_id)
        if device is not None and device.account_id == account.id and device.revoked_at is None:
            device.last_seen_at = utcnow()
            return device
    device = Device(
        id=uuid.uuid4(),
        community_id=account.community_id,
        account_id=account.id,
        name=clean_text("deviceName", device_name, max_length=DEVICE_NAME_MAX),
        last_seen_at=utcnow(),
    )
    session.add(device)
    await session.flush()
    return device


async def _issue(
    session: AsyncSession, account: Account, device: Device, ttl: timedelta, family: uuid.UUID
) -> IssuedSession:
    token = new_refresh_token()
    session.add(
        RefreshToken(
            community_id=account.community_id,
            account_id=account.id,
            device_id=device.id,
            family_id=family,
            token_hash=token_digest(token),
            expires_at=utcnow() + ttl,
        )
    )
    await session.flush()
    return IssuedSession(account=account, device=device, family_id=family, refresh_token=token)


async def login_with_password(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    device_name: str,
    device_id: uuid.UUID | None,
    refresh_ttl: timedelta,
) -> IssuedSession:
    """The device name is checked before the password, so that its refusal cannot tell a
    right password from a wrong one."""
    clean_text("deviceName", device_name, max_length=DEVICE_NAME_MAX)
    account = await session.scalar(
        select(Account).where(Account.username == username.strip().lower()[:100])
    )
    ok = await verify_password_off_loop(account.password_hash if account else None, password)
    if account is None or not ok or account.disabled or account.kind is AccountKind.RESIDENT:
        raise InvalidCredentials(N_("wrong username or password"))
    device = await _device_for(session, account, device_id, device_name)
    return await _issue(session, account, device, refresh_ttl, uuid.uuid4())


async def login_with_code(
    session: AsyncSession, *, code: str, device_name: str, refresh_ttl: timedelta
) -> IssuedSession:
    """Redeem a resident's one-time code; the resident's account is made on first login."""
    now = utcnow()
    digest = token_digest(normalize_login_code(code)[:64])
    claimed = await session.execute(
        update(LoginCode)
        .where(
            LoginCode.code_hash == digest, LoginCode.used_at.is_(None), LoginCode.expires_at > now
        )
        .values(used_at=now)
        .returning(LoginCode.resident_id)
    )
    resident_id = claimed.scalar_one_or_none()
    resident = await session.get(Resident, resident_id) if resident_id else None
    if resident is None or resident.deleted:
        raise InvalidCredentials(N_("this code is wrong, used or expired; ask your grid contact"))
    account = await session.scalar(select(Account).where(Account.resident_id == resident.id))
    if account is None:
        account = Account(
            community_id=resident.community_id,
            kind=AccountKind.RESIDENT,
            display_name=resident.name,
            resident_id=resident.id,
        )
        session.add(account)
        await session.flush()
    if account.disabled:
        raise InvalidCredentials(N_("this account is disabled"))
    device = await _device_for(session, account, None, device_name)
    return await _issue(session, account, device, refresh_ttl, uuid.uuid4())


async def refresh(session: AsyncSession, *, token: str, refresh_ttl: timedelta) -> IssuedSession:
    """Rotate: retire the presented token and issue its successor in the same family.

    The retirement is a conditional update, so of two concurrent refreshes with one token
    exactly one wins and the other counts as reuse.
    """
    now = utcnow()
    stored = await session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == token_digest(token[:200]))
    )
    if stored is None or stored.revoked_at is not None or stored.expires_at <= now:
        raise InvalidCredentials(N_("this refresh token is not valid; log in again"))
    retired = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == stored.id, RefreshToken.rotated_at.is_(None))
        .values(rotated_at=now)
    )
    if retired.rowcount != 1:  # type: ignore[attr-defined]
        raise RefreshTokenReused(stored.family_id, stored.account_id)
    account = await session.get(Account, stored.account_id)
    device = await session.get(Device, stored.device_id)
    if account is None or device is None or account.disabled or device.revoked_at is not None:
        raise InvalidCredentials(N_("this session has ended; log in again"))
    device.last_seen_at = now
    return await _issue(session, account, device, refresh_ttl, stored.family_id)


async def revoke_family(session: AsyncSession, family_id: uuid.UUID) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


async def logout(session: AsyncSession, *, token: str) -> uuid.UUID | None:
    """End the token's family (its access tokens with it); the account whose session ended."""
    stored = await session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == token_digest(token[:200]))
    )
    if stored is None:
        return None
    await revoke_family(session, stored.family_id)
    return stored.account_id


async def revoke_device(
    session: AsyncSession, principal: Principal | None, device_id: uuid.UUID
) -> Device:
    """A lost phone: its refresh tokens die now and its access tokens fail their next check.

    Noted as a change, so that once this commits the device's live streams re-check their
    access at once and close (their next check would otherwise wait for the next write).
    """
    who = require_login(principal)
    device = await session.get(Device, device_id)
    if device is None or device.community_id != who.community_id:
        raise NotFound(N_("device"), device_id)
    if device.account_id != who.account_id and not who.is_admin:
        raise PermissionDenied(N_("only the owner or an admin may revoke a device"))
    now = utcnow()
    if device.revoked_at is None:
        device.revoked_at = now
        note(session, device.community_id, DEVICES)
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.device_id == device.id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    await session.flush()
    return device
