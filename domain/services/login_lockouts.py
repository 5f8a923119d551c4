"""What the admin sees of login throttling, and how they lift a lock early.

The counters are not per community, so an admin sees the accounts of their own community
(by username) and every client address (an office's router is shared by whoever sits behind
it); names that belong to no account, or to another community, stay out of sight.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotFound
from domain.i18n import N_
from domain.models import Account
from domain.models.base import utcnow
from domain.models.login_throttle import LoginThrottle, ThrottleKind
from domain.permissions import require_admin
from domain.principal import Principal
from domain.services.login_throttle import (
    Scope,
    ThrottleRules,
    account_scope,
    address_scope,
    masked,
)

log = logging.getLogger("changlang.login_throttle")

LIST_MAX = 200


@dataclass(frozen=True)
class Lockout:
    kind: ThrottleKind
    subject: str
    failures: int
    window_started_at: datetime
    locked_until: datetime
    locked_out: bool
    """True for a full lockout; False for one of the short, growing delays before it."""


def _visible(principal: Principal) -> ColumnElement[bool]:
    own_names = select(Account.username).where(
        Account.community_id == principal.community_id, Account.username.is_not(None)
    )
    return or_(
        LoginThrottle.kind == ThrottleKind.ADDRESS,
        and_(LoginThrottle.kind == ThrottleKind.ACCOUNT, LoginThrottle.subject.in_(own_names)),
    )


async def current_lockouts(
    session: AsyncSession, principal: Principal | None, rules: ThrottleRules
) -> list[Lockout]:
    """Every scope whose next try is refused now, the longest wait first."""
    who = require_admin(principal)
    rows = await session.scalars(
        select(LoginThrottle)
        .where(LoginThrottle.locked_until > utcnow(), _visible(who))
        .order_by(LoginThrottle.locked_until.desc(), LoginThrottle.subject)
        .limit(LIST_MAX)
    )
    return [
        Lockout(
            kind=row.kind,
            subject=row.subject,
            failures=row.failures,
            window_started_at=row.window_started_at,
            locked_until=row.locked_until,
            locked_out=rules.delay_seconds(row.kind, row.failures) >= rules.lockout_seconds,
        )
        for row in rows
        if row.locked_until is not None
    ]


async def clear_lockout(
    session: AsyncSession, principal: Principal | None, kind: ThrottleKind, subject: str
) -> tuple[Scope, bool]:
    """Forget the scope's failures: the scope as counted (the name normalised, an IPv6
    address as its /64), and False if it had none. An account name outside the admin's
    community answers NOT_FOUND, as an unknown one does."""
    who = require_admin(principal)
    account = kind is ThrottleKind.ACCOUNT
    scope: Scope = account_scope(subject) if account else address_scope(subject)
    if account:
        owner = await session.scalar(
            select(Account.id).where(
                Account.username == scope.subject, Account.community_id == who.community_id
            )
        )
        if owner is None:
            raise NotFound(N_("account"), scope.subject)
    result = await session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.kind == scope.kind, LoginThrottle.subject == scope.subject
        )
    )
    cleared = bool(result.rowcount)  # type: ignore[attr-defined]
    if cleared:
        log.info(
            "login lockout of %s %s cleared by admin %s",
            scope.kind.value,
            masked(scope),
            who.account_id,
        )
    return scope, cleared
