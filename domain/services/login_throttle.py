"""Login throttling: failed tries slow down, then lock, per account name and per address.

A try is counted as a failure *before* its password or code is checked (``admit``), in a
transaction of its own, and given back only when it succeeds (``succeeded``, inside the
login's own transaction). So a refused login stays counted although its transaction rolls
back, and a burst of concurrent guesses cannot all slip past the check before the first is
counted: each admission is one atomic UPSERT on the scope's row, which the server processes
sharing PostgreSQL serialise on (SQLite has one writer at a time anyway).

Once a scope has used its free failures, each further failure makes the next try wait
``base * 2**k`` seconds, and at ``lockout_failures`` it waits ``lockout_seconds``. A try that
comes too early is refused with ``RateLimited`` without checking the password at all: a
right password too, or the waiting would slow nobody's guessing.

Login codes are throttled per address only: before redemption a code names no account, and a
community-wide counter would let one stranger lock every resident out.
"""

from __future__ import annotations

import ipaddress
import logging
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, delete, literal, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.database import Database
from domain.dialect import insert_or_update
from domain.errors import RateLimited
from domain.models.base import UTCDateTime, utcnow
from domain.models.login_throttle import LoginThrottle, ThrottleKind

log = logging.getLogger("changlang.login_throttle")

SUBJECT_MAX = 100
STALE_BATCH = 100


@dataclass(frozen=True)
class ThrottleRules:
    """The thresholds (settings ``CHANGLANG_LOGIN_*``). An address gets more free failures
    than an account: a whole office may share one address behind its router."""

    account_free_failures: int = 5
    account_lockout_failures: int = 10
    address_free_failures: int = 20
    address_lockout_failures: int = 50
    delay_base_seconds: int = 1
    lockout_seconds: int = 900
    window_seconds: int = 3600
    """Failures older than this (counted from the first of a window) are forgotten."""

    def delay_seconds(self, kind: ThrottleKind, failures: int) -> int:
        """How long the try after the ``failures``-th must wait (0: at once)."""
        if kind is ThrottleKind.ACCOUNT:
            free, lockout = self.account_free_failures, self.account_lockout_failures
        else:
            free, lockout = self.address_free_failures, self.address_lockout_failures
        if failures >= lockout:
            return self.lockout_seconds
        if failures <= free:
            return 0
        return int(min(self.delay_base_seconds * 2 ** (failures - free - 1), self.lockout_seconds))

    def free_failures(self, kind: ThrottleKind) -> int:
        if kind is ThrottleKind.ACCOUNT:
            return self.account_free_failures
        return self.address_free_failures


@dataclass(frozen=True)
class Scope:
    kind: ThrottleKind
    subject: str


def account_scope(username: str) -> Scope:
    """Normalised as a login looks the account up, so ``Chief1`` and ``chief1`` count as one;
    unknown names are throttled alike, or the throttle would tell which names exist."""
    return Scope(ThrottleKind.ACCOUNT, username.strip().lower()[:SUBJECT_MAX])


def address_scope(address: str) -> Scope:
    """An IPv6 client counts by its /64 network: one subscriber usually holds all of it."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return Scope(ThrottleKind.ADDRESS, address.strip()[:SUBJECT_MAX])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return Scope(ThrottleKind.ADDRESS, str(ip.ipv4_mapped))
        return Scope(ThrottleKind.ADDRESS, str(ipaddress.IPv6Network((ip, 64), strict=False)))
    return Scope(ThrottleKind.ADDRESS, str(ip))


def scopes_for(*, username: str | None = None, address: str | None) -> tuple[Scope, ...]:
    """The scopes a try counts against, in one fixed order (locks are taken in this order)."""
    found = []
    if username is not None:
        found.append(account_scope(username))
    if address:
        found.append(address_scope(address))
    return tuple(found)


@dataclass(frozen=True)
class Admission:
    """A try let through: it was counted against ``scopes``; ``locks`` are the scopes (with
    seconds) that this try, if it fails, locked out."""

    scopes: tuple[Scope, ...]
    locks: tuple[tuple[Scope, int, int], ...] = field(default=())


def _at(moment: datetime) -> ColumnElement[datetime]:
    return literal(moment, UTCDateTime())


async def _count(
    session: AsyncSession, rules: ThrottleRules, scope: Scope, now: datetime
) -> tuple[int, bool] | None:
    """Count one failure against ``scope``, atomically: the failures of its window and whether
    that window starts now; None if the scope is still waiting."""
    expired = LoginThrottle.window_started_at <= _at(now - timedelta(seconds=rules.window_seconds))
    statement = (
        insert_or_update(session, LoginThrottle)
        .values(
            kind=scope.kind,
            subject=scope.subject,
            failures=1,
            window_started_at=now,
            last_failure_at=now,
            locked_until=None,
        )
        .on_conflict_do_update(
            index_elements=[LoginThrottle.kind, LoginThrottle.subject],
            set_={
                "failures": case((expired, 1), else_=LoginThrottle.failures + 1),
                "window_started_at": case(
                    (expired, _at(now)), else_=LoginThrottle.window_started_at
                ),
                "last_failure_at": _at(now),
            },
            where=or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now),
        )
        .returning(LoginThrottle.failures, LoginThrottle.window_started_at)
    )
    counted = (await session.execute(statement)).one_or_none()
    return None if counted is None else (counted.failures, counted.window_started_at == now)


def _row(scope: Scope) -> ColumnElement[bool]:
    return and_(LoginThrottle.kind == scope.kind, LoginThrottle.subject == scope.subject)


async def admit(db: Database, rules: ThrottleRules, scopes: tuple[Scope, ...]) -> Admission:
    """Count this try against every scope, or refuse it (``RateLimited``) counting nothing."""
    if not scopes:
        return Admission(scopes)
    now = utcnow()
    locks: list[tuple[Scope, int, int]] = []
    fresh = False
    async with db.transaction() as session:
        waits: list[datetime] = []
        for scope in scopes:
            counted = await _count(session, rules, scope, now)
            if counted is None:
                until = await session.scalar(select(LoginThrottle.locked_until).where(_row(scope)))
                waits.append(until or now)
                continue
            failures, new_window = counted
            fresh = fresh or new_window
            delay = rules.delay_seconds(scope.kind, failures)
            if delay:
                await session.execute(
                    update(LoginThrottle)
                    .where(_row(scope))
                    .values(locked_until=now + timedelta(seconds=delay))
                )
            if delay >= rules.lockout_seconds:
                locks.append((scope, delay, failures))
        if waits:
            wait = (max(waits) - now).total_seconds()
            raise RateLimited(retry_after_seconds=max(1, math.ceil(wait)))
    if fresh:
        await _forget_stale(db, rules, now)
    return Admission(scopes, tuple(locks))


async def _forget_stale(db: Database, rules: ThrottleRules, now: datetime) -> None:
    """Drop a batch of rows whose window has passed and that lock nothing, so names made up
    by a guesser do not pile up. Its own transaction, skipping rows others hold: it never
    waits, so it cannot deadlock with a login."""
    stale = (
        select(LoginThrottle.kind, LoginThrottle.subject)
        .where(
            LoginThrottle.window_started_at <= now - timedelta(seconds=rules.window_seconds),
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now),
        )
        .limit(STALE_BATCH)
        .with_for_update(skip_locked=True)
    )
    async with db.transaction() as session:
        await session.execute(
            delete(LoginThrottle).where(
                tuple_(LoginThrottle.kind, LoginThrottle.subject).in_(stale)
            )
        )


async def succeeded(session: AsyncSession, rules: ThrottleRules, admission: Admission) -> None:
    """The try was right: the account starts afresh; the address only gets this try back
    (else one's own account would wipe out one's guesses at others')."""
    for scope in admission.scopes:
        if scope.kind is ThrottleKind.ACCOUNT:
            await session.execute(delete(LoginThrottle).where(_row(scope)))
            continue
        await session.execute(
            update(LoginThrottle)
            .where(_row(scope), LoginThrottle.failures > 0)
            .values(
                failures=LoginThrottle.failures - 1,
                locked_until=case(
                    (LoginThrottle.failures - 1 <= rules.free_failures(scope.kind), None),
                    else_=LoginThrottle.locked_until,
                ),
            )
        )


def failed(admission: Admission) -> None:
    """The try was wrong: a lockout it caused is logged (a username only in part)."""
    for scope, seconds, failures in admission.locks:
        log.warning(
            "login locked out: %s %s for %d s after %d failed tries",
            scope.kind.value,
            masked(scope),
            seconds,
            failures,
        )


def masked(scope: Scope) -> str:
    """Enough of a username to recognise it in a log, not enough to hand it over whole."""
    if scope.kind is ThrottleKind.ADDRESS:
        return scope.subject
    name = scope.subject
    if len(name) <= 3:
        return name[:1] + "***"
    return name[:2] + "***" + name[-1:]
