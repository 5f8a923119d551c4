"""The throttle's pure rules: how long each failure makes the next try wait, what counts as
one address, how a username shows in the log; and the settings that set the thresholds."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.settings import Settings, SettingsError
from domain.models import ThrottleKind
from domain.services.login_throttle import (
    ThrottleRules,
    account_scope,
    address_scope,
    masked,
    scopes_for,
)

RULES = ThrottleRules(
    account_free_failures=5,
    account_lockout_failures=10,
    address_free_failures=20,
    address_lockout_failures=50,
    delay_base_seconds=1,
    lockout_seconds=900,
)


def test_free_failures_then_doubling_waits_then_the_lockout() -> None:
    waits = [RULES.delay_seconds(ThrottleKind.ACCOUNT, n) for n in range(1, 13)]
    assert waits == [0, 0, 0, 0, 0, 1, 2, 4, 8, 900, 900, 900]
    address = [RULES.delay_seconds(ThrottleKind.ADDRESS, n) for n in (20, 21, 29, 30, 31, 50)]
    assert address == [0, 1, 256, 512, 900, 900]  # the doubling never passes the lockout


def test_an_address_is_counted_as_one_client() -> None:
    assert address_scope("203.0.113.5").subject == "203.0.113.5"
    assert address_scope("::ffff:203.0.113.5").subject == "203.0.113.5"
    assert address_scope("2001:db8:1:2:abcd::9").subject == "2001:db8:1:2::/64"
    assert address_scope("2001:DB8:1:2::1") == address_scope("2001:db8:1:2:ffff::2")
    assert address_scope("testclient").subject == "testclient"
    assert address_scope("x" * 500).subject == "x" * 100


def test_an_account_name_is_normalised_as_a_login_looks_it_up() -> None:
    assert account_scope("  Chief1 ") == account_scope("chief1")
    assert scopes_for(username="a", address=None) == (account_scope("a"),)
    assert scopes_for(address="") == ()


def test_a_username_shows_only_in_part_in_the_log() -> None:
    assert masked(account_scope("chief1")) == "ch***1"
    assert masked(account_scope("ab")) == "a***"
    assert masked(address_scope("203.0.113.5")) == "203.0.113.5"


def test_the_thresholds_come_from_the_environment(tmp_path: Path) -> None:
    env = {
        "CHANGLANG_DATA_DIR": str(tmp_path),
        "CHANGLANG_LOGIN_FREE_FAILURES": "2",
        "CHANGLANG_LOGIN_LOCKOUT_FAILURES": "4",
        "CHANGLANG_LOGIN_ADDRESS_FREE_FAILURES": "7",
        "CHANGLANG_LOGIN_ADDRESS_LOCKOUT_FAILURES": "9",
        "CHANGLANG_LOGIN_DELAY_BASE_SECONDS": "3",
        "CHANGLANG_LOGIN_LOCKOUT_SECONDS": "60",
        "CHANGLANG_LOGIN_WINDOW_SECONDS": "120",
        "CHANGLANG_TRUSTED_PROXIES": "10.0.0.1, 172.16.0.0/12",
    }
    settings = Settings.from_env(env)
    assert settings.login_throttle == ThrottleRules(2, 4, 7, 9, 3, 60, 120)
    assert settings.trusted_proxies == ("10.0.0.1", "172.16.0.0/12")
    assert Settings.from_env({"CHANGLANG_DATA_DIR": str(tmp_path)}).trusted_proxies == ()


@pytest.mark.parametrize(
    "values",
    [
        {"LOGIN_FREE_FAILURES": "10", "LOGIN_LOCKOUT_FAILURES": "10"},
        {"LOGIN_ADDRESS_FREE_FAILURES": "-1"},
        {"LOGIN_DELAY_BASE_SECONDS": "0"},
        {"LOGIN_LOCKOUT_SECONDS": "0"},
        {"LOGIN_WINDOW_SECONDS": "0"},
        {"LOGIN_LOCKOUT_SECONDS": "soon"},
        {"TRUSTED_PROXIES": "my-proxy"},
    ],
)
def test_nonsense_thresholds_do_not_start(tmp_path: Path, values: dict[str, str]) -> None:
    env = {"CHANGLANG_DATA_DIR": str(tmp_path)} | {f"CHANGLANG_{k}": v for k, v in values.items()}
    with pytest.raises(SettingsError):
        Settings.from_env(env)
