"""Logins, token refresh, one-time codes for residents, and device revocation."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError
from domain.services import accounts, login_throttle, sessions
from domain.services.principals import load_principal
from schema.context import Info
from schema.error_policy import log_refusal, reason
from schema.errors import Error, result_union, to_graphql_error
from schema.events import session_channel
from schema.mutations.transaction import in_transaction
from schema.types.viewer import Viewer


@strawberry.type(
    description="A logged-in session: send the access token as `Authorization: Bearer`."
)
class AuthSession:
    access_token: str
    access_token_expires_at: datetime
    refresh_token: str = strawberry.field(description="single use: each refresh returns a new one")
    device_id: uuid.UUID
    viewer: Viewer


@strawberry.type(description="A one-time login code for a resident, to hand over in person.")
class LoginCode:
    resident_id: uuid.UUID
    code: str
    expires_at: datetime
    replaced_earlier_code: bool = strawberry.field(
        description="an earlier code of this resident was still live and now stops working"
    )


@strawberry.type
class LoggedOut:
    ok: bool


@strawberry.type
class DeviceRevoked:
    device_id: uuid.UUID
    revoked_at: datetime


LoginResult = result_union("LoginResult", AuthSession)
RefreshResult = result_union("RefreshResult", AuthSession)
IssueLoginCodeResult = result_union("IssueLoginCodeResult", LoginCode)
LogoutResult = result_union("LogoutResult", LoggedOut)
RevokeDeviceResult = result_union("RevokeDeviceResult", DeviceRevoked)


async def _session_payload(
    info: Info, session: AsyncSession, issued: sessions.IssuedSession
) -> AuthSession:
    account, device = issued.account, issued.device
    principal = await load_principal(session, account.id, device.id, issued.family_id)
    assert principal is not None  # just authenticated in this transaction
    token, expires = info.context.tokens.issue(
        account.id, account.community_id, device.id, issued.family_id
    )
    return AuthSession(
        access_token=token,
        access_token_expires_at=expires,
        refresh_token=issued.refresh_token,
        device_id=device.id,
        viewer=Viewer.of(principal),
    )


async def _session_ended(info: Info, account_id: uuid.UUID) -> None:
    """After the commit: the account's live subscriptions check their session at once."""
    await info.context.events.publish(session_channel(account_id), {})


async def _throttled(
    info: Info,
    scopes: tuple[login_throttle.Scope, ...],
    login: Callable[[AsyncSession], Awaitable[sessions.IssuedSession]],
) -> AuthSession | Error:
    """Count the try first (``login_throttle``), then log in in one transaction that also
    gives the try back when it succeeds."""
    rules = info.context.config.login_throttle
    try:
        admission = await login_throttle.admit(info.context.db, rules, scopes)
    except DomainError as error:
        log_refusal(error.code, info.field_name, reason(error), info.context.request_id)
        return to_graphql_error(error, info.context.language)

    async def work(session: AsyncSession) -> AuthSession:
        issued = await login(session)
        await login_throttle.succeeded(session, rules, admission)
        return await _session_payload(info, session, issued)

    result = await in_transaction(info, work)
    if isinstance(result, Error):
        login_throttle.failed(admission)
    return result


@strawberry.type
class AuthMutations:
    @strawberry.mutation(
        description="Staff and admins: username and password. After repeated failures the "
        "account name or address must wait (RateLimitedError), a right password too."
    )
    async def login(
        self,
        info: Info,
        username: str,
        password: str,
        device_name: str = "web",
        device_id: uuid.UUID | None = None,
    ) -> LoginResult:
        async def login(session: AsyncSession) -> sessions.IssuedSession:
            return await sessions.login_with_password(
                session,
                username=username,
                password=password,
                device_name=device_name,
                device_id=device_id,
                refresh_ttl=info.context.config.refresh_ttl,
            )

        scopes = login_throttle.scopes_for(username=username, address=info.context.client_address)
        return await _throttled(info, scopes, login)

    @strawberry.mutation(
        description="Residents: the one-time code their grid contact handed over. Wrong codes "
        "are throttled per address (RateLimitedError)."
    )
    async def login_with_code(self, info: Info, code: str, device_name: str = "web") -> LoginResult:
        async def login(session: AsyncSession) -> sessions.IssuedSession:
            return await sessions.login_with_code(
                session,
                code=code,
                device_name=device_name,
                refresh_ttl=info.context.config.refresh_ttl,
            )

        scopes = login_throttle.scopes_for(address=info.context.client_address)
        return await _throttled(info, scopes, login)

    @strawberry.mutation(
        description="Trade a refresh token for a new session; reuse ends the family."
    )
    async def refresh_session(self, info: Info, refresh_token: str) -> RefreshResult:
        async def work(session: AsyncSession) -> AuthSession:
            issued = await sessions.refresh(
                session, token=refresh_token, refresh_ttl=info.context.config.refresh_ttl
            )
            return await _session_payload(info, session, issued)

        try:
            async with info.context.db.transaction() as session:
                return await work(session)
        except sessions.RefreshTokenReused as reuse:
            async with info.context.db.transaction() as session:
                await sessions.revoke_family(session, reuse.family_id)
            await _session_ended(info, reuse.account_id)
            return to_graphql_error(reuse)
        except DomainError as error:
            return to_graphql_error(error)

    @strawberry.mutation(description="End the session this refresh token belongs to.")
    async def logout(self, info: Info, refresh_token: str) -> LogoutResult:
        ended: list[uuid.UUID] = []

        async def work(session: AsyncSession) -> LoggedOut:
            account = await sessions.logout(session, token=refresh_token)
            ended.extend([account] if account else [])
            return LoggedOut(ok=True)

        result = await in_transaction(info, work)
        for account in ended if not isinstance(result, Error) else []:
            await _session_ended(info, account)
        return result

    @strawberry.mutation(
        description="A one-time code for a resident you cover; shown to you to hand over."
    )
    async def issue_login_code(self, info: Info, resident_id: uuid.UUID) -> IssueLoginCodeResult:
        ttl = info.context.config.login_code_ttl

        async def work(session: AsyncSession) -> LoginCode:
            issued = await accounts.issue_login_code(
                session, info.context.principal, resident_id, ttl
            )
            return LoginCode(
                resident_id=resident_id,
                code=issued.code,
                expires_at=issued.expires_at,
                replaced_earlier_code=issued.replaced_earlier_code,
            )

        return await in_transaction(info, work)

    @strawberry.mutation(
        description="A lost phone: it can refresh nothing and its tokens stop working."
    )
    async def revoke_device(self, info: Info, device_id: uuid.UUID) -> RevokeDeviceResult:
        owners: list[uuid.UUID] = []

        async def work(session: AsyncSession) -> DeviceRevoked:
            device = await sessions.revoke_device(session, info.context.principal, device_id)
            assert device.revoked_at is not None
            owners.append(device.account_id)
            return DeviceRevoked(device_id=device.id, revoked_at=device.revoked_at)

        result = await in_transaction(info, work)
        for account in owners if not isinstance(result, Error) else []:
            await _session_ended(info, account)
        return result
