"""Access tokens: short-lived JWTs, HS256 pinned, every registered claim checked.

The key id in the header names which secret signed a token, so a secret can be rotated:
new tokens use the current one while tokens signed with a previous one stay valid until
they expire.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from api.settings import Settings

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ("exp", "iat", "nbf", "aud", "iss", "sub", "cid", "jti")


class InvalidToken(Exception):
    """The bearer token cannot be trusted; the request is treated as unauthenticated."""


@dataclass(frozen=True)
class AccessClaims:
    account_id: uuid.UUID
    community_id: uuid.UUID
    device_id: uuid.UUID | None


def key_id(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


class TokenService:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._current_kid = key_id(settings.secret_key)
        self._keys = {key_id(k): k for k in (settings.secret_key, *settings.previous_secret_keys)}

    def issue(
        self,
        account_id: uuid.UUID,
        community_id: uuid.UUID,
        device_id: uuid.UUID | None,
        now: datetime | None = None,
    ) -> tuple[str, datetime]:
        issued = now or datetime.now(UTC)
        expires = issued + timedelta(seconds=self._settings.access_token_seconds)
        claims = {
            "iss": self._settings.jwt_issuer,
            "aud": self._settings.jwt_audience,
            "sub": str(account_id),
            "cid": str(community_id),
            "did": str(device_id) if device_id else None,
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
        try:
            header = jwt.get_unverified_header(token)
            secret = self._keys.get(str(header.get("kid")))
            if secret is None or header.get("alg") != ALGORITHM:
                raise InvalidToken("unknown key or algorithm")
            claims = jwt.decode(
                token,
                secret,
                algorithms=[ALGORITHM],
                audience=self._settings.jwt_audience,
                issuer=self._settings.jwt_issuer,
                options={"require": list(REQUIRED_CLAIMS)},
                leeway=5,
            )
            device = claims.get("did")
            return AccessClaims(
                account_id=uuid.UUID(str(claims["sub"])),
                community_id=uuid.UUID(str(claims["cid"])),
                device_id=uuid.UUID(str(device)) if device else None,
            )
        except (jwt.PyJWTError, ValueError, TypeError, KeyError) as exc:
            raise InvalidToken(str(exc)) from exc
