"""The typed per-request context every resolver receives.

Built by the server for each request (never shared): DataLoader caches must not outlive one
request, or they would serve one user's rows to another.
"""

from __future__ import annotations

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
from domain.services.suggestion_box import BoxRules
from schema.events import EventBus
from schema.loaders import Loaders

Authenticator = Callable[[str | None], Awaitable[Principal | None]]
"""From an ``Authorization`` value (``Bearer ...``) to a principal; supplied by the server."""


class AccessTokenIssuer(Protocol):
    def issue(
        self, account_id: uuid.UUID, community_id: uuid.UUID, device_id: uuid.UUID | None
    ) -> tuple[str, datetime]: ...


@dataclass(frozen=True)
class SchemaConfig:
    max_page_size: int = 100
    refresh_ttl: timedelta = timedelta(days=30)
    login_code_ttl: timedelta = timedelta(days=1)
    offline_ballot_grace: timedelta = timedelta(hours=24)
    max_device_clock_skew: timedelta = timedelta(minutes=5)
    suggestion_box: BoxRules = field(default_factory=BoxRules)
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
    authenticate: Authenticator
    request_id: str = ""
    connection_params: dict[str, Any] | None = None
    close_socket: Callable[[int, str], Awaitable[None]] | None = None
    """Closes this request's WebSocket with a code (4403: a revoked device's live sync)."""
    device_time_ms: float | None = None
    """The phone's clock as it sent the request (``X-Device-Time``, ms since 1970)."""
    authorization: str | None = None
    """The request's own ``Authorization`` header, for a live stream that re-checks access."""
    language: str = DEFAULT_LANGUAGE
    """The reader's language (``zh``, ``en``) from the request's ``Accept-Language``: every
    message and reason this request answers is rendered in it."""
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.db, self.principal)


Info = StrawberryInfo[Context, None]
