"""The typed per-request context every resolver receives.

Built by the server for each request (never shared): DataLoader caches must not outlive one
request, or they would serve one user's rows to another.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from strawberry.types import Info as StrawberryInfo

from domain.database import Database
from domain.i18n import DEFAULT_LANGUAGE
from domain.personal_data import PersonalDataCipher
from domain.principal import Principal
from domain.services.login_throttle import ThrottleRules
from domain.services.suggestion_box import BoxRules
from schema.events import EventBus
from schema.loaders import Loaders


class Refusal(enum.Enum):
    """Why a bearer token gives no principal (``schema.live_session`` maps it to a close code)."""

    MISSING = "missing"
    INVALID = "invalid"
    EXPIRED = "expired"
    ENDED = "ended"
    """A token this server signed whose device was revoked, whose session was logged out or
    ended by a refresh token's reuse, or whose account was disabled or is gone."""


@dataclass(frozen=True)
class Access:
    """What an ``Authorization`` value amounts to: a principal, or the refusal's reason."""

    principal: Principal | None
    refusal: Refusal | None = None
    expires_at: datetime | None = None
    """When the token stops verifying: a live subscription checks it again then."""


AccessChecker = Callable[[str | None], Awaitable[Access]]
"""From an ``Authorization`` value (``Bearer ...``) to an ``Access``; supplied by the server."""


class AccessTokenIssuer(Protocol):
    def issue(
        self,
        account_id: uuid.UUID,
        community_id: uuid.UUID,
        device_id: uuid.UUID,
        family_id: uuid.UUID,
    ) -> tuple[str, datetime]: ...


@dataclass(frozen=True)
class SchemaConfig:
    max_page_size: int = 100
    refresh_ttl: timedelta = timedelta(days=30)
    login_code_ttl: timedelta = timedelta(days=1)
    offline_ballot_grace: timedelta = timedelta(hours=24)
    max_device_clock_skew: timedelta = timedelta(minutes=5)
    suggestion_box: BoxRules = field(default_factory=BoxRules)
    login_throttle: ThrottleRules = field(default_factory=ThrottleRules)
    refused_per_device: int = 200
    """Refused pushed rows (and their notices) each device keeps: the newest."""


@dataclass
class Context:
    db: Database
    principal: Principal | None
    cipher: PersonalDataCipher
    tokens: AccessTokenIssuer
    config: SchemaConfig
    events: EventBus
    check_access: AccessChecker
    request_id: str = ""
    connection_params: dict[str, Any] | None = None
    close_socket: Callable[[int, str], Awaitable[None]] | None = None
    """Closes this request's WebSocket with a code (4401, 4403: ``schema.live_session``)."""
    device_time_ms: float | None = None
    """The phone's clock as it sent the request (``X-Device-Time``, ms since 1970)."""
    authorization: str | None = None
    """The request's own ``Authorization`` header, for a live stream that re-checks access."""
    language: str = DEFAULT_LANGUAGE
    """The reader's language (``zh``, ``en``) from the request's ``Accept-Language``: every
    message and reason this request answers is rendered in it."""
    client_address: str | None = None
    """The client's IP address, which logins are throttled by: the peer's, or with trusted
    proxies configured, the one their ``X-Forwarded-For`` names."""
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.db, self.principal)


Info = StrawberryInfo[Context, None]
