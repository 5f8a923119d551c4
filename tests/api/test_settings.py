"""Settings from ``CHANGLANG_*``: production never starts on a weak secret, development needs none.

Every test passes its own environment dict, so the machine's environment cannot leak in.
"""

from __future__ import annotations

import stat
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from api.settings import Mode, Settings, SettingsError

STRONG = "k" * 16 + "0123456789abcdefghijklmnopqrstuvwxyz"
OTHER_STRONG = "p" * 16 + "zyxwvutsrqponmlkjihgfedcba9876543210"


def production_env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {
        "CHANGLANG_MODE": "production",
        "CHANGLANG_DATA_DIR": str(tmp_path / "data"),
        "CHANGLANG_SECRET_KEY": STRONG,
        "CHANGLANG_PII_KEY": OTHER_STRONG,
    }
    env.update({f"CHANGLANG_{k}": v for k, v in values.items()})
    return {k: v for k, v in env.items() if v != "<unset>"}


def development_env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {"CHANGLANG_DATA_DIR": str(tmp_path / "data")}
    env.update({f"CHANGLANG_{k}": v for k, v in values.items()})
    return env


# --- Production: strong secrets or no start ----------------------------------------------


def test_production_starts_with_strong_secrets(tmp_path: Path) -> None:
    settings = Settings.from_env(production_env(tmp_path))
    assert settings.production
    assert (settings.secret_key, settings.pii_key) == (STRONG, OTHER_STRONG)
    assert not (tmp_path / "data").exists()  # nothing is generated or written in production


@pytest.mark.parametrize("name", ["SECRET_KEY", "PII_KEY"])
@pytest.mark.parametrize(
    "value",
    ["<unset>", "", "x" * 31, "changeme", "secret", "password", "test", "development"],
    ids=["missing", "empty", "31 bytes", "changeme", "secret", "password", "test", "development"],
)
def test_production_refuses_a_missing_short_or_weak_secret(
    tmp_path: Path, name: str, value: str
) -> None:
    with pytest.raises(SettingsError, match=f"CHANGLANG_{name}"):
        Settings.from_env(production_env(tmp_path, **{name: value}))
    assert not (tmp_path / "data").exists()


THIRTY_TWO_VARIED = "0123456789abcdefghijklmnopqrstuv"


@pytest.mark.parametrize("name", ["SECRET_KEY", "PII_KEY"])
def test_32_bytes_is_the_shortest_secret_production_accepts(tmp_path: Path, name: str) -> None:
    settings = Settings.from_env(production_env(tmp_path, **{name: THIRTY_TWO_VARIED}))
    assert getattr(settings, name.lower()) == THIRTY_TWO_VARIED
    with pytest.raises(SettingsError, match=f"CHANGLANG_{name}"):
        Settings.from_env(production_env(tmp_path, **{name: THIRTY_TWO_VARIED[:31]}))


def test_multibyte_characters_count_as_bytes(tmp_path: Path) -> None:
    twelve_chars_36_bytes = "长廊议事会红色网格居民户"
    settings = Settings.from_env(production_env(tmp_path, SECRET_KEY=twelve_chars_36_bytes))
    assert settings.secret_key == twelve_chars_36_bytes


@pytest.mark.parametrize("repetitive", ["r" * 40, "changeme" * 5, "长" * 20])
def test_a_long_but_repetitive_secret_is_refused(tmp_path: Path, repetitive: str) -> None:
    with pytest.raises(SettingsError, match="CHANGLANG_SECRET_KEY"):
        Settings.from_env(production_env(tmp_path, SECRET_KEY=repetitive))


def test_production_refuses_a_weak_previous_secret(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="CHANGLANG_PREVIOUS_SECRET_KEYS"):
        Settings.from_env(production_env(tmp_path, PREVIOUS_SECRET_KEYS=f"{OTHER_STRONG},short"))


def test_previous_secrets_are_a_comma_separated_list(tmp_path: Path) -> None:
    older = "older-key-0123456789-abcdefghijklmnop"
    settings = Settings.from_env(
        production_env(tmp_path, PREVIOUS_SECRET_KEYS=f"{OTHER_STRONG},,{older}")
    )
    assert settings.previous_secret_keys == (OTHER_STRONG, older)


def test_the_refusal_says_how_to_make_a_good_secret(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(production_env(tmp_path, SECRET_KEY="<unset>"))
    message = str(refused.value)
    assert "at least 32 bytes" in message
    assert "secrets.token_urlsafe" in message


def test_a_production_settings_object_checks_its_secrets_too() -> None:
    with pytest.raises(SettingsError, match="CHANGLANG_SECRET_KEY"):
        Settings(mode=Mode.PRODUCTION, secret_key="short", pii_key=STRONG).with_secrets()


# --- Development: secrets made once, kept, reused ----------------------------------------


def test_development_generates_strong_secrets_and_keeps_them_private(tmp_path: Path) -> None:
    settings = Settings.from_env(development_env(tmp_path))
    data = tmp_path / "data"
    assert not settings.production
    assert len(settings.secret_key.encode()) >= 32
    assert len(settings.pii_key.encode()) >= 32
    assert settings.secret_key != settings.pii_key
    for name, value in (("secret_key", settings.secret_key), ("pii_key", settings.pii_key)):
        path = data / name
        assert path.read_text(encoding="utf-8").strip() == value
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_development_reuses_its_secrets_on_the_next_start(tmp_path: Path) -> None:
    first = Settings.from_env(development_env(tmp_path))
    second = Settings.from_env(development_env(tmp_path))
    assert (second.secret_key, second.pii_key) == (first.secret_key, first.pii_key)


def test_each_data_directory_gets_its_own_secrets(tmp_path: Path) -> None:
    one = Settings.from_env({"CHANGLANG_DATA_DIR": str(tmp_path / "one")})
    two = Settings.from_env({"CHANGLANG_DATA_DIR": str(tmp_path / "two")})
    assert one.secret_key != two.secret_key
    assert one.pii_key != two.pii_key


def test_a_configured_secret_wins_over_a_kept_one(tmp_path: Path) -> None:
    kept = Settings.from_env(development_env(tmp_path))
    configured = Settings.from_env(development_env(tmp_path, SECRET_KEY=STRONG))
    assert configured.secret_key == STRONG
    assert configured.pii_key == kept.pii_key
    assert (tmp_path / "data" / "secret_key").read_text(encoding="utf-8") == kept.secret_key


def test_development_refuses_a_configured_weak_secret(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="CHANGLANG_SECRET_KEY"):
        Settings.from_env(development_env(tmp_path, SECRET_KEY="changeme"))


def test_development_refuses_a_tampered_short_kept_secret(tmp_path: Path) -> None:
    Settings.from_env(development_env(tmp_path))
    (tmp_path / "data" / "secret_key").write_text("short", encoding="utf-8")
    with pytest.raises(SettingsError, match="CHANGLANG_SECRET_KEY"):
        Settings.from_env(development_env(tmp_path))


# --- Parsing the rest of the environment -------------------------------------------------


def test_defaults_without_any_environment(tmp_path: Path) -> None:
    settings = Settings.from_env(development_env(tmp_path))
    assert settings.mode is Mode.DEVELOPMENT
    assert settings.max_body_bytes == 1_000_000
    assert settings.max_page_size == 100
    assert settings.access_token_seconds == 900
    assert settings.introspection_enabled


def test_whole_number_settings_are_read_from_the_environment(tmp_path: Path) -> None:
    settings = Settings.from_env(
        development_env(
            tmp_path,
            ACCESS_TOKEN_SECONDS="60",
            REFRESH_TOKEN_SECONDS="3600",
            LOGIN_CODE_SECONDS="120",
            MAX_BODY_BYTES="2048",
            MAX_QUERY_DEPTH="5",
            MAX_QUERY_TOKENS="500",
            MAX_ALIASES="7",
            MAX_PAGE_SIZE="50",
        )
    )
    assert settings.access_token_seconds == 60
    assert settings.refresh_token_seconds == 3600
    assert settings.login_code_seconds == 120
    assert settings.max_body_bytes == 2048
    assert settings.max_query_depth == 5
    assert settings.max_query_tokens == 500
    assert settings.max_aliases == 7
    assert settings.max_page_size == 50


def test_the_rating_sweep_interval_is_read_and_checked(tmp_path: Path) -> None:
    assert Settings.from_env(development_env(tmp_path)).rating_sweep_interval_seconds == 300
    quick = Settings.from_env(development_env(tmp_path, RATING_SWEEP_INTERVAL_SECONDS="30"))
    assert quick.rating_sweep_interval_seconds == 30
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(development_env(tmp_path, RATING_SWEEP_INTERVAL_SECONDS="-1"))
    assert "CHANGLANG_RATING_SWEEP_INTERVAL_SECONDS" in str(refused.value)


@pytest.mark.parametrize("value", ["1MB", "ten", "1.5", "0x10", " "])
def test_a_non_integer_value_is_a_clear_settings_error(tmp_path: Path, value: str) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(development_env(tmp_path, MAX_BODY_BYTES=value))
    assert str(refused.value) == "CHANGLANG_MAX_BODY_BYTES must be a whole number"


def test_an_unknown_mode_is_a_clear_settings_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(development_env(tmp_path, MODE="prod"))
    assert "CHANGLANG_MODE" in str(refused.value)
    assert "production" in str(refused.value)


def test_the_mode_is_case_insensitive(tmp_path: Path) -> None:
    assert Settings.from_env(production_env(tmp_path, MODE="PRODUCTION")).production


@pytest.mark.parametrize(
    ("mode_env", "introspection", "expected"),
    [
        (development_env, None, True),
        (production_env, None, False),
        (development_env, "false", False),
        (development_env, "0", False),
        (production_env, "true", True),
        (production_env, "1", True),
        (production_env, "yes", True),
        (production_env, "ON", True),
    ],
)
def test_introspection_follows_the_mode_unless_set(
    tmp_path: Path,
    mode_env: Callable[..., dict[str, str]],
    introspection: str | None,
    expected: bool,
) -> None:
    extra = {} if introspection is None else {"INTROSPECTION": introspection}
    settings = Settings.from_env(mode_env(tmp_path, **extra))
    assert settings.introspection_enabled is expected


def test_a_settings_object_made_in_code_follows_the_mode_for_introspection() -> None:
    assert Settings().introspection_enabled
    assert not Settings(mode=Mode.PRODUCTION).introspection_enabled
    assert Settings(mode=Mode.PRODUCTION, introspection=True).introspection_enabled


def test_overrides_win_over_the_environment(tmp_path: Path) -> None:
    settings = Settings.from_env(development_env(tmp_path, MAX_PAGE_SIZE="50"), max_page_size=7)
    assert settings.max_page_size == 7


def test_the_database_defaults_to_sqlite_in_the_data_directory(tmp_path: Path) -> None:
    settings = Settings.from_env(development_env(tmp_path))
    expected = (tmp_path / "data" / "changlang.sqlite3").resolve()
    assert settings.effective_database_url == f"sqlite+aiosqlite:///{expected}"
    url = "postgresql+psycopg://db.example/changlang"
    configured = Settings.from_env(development_env(tmp_path, DATABASE_URL=url))
    assert configured.effective_database_url == url


def test_workers_starting_together_agree_on_one_generated_secret(tmp_path: Path) -> None:
    env = {"CHANGLANG_DATA_DIR": str(tmp_path / "data")}
    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = set(pool.map(lambda _: Settings.from_env(env).secret_key, range(32)))
    assert len(keys) == 1
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["pii_key", "secret_key"]


def test_sync_compaction_settings(tmp_path: Path) -> None:
    default = Settings.from_env(development_env(tmp_path))
    assert (default.sync_retention_days, default.sync_compact_interval_seconds) == (30, 86400)
    settings = Settings.from_env(
        development_env(tmp_path, SYNC_RETENTION_DAYS="7", SYNC_COMPACT_INTERVAL_SECONDS="0")
    )
    assert settings.sync_retention.days == 7 and settings.sync_compact_interval_seconds == 0
    for name, value in (("SYNC_RETENTION_DAYS", "0"), ("SYNC_COMPACT_INTERVAL_SECONDS", "-1")):
        with pytest.raises(SettingsError, match=f"CHANGLANG_{name}"):
            Settings.from_env(development_env(tmp_path, **{name: value}))
