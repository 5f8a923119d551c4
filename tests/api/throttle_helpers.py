"""Shared by the login-throttling tests: small thresholds, a clock, clients at chosen addresses."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from api.app import create_app
from api.settings import Settings
from domain.database import Database
from domain.models import LoginThrottle, ThrottleKind
from domain.models.base import utcnow
from domain.services import login_lockouts, login_throttle
from tests.api_client import Api, test_settings
from tests.world import PASSWORD

RULES: dict[str, Any] = {
    "login_free_failures": 3,
    "login_lockout_failures": 6,
    "login_address_free_failures": 8,
    "login_address_lockout_failures": 12,
    "login_delay_base_seconds": 2,
    "login_lockout_seconds": 600,
    "login_window_seconds": 3600,
}

AUTH = """__typename ... on AuthSession { accessToken deviceId }
    ... on RateLimitedError { retryAfterSeconds } ... on Error { code message }"""
LOGIN = (
    f"""mutation($u: String!, $p: String!) {{ login(username: $u, password: $p) {{ {AUTH} }} }}"""
)
LOGIN_WITH_CODE = f"""mutation($c: String!) {{ loginWithCode(code: $c) {{ {AUTH} }} }}"""
ISSUE_CODE = """mutation($id: UUID!) { issueLoginCode(residentId: $id) {
    __typename ... on LoginCode { code } ... on Error { code message } } }"""


class Clock:
    """Moves the throttle's notion of now; nothing else's."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return utcnow() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


def patch_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    for module in (login_throttle, login_lockouts):
        monkeypatch.setattr(module, "utcnow", clock.now)
    return clock


def settings(**overrides: Any) -> Settings:
    return test_settings(**(RULES | overrides))


@asynccontextmanager
async def clients(
    database: Database, settings: Settings, language: str | None = None
) -> AsyncIterator[Callable[[str], Api]]:
    """``at(address)``: a client of one app whose requests come from ``address``."""
    app = create_app(settings, db=database)
    opened: list[httpx.AsyncClient] = []

    def at(address: str) -> Api:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        headers = {"Accept-Language": language} if language else {}
        client = httpx.AsyncClient(
            transport=transport, base_url="http://testserver", headers=headers
        )
        opened.append(client)
        return Api(client, language)

    try:
        yield at
    finally:
        for client in opened:
            await client.aclose()


async def login(api: Api, username: str, password: str = PASSWORD) -> dict[str, Any]:
    return dict((await api.ok(LOGIN, {"u": username, "p": password}))["login"])


async def login_with_code(api: Api, code: str) -> dict[str, Any]:
    return dict((await api.ok(LOGIN_WITH_CODE, {"c": code}))["loginWithCode"])


async def counter(database: Database, kind: ThrottleKind, subject: str) -> LoginThrottle | None:
    async with database.read() as session:
        found: LoginThrottle | None = await session.scalar(
            select(LoginThrottle).where(
                LoginThrottle.kind == kind, LoginThrottle.subject == subject
            )
        )
        return found


def kind(result: dict[str, Any]) -> str:
    return str(result["__typename"])
