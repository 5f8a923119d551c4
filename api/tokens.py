"""Access tokens: short-lived JWTs, HS256 pinned, every claim checked for presence and type.

The key id in the header names which secret signed a token, so a secret can be rotated:
new tokens use the current one while tokens signed with a previous one stay valid until
they expire.

Each token names its device (``did``) and its refresh-token family (``fam``), so that a
logout, a detected refresh-token theft or a revoked device ends the access tokens of that
session at their next check rather than when they expire (``domain.services.principals``).

PyJWT checks the registered claims' values but not their JSON types (it takes
``"exp": "1893456000"`` for a number), and parses whatever size it is given; both are
refused here before any claim is trusted.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from api.settings import Settings

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ("exp", "iat", "nbf", "aud", "iss", "sub", "cid", "did", "fam", "jti")
MAX_TOKEN_CHARS = 4096
"""An issued token is about 500 characters; anything much larger is refused unread."""
LEEWAY_SECONDS = 5
"""Clock skew tolerated on ``exp``, ``nbf`` and ``iat``."""

_NUMERIC = ("exp", "iat", "nbf")
_TEXT = ("aud", "iss", "jti")
_UUIDS = ("sub", "cid", "did", "fam")


class InvalidToken(Exception):
    """The bearer token cannot be trusted; the request is treated as unauthenticated."""


class ExpiredToken(InvalidToken):
    """A token this server signed, past its lifetime: the client should refresh it."""


@dataclass(frozen=True)
class AccessClaims:
    account_id: uuid.UUID
    community_id: uuid.UUID
    device_id: uuid.UUID
    family_id: uuid.UUID
    expires_at: datetime
    """When the token stops verifying (its ``exp`` plus the leeway)."""


def key_id(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


def _typed(claims: dict[str, Any]) -> AccessClaims:
    """The claims, each of its JSON type: numbers (never strings or booleans), strings, UUIDs."""
    for name in _NUMERIC:
        value = claims[name]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidToken(f"claim {name} is not a number")
    for name in (*_TEXT, *_UUIDS):
        if not isinstance(claims[name], str):
            raise InvalidToken(f"claim {name} is not a string")
    ids = {name: uuid.UUID(claims[name]) for name in _UUIDS}
    expires = datetime.fromtimestamp(claims["exp"], UTC) + timedelta(seconds=LEEWAY_SECONDS)
    return AccessClaims(
        account_id=ids["sub"],
        community_id=ids["cid"],
        device_id=ids["did"],
        family_id=ids["fam"],
        expires_at=expires,
    )


class TokenService:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._current_kid = key_id(settings.secret_key)
        self._keys = {key_id(k): k for k in (settings.secret_key, *settings.previous_secret_keys)}

    def issue(
        self,
        account_id: uuid.UUID,
        community_id: uuid.UUID,
        device_id: uuid.UUID,
        family_id: uuid.UUID,
        now: datetime | None = None,
    ) -> tuple[str, datetime]:
        """A token for one device's session; there are no access tokens without a device."""
        issued = now or datetime.now(UTC)
        expires = issued + timedelta(seconds=self._settings.access_token_seconds)
        claims = {
            "iss": self._settings.jwt_issuer,
            "aud": self._settings.jwt_audience,
            "sub": str(account_id),
            "cid": str(community_id),
            "did": str(device_id),
            "fam": str(family_id),
            "iat": issued,
            "nbf": issued,
            "exp": expires,
            "jti": uuid.uuid4().hex,
        }
        token = jwt.encode(
            claims,
            self._keys[self._current_kid],
            algorithm=ALGORITHM,
            headers={"kid": self._current_kid},
        )
        return token, expires

    def verify(self, token: str) -> AccessClaims:
        if len(token) > MAX_TOKEN_CHARS:
            raise InvalidToken("token too long")
        try:
            header = jwt.get_unverified_header(token)
            kid = header.get("kid")
            secret = self._keys.get(kid) if isinstance(kid, str) else None
            if secret is None or header.get("alg") != ALGORITHM:
                raise InvalidToken("unknown key or algorithm")
            claims = jwt.decode(
                token,
                secret,
                algorithms=[ALGORITHM],
                audience=self._settings.jwt_audience,
                issuer=self._settings.jwt_issuer,
                options={"require": list(REQUIRED_CLAIMS)},
                leeway=LEEWAY_SECONDS,
            )
            return _typed(claims)
        except jwt.ExpiredSignatureError as exc:
            raise ExpiredToken(str(exc)) from exc
        except (jwt.PyJWTError, ValueError, TypeError, KeyError, OverflowError) as exc:
            raise InvalidToken(str(exc)) from exc
