"""The admin sees who is locked out of logging in, and may lift a lock; nobody else may."""

from __future__ import annotations

from typing import Any

import pytest

from domain.database import Database
from domain.models import ThrottleKind
from tests.api.throttle_helpers import Clock, clients, counter, kind, login, patch_clock, settings
from tests.api_client import Api
from tests.world import World

WRONG = "not-the-password"
LOCKOUTS = """{ loginLockouts { __typename
    ... on LoginLockoutList { items { kind subject failures lockedUntil lockedOut } }
    ... on Error { code } } }"""
CLEAR = """mutation($k: LoginThrottleKind!, $s: String!) {
    clearLoginLockout(kind: $k, subject: $s) { __typename
        ... on LoginLockoutCleared { kind subject cleared } ... on Error { code } } }"""


async def lock_out(api: Api, clock: Clock, username: str | None, failures: int = 6) -> None:
    """``failures`` wrong passwords, waiting out each refusal in between; ``username`` None:
    a new name each time (only the address gets locked)."""
    counted = 0
    while counted < failures:
        result = await login(api, username or f"guess{counted}", WRONG)
        if result["code"] == "RATE_LIMITED":
            clock.advance(result["retryAfterSeconds"])
        else:
            counted += 1


async def lockouts(api: Api, token: str | None) -> dict[str, Any]:
    return dict((await api.ok(LOCKOUTS, token=token))["loginLockouts"])


async def clear(api: Api, token: str, kind_: str, subject: str) -> dict[str, Any]:
    return dict((await api.ok(CLEAR, {"k": kind_, "s": subject}, token=token))["clearLoginLockout"])


async def test_the_admin_sees_their_communitys_lockouts_and_the_addresses(
    database: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = patch_clock(monkeypatch)
    async with clients(database, settings()) as at:
        office = at("192.0.2.1")
        admin = (await login(office, "admin"))["accessToken"]
        chief2 = (await login(office, "chief2"))["accessToken"]
        await lock_out(at("198.51.100.1"), clock, "chief1")
        await lock_out(at("198.51.100.2"), clock, "staff-b")  # another community's account
        await lock_out(at("198.51.100.3"), clock, "nobody-at-all")  # an unknown name
        await lock_out(at("198.51.100.7"), clock, None, failures=12)

        seen = await lockouts(office, admin)

        assert seen["__typename"] == "LoginLockoutList", seen
        items = {(item["kind"], item["subject"]): item for item in seen["items"]}
        assert set(items) == {("ACCOUNT", "chief1"), ("ADDRESS", "198.51.100.7")}, items
        assert items["ACCOUNT", "chief1"]["failures"] == 6
        assert items["ACCOUNT", "chief1"]["lockedOut"] is True
        assert items["ADDRESS", "198.51.100.7"]["failures"] == 12
        assert items["ADDRESS", "198.51.100.7"]["lockedOut"] is True
        assert (await lockouts(office, chief2))["code"] == "FORBIDDEN"
        assert (await lockouts(office, None))["code"] == "UNAUTHENTICATED"


async def test_a_short_wait_is_listed_but_not_as_a_lockout(
    database: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = patch_clock(monkeypatch)
    async with clients(database, settings()) as at:
        office = at("192.0.2.1")
        admin = (await login(office, "admin"))["accessToken"]
        await lock_out(at("198.51.100.7"), clock, "chief1", failures=4)
        (item,) = (await lockouts(office, admin))["items"]
        assert (item["subject"], item["failures"], item["lockedOut"]) == ("chief1", 4, False)
        clock.advance(2)
        assert (await lockouts(office, admin))["items"] == []  # the wait is over


async def test_clearing_a_lockout_lets_the_right_password_in_at_once(
    database: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = patch_clock(monkeypatch)
    async with clients(database, settings()) as at:
        office, guesser = at("192.0.2.1"), at("198.51.100.7")
        admin = (await login(office, "admin"))["accessToken"]
        chief2 = (await login(office, "chief2"))["accessToken"]
        await lock_out(at("198.51.100.1"), clock, "chief1")
        await lock_out(at("198.51.100.2"), clock, "staff-b")
        await lock_out(guesser, clock, None, failures=12)
        assert (await login(office, "chief1"))["code"] == "RATE_LIMITED"

        assert (await clear(office, chief2, "ACCOUNT", "chief1"))["code"] == "FORBIDDEN"
        assert (await clear(office, admin, "ACCOUNT", "staff-b"))["code"] == "NOT_FOUND"
        assert await counter(database, ThrottleKind.ACCOUNT, "staff-b") is not None
        cleared = await clear(office, admin, "ACCOUNT", " Chief1")
        assert cleared == {
            "__typename": "LoginLockoutCleared",
            "kind": "ACCOUNT",
            "subject": "chief1",
            "cleared": True,
        }
        assert kind(await login(office, "chief1")) == "AuthSession"
        assert (await clear(office, admin, "ACCOUNT", "chief1"))["cleared"] is False

        assert (await login(guesser, "chief2"))["code"] == "RATE_LIMITED"  # the address
        assert (await clear(office, admin, "ADDRESS", "198.51.100.7"))["cleared"] is True
        assert kind(await login(guesser, "chief2")) == "AuthSession"
