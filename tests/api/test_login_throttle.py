"""Wrong passwords and codes slow down, then lock, per account name and per client address.

Thresholds here (``throttle_helpers.RULES``): an account name has 3 free failures, then waits
2 s, 4 s, 8 s, and 600 s from the 6th; an address has 8 free, locked from the 12th.
"""

from __future__ import annotations

import asyncio
import logging
import threading

import pytest
from sqlalchemy import func, select

from domain import credentials
from domain.database import Database
from domain.models import Device, RefreshToken, ThrottleKind
from tests.api.throttle_helpers import (
    ISSUE_CODE,
    clients,
    counter,
    kind,
    login,
    login_with_code,
    patch_clock,
    settings,
)
from tests.world import PASSWORD, World

WRONG = "not-the-password"


async def issued(database: Database) -> tuple[int, int]:
    async with database.read() as session:
        devices = await session.scalar(select(func.count(Device.id)))
        tokens = await session.scalar(select(func.count(RefreshToken.id)))
    return int(devices or 0), int(tokens or 0)


async def test_after_the_free_failures_even_the_right_password_waits_and_nothing_is_issued(
    database: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = patch_clock(monkeypatch)
    async with clients(database, settings()) as at:
        api = at("203.0.113.5")
        for _ in range(4):  # 3 free, and the 4th makes the next try wait 2 s
            assert (await login(api, "chief1", WRONG))["code"] == "INVALID_CREDENTIALS"

        refused = await login(api, "chief1")

        assert kind(refused) == "RateLimitedError", refused
        assert refused["code"] == "RATE_LIMITED"
        assert 0 < refused["retryAfterSeconds"] <= 2
        assert refused["message"] == f"尝试次数过多，请在 {refused['retryAfterSeconds']} 秒后再试"
        assert await issued(database) == (0, 0)
        assert (await login(api, "  CHIEF1 "))["code"] == "RATE_LIMITED"  # one name, however typed
        assert (await counter(database, ThrottleKind.ACCOUNT, "chief1")).failures == 4  # type: ignore[union-attr]

        clock.advance(2)
        assert kind(await login(api, "chief1")) == "AuthSession"
        assert await counter(database, ThrottleKind.ACCOUNT, "chief1") is None  # reset
        for _ in range(3):
            assert (await login(api, "chief1", WRONG))["code"] == "INVALID_CREDENTIALS"


async def test_the_waits_double_and_end_in_a_logged_lockout(
    database: Database,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = patch_clock(monkeypatch)
    waits = []
    async with clients(database, settings(), language="en") as at:
        api = at("203.0.113.5")
        with caplog.at_level(logging.WARNING, logger="changlang.login_throttle"):
            failures = 0
            while failures < 6:  # each wrong try that was checked; waiting out each refusal
                result = await login(api, "chief1", WRONG)
                if result["code"] == "RATE_LIMITED":
                    waits.append(result["retryAfterSeconds"])
                    clock.advance(result["retryAfterSeconds"])
                else:
                    assert result["code"] == "INVALID_CREDENTIALS", result
                    failures += 1
            refused = await login(api, "chief1", WRONG)
        assert waits == [2, 4], waits
        assert refused["retryAfterSeconds"] == 600
        assert refused["message"] == "too many attempts; try again in 600 seconds"
        clock.advance(590)
        assert (await login(api, "chief1"))["code"] == "RATE_LIMITED"  # a right one too
        clock.advance(10)
        assert kind(await login(api, "chief1")) == "AuthSession"

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ["login locked out: account ch***1 for 600 s after 6 failed tries"]
    assert all(WRONG not in r.getMessage() for r in caplog.records)


async def test_one_address_is_throttled_across_usernames_and_others_are_not(
    database: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    patch_clock(monkeypatch)
    async with clients(database, settings()) as at:
        guesser, neighbour = at("198.51.100.7"), at("198.51.100.8")
        for n in range(9):  # a new name each time: no account name reaches its limit
            assert (await login(guesser, f"guess{n}", WRONG))["code"] == "INVALID_CREDENTIALS"
        assert kind(await login(guesser, "chief1")) == "RateLimitedError"
        assert kind(await login(neighbour, "chief1")) == "AuthSession"
        row = await counter(database, ThrottleKind.ADDRESS, "198.51.100.7")
        assert row is not None and row.failures == 9
        assert await counter(database, ThrottleKind.ADDRESS, "198.51.100.8") is not None


async def test_logging_in_to_ones_own_account_does_not_wipe_an_addresss_guesses(
    database: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    patch_clock(monkeypatch)
    async with clients(database, settings()) as at:
        api = at("198.51.100.7")
        for n in range(8):
            assert (await login(api, f"guess{n}", WRONG))["code"] == "INVALID_CREDENTIALS"
        assert kind(await login(api, "chief2")) == "AuthSession"
        assert (await login(api, "guess9", WRONG))["code"] == "INVALID_CREDENTIALS"
        assert (await login(api, "guess10", WRONG))["code"] == "RATE_LIMITED"


async def test_an_ipv6_client_is_throttled_by_its_network(
    database: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    patch_clock(monkeypatch)
    async with clients(database, settings()) as at:
        for n in range(9):
            api = at(f"2001:db8:1:2::{n + 1:x}")
            assert (await login(api, f"guess{n}", WRONG))["code"] == "INVALID_CREDENTIALS"
        assert kind(await login(at("2001:db8:1:2:ffff::1"), "chief1")) == "RateLimitedError"
        assert kind(await login(at("2001:db8:1:3::1"), "chief1")) == "AuthSession"


async def test_wrong_codes_are_throttled_per_address(
    database: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = patch_clock(monkeypatch)
    async with clients(database, settings()) as at:
        office, guesser = at("192.0.2.1"), at("192.0.2.66")
        admin = (await login(office, "admin"))["accessToken"]
        codes = []
        for resident in ("H1a-x", "H1a-y"):
            issued_code = await office.ok(
                ISSUE_CODE, {"id": str(world.residents[resident])}, token=admin
            )
            codes.append(issued_code["issueLoginCode"]["code"])
        for n in range(9):
            wrong = await login_with_code(guesser, f"WRONG-{n:05d}")
            assert wrong["code"] == "INVALID_CREDENTIALS", wrong

        refused = await login_with_code(guesser, codes[0])

        assert kind(refused) == "RateLimitedError" and refused["retryAfterSeconds"] > 0
        assert kind(await login_with_code(office, codes[1])) == "AuthSession"
        clock.advance(refused["retryAfterSeconds"])
        assert kind(await login_with_code(guesser, codes[0])) == "AuthSession"


async def test_a_burst_of_concurrent_guesses_is_all_counted_and_cannot_slip_past(
    database: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each try is counted before its password is checked: of ten at once, the three free
    ones and the one that starts the wait are checked, the other six refused unchecked."""
    patch_clock(monkeypatch)
    checked = 0
    real = credentials.verify_password

    def counting(stored_hash: str | None, password: str) -> bool:
        nonlocal checked
        checked += 1
        return real(stored_hash, password)

    monkeypatch.setattr(credentials, "verify_password", counting)
    async with clients(database, settings()) as at:
        api = at("203.0.113.9")
        results = await asyncio.gather(*(login(api, "chief1", WRONG) for _ in range(10)))
    codes = sorted(result["code"] for result in results)
    assert codes == ["INVALID_CREDENTIALS"] * 4 + ["RATE_LIMITED"] * 6, results
    assert checked == 4
    account = await counter(database, ThrottleKind.ACCOUNT, "chief1")
    address = await counter(database, ThrottleKind.ADDRESS, "203.0.113.9")
    assert account is not None and account.failures == 4
    assert address is not None and address.failures == 4


async def test_two_concurrent_wrong_passwords_both_count(
    database: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    patch_clock(monkeypatch)
    async with clients(database, settings()) as at:
        first, second = at("203.0.113.10"), at("203.0.113.11")
        results = await asyncio.gather(
            login(first, "chief1", WRONG), login(second, "chief1", WRONG)
        )
    assert [r["code"] for r in results] == ["INVALID_CREDENTIALS"] * 2
    account = await counter(database, ThrottleKind.ACCOUNT, "chief1")
    assert account is not None and account.failures == 2


async def test_x_forwarded_for_counts_only_from_a_trusted_proxy(
    database: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    patch_clock(monkeypatch)
    variables = {"u": "nobody", "p": WRONG}
    body = {
        "query": "mutation($u: String!, $p: String!) { login(username: $u, password: $p)"
        " { __typename } }",
        "variables": variables,
    }
    for trusted, expected in (((), "10.0.0.1"), (("10.0.0.1",), "198.51.100.20")):
        async with clients(database, settings(trusted_proxies=trusted)) as at:
            proxy = at("10.0.0.1").client
            response = await proxy.post(
                "/graphql", json=body, headers={"X-Forwarded-For": "198.51.100.20"}
            )
            assert response.status_code == 200, response.text
        row = await counter(database, ThrottleKind.ADDRESS, expected)
        assert row is not None and row.failures == 1, (trusted, expected)


async def test_argon2_runs_off_the_event_loop(
    database: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Verifying (at login) and hashing (a new staff account) run in a worker thread, so the
    event loop keeps serving other requests meanwhile."""
    patch_clock(monkeypatch)
    loop_thread = threading.get_ident()
    threads: list[tuple[str, int]] = []
    real_verify, real_hash = credentials.verify_password, credentials.hash_password

    def verify(stored_hash: str | None, password: str) -> bool:
        threads.append(("verify", threading.get_ident()))
        return real_verify(stored_hash, password)

    def hash_(password: str) -> str:
        threads.append(("hash", threading.get_ident()))
        return real_hash(password)

    monkeypatch.setattr(credentials, "verify_password", verify)
    monkeypatch.setattr(credentials, "hash_password", hash_)
    async with clients(database, settings()) as at:
        api = at("192.0.2.1")
        token = (await login(api, "admin"))["accessToken"]
        created = await api.ok(
            """mutation { createStaffAccount(username: "newbie", password: "a-long-password",
                 displayName: "新人") { __typename ... on Error { code message } } }""",
            token=token,
        )
    assert created["createStaffAccount"]["__typename"] == "Account", created
    assert [name for name, _ in threads] == ["verify", "hash"]
    assert all(ident != loop_thread for _, ident in threads)


async def test_failures_are_forgotten_after_the_window_and_their_rows_purged(
    database: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = patch_clock(monkeypatch)
    async with clients(database, settings()) as at:
        api = at("203.0.113.5")
        for n in range(3):
            assert (await login(api, f"guess{n}", WRONG))["code"] == "INVALID_CREDENTIALS"
        assert (await login(api, "chief1", WRONG))["code"] == "INVALID_CREDENTIALS"
        clock.advance(3600)
        assert (await login(api, "chief1", WRONG))["code"] == "INVALID_CREDENTIALS"
        row = await counter(database, ThrottleKind.ACCOUNT, "chief1")
        assert row is not None and row.failures == 1  # a new window
        for n in range(3):  # made-up names of the old window leave no row behind
            assert await counter(database, ThrottleKind.ACCOUNT, f"guess{n}") is None


async def test_a_bad_device_name_is_refused_before_the_password_is_checked(
    database: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Else its refusal would tell a guesser that the password was right."""
    patch_clock(monkeypatch)
    query = """mutation($p: String!, $d: String!) {
        login(username: "chief1", password: $p, deviceName: $d) {
            __typename ... on Error { code } } }"""
    async with clients(database, settings()) as at:
        api = at("203.0.113.5")
        for password in (WRONG, PASSWORD):
            result = (await api.ok(query, {"p": password, "d": "x" * 500}))["login"]
            assert result["code"] == "INVALID_INPUT", (password, result)
