"""The admin's view of login throttling: who is waiting or locked out, and lifting a lock."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from domain import models
from domain.errors import DomainError
from domain.services import login_lockouts
from schema.context import Info
from schema.errors import result_union, to_graphql_error
from schema.mutations.transaction import in_transaction

LoginThrottleKind = strawberry.enum(
    models.ThrottleKind,
    name="LoginThrottleKind",
    description="ACCOUNT: a username as typed (whether or not it exists); ADDRESS: a client "
    "address (an IPv6 client's /64 network).",
)


@strawberry.type(description="A username or client address whose next login try is refused.")
class LoginLockout:
    kind: LoginThrottleKind
    subject: str = strawberry.field(description="the username, or the address")
    failures: int = strawberry.field(description="failed tries in the current window")
    window_started_at: datetime
    locked_until: datetime
    locked_out: bool = strawberry.field(
        description="a full lockout; false for one of the short, growing waits before it"
    )

    @classmethod
    def of(cls, row: login_lockouts.Lockout) -> LoginLockout:
        return cls(
            kind=row.kind,
            subject=row.subject,
            failures=row.failures,
            window_started_at=row.window_started_at,
            locked_until=row.locked_until,
            locked_out=row.locked_out,
        )


@strawberry.type
class LoginLockoutList:
    items: list[LoginLockout]


@strawberry.type
class LoginLockoutCleared:
    kind: LoginThrottleKind
    subject: str = strawberry.field(description="as counted: the username normalised")
    cleared: bool = strawberry.field(description="false if it had no failures to forget")


LoginLockoutsResult = result_union("LoginLockoutsResult", LoginLockoutList)
ClearLoginLockoutResult = result_union("ClearLoginLockoutResult", LoginLockoutCleared)


@strawberry.type
class LoginLockoutQueries:
    @strawberry.field(
        description="Admins: the usernames of your community and the client addresses that "
        "must wait before their next login try, the longest wait first."
    )
    async def login_lockouts(self, info: Info) -> LoginLockoutsResult:
        try:
            async with info.context.db.read() as session:
                rows = await login_lockouts.current_lockouts(
                    session, info.context.principal, info.context.config.login_throttle
                )
        except DomainError as error:
            return to_graphql_error(error, info.context.language)
        return LoginLockoutList(items=[LoginLockout.of(row) for row in rows])


@strawberry.type
class LoginLockoutMutations:
    @strawberry.mutation(
        description="Admins: forget a username's or an address's failed logins, lifting its "
        "wait or lockout at once."
    )
    async def clear_login_lockout(
        self, info: Info, kind: LoginThrottleKind, subject: str
    ) -> ClearLoginLockoutResult:
        async def work(session: AsyncSession) -> LoginLockoutCleared:
            scope, cleared = await login_lockouts.clear_lockout(
                session, info.context.principal, kind, subject
            )
            return LoginLockoutCleared(kind=scope.kind, subject=scope.subject, cleared=cleared)

        return await in_transaction(info, work)
