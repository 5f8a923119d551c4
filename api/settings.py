"""One typed settings object, read from ``CHANGLANG_*`` environment variables.

Development mode must work with nothing configured (``changlang serve`` on a fresh machine),
so it generates its secrets once and keeps them in the data directory; production mode must
never run on a guessable secret, so it refuses to start instead.
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import os
import secrets
import tempfile
from dataclasses import dataclass, replace
from datetime import timedelta
from enum import StrEnum
from pathlib import Path

from domain.services.login_throttle import ThrottleRules
from domain.services.suggestion_box import BoxRules

MIN_SECRET_BYTES = 32
MIN_DISTINCT_CHARACTERS = 12


class Mode(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class SettingsError(ValueError):
    """The environment describes a server that must not start."""


@dataclass(frozen=True)
class Settings:
    mode: Mode = Mode.DEVELOPMENT
    data_dir: Path = Path("changlang-data")
    database_url: str = ""
    secret_key: str = ""
    previous_secret_keys: tuple[str, ...] = ()
    pii_key: str = ""
    jwt_issuer: str = "changlang"
    jwt_audience: str = "changlang-api"
    access_token_seconds: int = 900
    refresh_token_seconds: int = 30 * 24 * 3600
    login_code_seconds: int = 24 * 3600
    max_body_bytes: int = 1_000_000
    max_upload_bytes: int = 20_000_000
    """A file uploaded to the console (a register, a progress report's photo): the only bodies
    allowed past ``max_body_bytes``."""
    max_header_bytes: int = 64 * 1024
    """A request's line and headers together; larger is refused with 431 before it is read."""
    max_query_depth: int = 10
    max_query_tokens: int = 2_000
    max_aliases: int = 30
    max_page_size: int = 100
    pool_size: int = 0
    """PostgreSQL connections each server process keeps (``api.server_sizing``); 0: the
    engine's own default (10, and 10 more in a burst). ``changlang serve`` sets it."""
    max_query_cost: int = 50_000
    """An operation estimated to return more values than this is refused before it runs
    (``schema.query_cost``: page sizes multiplied along each path)."""
    operation_timeout_seconds: float = 10
    """A query or mutation still running after this long is stopped (0: no limit)."""
    offline_ballot_grace_seconds: int = 24 * 3600
    """A ballot recorded offline before a vote closed counts if it arrives this long after."""
    max_device_clock_skew_seconds: int = 300
    """How far a phone's clock (its ``X-Device-Time`` header) may be off when it syncs a
    ballot: its cast time is trusted only within this."""
    sync_retention_days: int = 30
    """A device unseen this long no longer holds tombstones back; when they are purged it is
    told to resync from scratch."""
    sync_compact_interval_seconds: int = 24 * 3600
    """How often each server process purges the tombstones every active device has passed
    (0: never; ``changlang compact-sync`` does it on demand)."""
    sync_refused_retention_days: int = 30
    """A pushed row the server refused is kept (with its reason, and the device's notice)
    this long; compaction removes it after."""
    sync_refused_per_device: int = 200
    """...and each device keeps at most this many, the newest."""
    suggestion_box_minimum: int = 3
    """A suggestion box (民主决议箱) releases no fewer suggestions at a time than this..."""
    suggestion_box_max_wait_days: int = 7
    """...unless its oldest suggestion has waited this many days."""
    suggestion_box_release_seconds: int = 6 * 3600
    """How often each server process opens every box that may release (0: only staff do)."""
    rating_sweep_interval_seconds: int = 300
    """How often each server process decides the rating windows that have ended (0: never;
    every request decides them first anyway)."""
    login_free_failures: int = 5
    """Wrong passwords an account name may have before each further try must wait..."""
    login_lockout_failures: int = 10
    """...and after this many it is locked for ``login_lockout_seconds``."""
    login_address_free_failures: int = 20
    """The same for one client address (passwords and login codes together)..."""
    login_address_lockout_failures: int = 50
    """...which may be a whole office behind one router, so it gets more."""
    login_delay_base_seconds: int = 1
    """The first wait after the free failures; each further failure doubles it."""
    login_lockout_seconds: int = 900
    login_window_seconds: int = 3600
    """Failures are forgotten this long after the first of them."""
    trusted_proxies: tuple[str, ...] = ()
    """Addresses or networks of reverse proxies whose ``X-Forwarded-For`` names the client;
    none by default, so a client cannot pick the address it is throttled by."""
    introspection: bool | None = None  # None: on in development, off in production
    compiled_reads: bool = True
    """Registry queries answered by one SQL statement per root field (``schema.compiled``);
    off, every query goes through the general executor (the reference)."""
    log_json: bool = True

    @property
    def suggestion_box(self) -> BoxRules:
        return BoxRules(
            minimum=self.suggestion_box_minimum, max_wait_days=self.suggestion_box_max_wait_days
        )

    @property
    def login_throttle(self) -> ThrottleRules:
        return ThrottleRules(
            account_free_failures=self.login_free_failures,
            account_lockout_failures=self.login_lockout_failures,
            address_free_failures=self.login_address_free_failures,
            address_lockout_failures=self.login_address_lockout_failures,
            delay_base_seconds=self.login_delay_base_seconds,
            lockout_seconds=self.login_lockout_seconds,
            window_seconds=self.login_window_seconds,
        )

    @property
    def sync_retention(self) -> timedelta:
        return timedelta(days=self.sync_retention_days)

    @property
    def sync_refused_retention(self) -> timedelta:
        return timedelta(days=self.sync_refused_retention_days)

    @property
    def production(self) -> bool:
        return self.mode is Mode.PRODUCTION

    @property
    def introspection_enabled(self) -> bool:
        return not self.production if self.introspection is None else self.introspection

    @property
    def pool_options(self) -> dict[str, int]:
        """``open_database``'s pool for one process: a fixed ``pool_size`` when set."""
        return {"pool_size": self.pool_size, "max_overflow": 0} if self.pool_size else {}

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'changlang.sqlite3').resolve()}"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        env = dict(os.environ if environ is None else environ)

        def get(name: str, default: str = "") -> str:
            return env.get(f"CHANGLANG_{name}", default)

        try:
            mode = Mode(get("MODE", Mode.DEVELOPMENT.value).lower())
        except ValueError as exc:
            choices = ", ".join(m.value for m in Mode)
            raise SettingsError(f"CHANGLANG_MODE must be one of: {choices}") from exc
        data_dir = Path(get("DATA_DIR", "changlang-data"))
        values: dict[str, object] = {
            "mode": mode,
            "data_dir": data_dir,
            "database_url": get("DATABASE_URL"),
            "secret_key": get("SECRET_KEY"),
            "previous_secret_keys": tuple(
                k for k in get("PREVIOUS_SECRET_KEYS").split(",") if k.strip()
            ),
            "pii_key": get("PII_KEY"),
            "jwt_issuer": get("JWT_ISSUER", "changlang"),
            "jwt_audience": get("JWT_AUDIENCE", "changlang-api"),
            "trusted_proxies": tuple(
                p.strip() for p in get("TRUSTED_PROXIES").split(",") if p.strip()
            ),
        }
        if get("COMPILED_READS"):
            values["compiled_reads"] = get("COMPILED_READS").lower() in {"1", "true", "yes", "on"}
        if get("INTROSPECTION"):
            values["introspection"] = get("INTROSPECTION").lower() in {"1", "true", "yes", "on"}
        for name, attr in (
            ("ACCESS_TOKEN_SECONDS", "access_token_seconds"),
            ("REFRESH_TOKEN_SECONDS", "refresh_token_seconds"),
            ("LOGIN_CODE_SECONDS", "login_code_seconds"),
            ("MAX_BODY_BYTES", "max_body_bytes"),
            ("MAX_UPLOAD_BYTES", "max_upload_bytes"),
            ("MAX_HEADER_BYTES", "max_header_bytes"),
            ("MAX_QUERY_DEPTH", "max_query_depth"),
            ("MAX_QUERY_TOKENS", "max_query_tokens"),
            ("MAX_ALIASES", "max_aliases"),
            ("MAX_PAGE_SIZE", "max_page_size"),
            ("POOL_SIZE", "pool_size"),
            ("MAX_QUERY_COST", "max_query_cost"),
            ("OFFLINE_BALLOT_GRACE_SECONDS", "offline_ballot_grace_seconds"),
            ("MAX_DEVICE_CLOCK_SKEW_SECONDS", "max_device_clock_skew_seconds"),
            ("SYNC_RETENTION_DAYS", "sync_retention_days"),
            ("SYNC_COMPACT_INTERVAL_SECONDS", "sync_compact_interval_seconds"),
            ("SYNC_REFUSED_RETENTION_DAYS", "sync_refused_retention_days"),
            ("SYNC_REFUSED_PER_DEVICE", "sync_refused_per_device"),
            ("SUGGESTION_BOX_MINIMUM", "suggestion_box_minimum"),
            ("SUGGESTION_BOX_MAX_WAIT_DAYS", "suggestion_box_max_wait_days"),
            ("SUGGESTION_BOX_RELEASE_SECONDS", "suggestion_box_release_seconds"),
            ("RATING_SWEEP_INTERVAL_SECONDS", "rating_sweep_interval_seconds"),
            ("LOGIN_FREE_FAILURES", "login_free_failures"),
            ("LOGIN_LOCKOUT_FAILURES", "login_lockout_failures"),
            ("LOGIN_ADDRESS_FREE_FAILURES", "login_address_free_failures"),
            ("LOGIN_ADDRESS_LOCKOUT_FAILURES", "login_address_lockout_failures"),
            ("LOGIN_DELAY_BASE_SECONDS", "login_delay_base_seconds"),
            ("LOGIN_LOCKOUT_SECONDS", "login_lockout_seconds"),
            ("LOGIN_WINDOW_SECONDS", "login_window_seconds"),
        ):
            raw = get(name)
            if raw:
                try:
                    values[attr] = int(raw)
                except ValueError as exc:
                    raise SettingsError(f"CHANGLANG_{name} must be a whole number") from exc
        if get("OPERATION_TIMEOUT_SECONDS"):
            try:
                values["operation_timeout_seconds"] = float(get("OPERATION_TIMEOUT_SECONDS"))
            except ValueError as exc:
                raise SettingsError("CHANGLANG_OPERATION_TIMEOUT_SECONDS must be a number") from exc
        values.update(overrides)
        settings = cls(**values)  # type: ignore[arg-type]
        if settings.sync_retention_days < 1 or settings.sync_compact_interval_seconds < 0:
            raise SettingsError(
                "CHANGLANG_SYNC_RETENTION_DAYS must be at least 1 and "
                "CHANGLANG_SYNC_COMPACT_INTERVAL_SECONDS at least 0"
            )
        if settings.sync_refused_retention_days < 1 or settings.sync_refused_per_device < 1:
            raise SettingsError(
                "CHANGLANG_SYNC_REFUSED_RETENTION_DAYS and CHANGLANG_SYNC_REFUSED_PER_DEVICE "
                "must be at least 1"
            )
        if (
            settings.suggestion_box_minimum < 1
            or settings.suggestion_box_max_wait_days < 0
            or settings.suggestion_box_release_seconds < 0
        ):
            raise SettingsError(
                "CHANGLANG_SUGGESTION_BOX_MINIMUM must be at least 1, and "
                "CHANGLANG_SUGGESTION_BOX_MAX_WAIT_DAYS and _RELEASE_SECONDS at least 0"
            )
        timeout = settings.operation_timeout_seconds
        if settings.max_query_cost < 1 or not math.isfinite(timeout) or timeout < 0:
            raise SettingsError(
                "CHANGLANG_MAX_QUERY_COST must be at least 1 and "
                "CHANGLANG_OPERATION_TIMEOUT_SECONDS at least 0"
            )
        if settings.rating_sweep_interval_seconds < 0:
            raise SettingsError("CHANGLANG_RATING_SWEEP_INTERVAL_SECONDS must be at least 0")
        if settings.pool_size < 0:
            raise SettingsError("CHANGLANG_POOL_SIZE must be at least 0")
        _check_login_throttle(settings)
        _check_proxies(settings.trusted_proxies)
        return settings.with_secrets()

    def with_secrets(self) -> Settings:
        """Fill in or check the secrets, depending on the mode."""
        secret_key, pii_key = self.secret_key, self.pii_key
        if self.production:
            for name, value in (("SECRET_KEY", secret_key), ("PII_KEY", pii_key)):
                _refuse_weak(name, value)
            for old in self.previous_secret_keys:
                _refuse_weak("PREVIOUS_SECRET_KEYS", old)
            return self
        if not secret_key:
            secret_key = _kept_secret(self.data_dir / "secret_key")
        if not pii_key:
            pii_key = _kept_secret(self.data_dir / "pii_key")
        _refuse_weak("SECRET_KEY", secret_key)
        _refuse_weak("PII_KEY", pii_key)
        return replace(self, secret_key=secret_key, pii_key=pii_key)


def _check_login_throttle(settings: Settings) -> None:
    for free, lockout, name in (
        (settings.login_free_failures, settings.login_lockout_failures, ""),
        (
            settings.login_address_free_failures,
            settings.login_address_lockout_failures,
            "ADDRESS_",
        ),
    ):
        if free < 0 or lockout <= free:
            raise SettingsError(
                f"CHANGLANG_LOGIN_{name}FREE_FAILURES must be at least 0 and "
                f"CHANGLANG_LOGIN_{name}LOCKOUT_FAILURES greater than it"
            )
    if (
        settings.login_delay_base_seconds < 1
        or settings.login_lockout_seconds < settings.login_delay_base_seconds
        or settings.login_window_seconds < 1
    ):
        raise SettingsError(
            "CHANGLANG_LOGIN_DELAY_BASE_SECONDS and CHANGLANG_LOGIN_WINDOW_SECONDS must be at "
            "least 1, and CHANGLANG_LOGIN_LOCKOUT_SECONDS at least the base delay"
        )


def _check_proxies(proxies: tuple[str, ...]) -> None:
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError as exc:
            raise SettingsError(
                f"CHANGLANG_TRUSTED_PROXIES: {proxy!r} is not an address or a network"
            ) from exc


def _refuse_weak(name: str, value: str) -> None:
    """Refuse short values and repetitive ones (a phrase typed over and over is not random)."""
    if len(value.encode()) < MIN_SECRET_BYTES or len(set(value)) < MIN_DISTINCT_CHARACTERS:
        raise SettingsError(
            f"CHANGLANG_{name} must be set to a random value of at least {MIN_SECRET_BYTES} "
            "bytes (for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )


def _kept_secret(path: Path) -> str:
    """Generate a secret on first use and keep it, so tokens survive a restart.

    The file appears whole or not at all (written aside, then hard-linked into place), so
    several workers starting together agree on one secret and never read a half-written one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd, aside = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_urlsafe(48))
            os.chmod(aside, 0o600)
            with contextlib.suppress(FileExistsError):
                os.link(aside, path)
        finally:
            os.unlink(aside)
    return path.read_text(encoding="utf-8").strip()
