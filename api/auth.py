"""From an ``Authorization: Bearer`` header to a ``Principal`` (or None: not logged in).

A token that fails any check (size, signature, algorithm, key id, expiry, audience, issuer,
missing or wrongly typed claims) is treated exactly like no token: the request runs
unauthenticated and anything that needs a login answers with a typed
``UnauthenticatedError``. So is a valid token whose device was revoked or whose session
(refresh-token family) was logged out or ended by theft detection: checked on every request
in the statement that loads the principal. Live subscriptions need to know which of these it
was (``check_access``): an expired token is renewed, an ended session is not.
"""

from __future__ import annotations

import logging

from api.tokens import MAX_TOKEN_CHARS, ExpiredToken, InvalidToken, TokenService
from domain.database import Database
from domain.principal import Principal
from domain.services.principals import load_principal
from schema.context import Access, Refusal

log = logging.getLogger("changlang.auth")

MAX_AUTHORIZATION_CHARS = MAX_TOKEN_CHARS + 16


def bearer_token(authorization: str | None) -> str | None:
    if not authorization or len(authorization) > MAX_AUTHORIZATION_CHARS:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def check_access(db: Database, tokens: TokenService, authorization: str | None) -> Access:
    if authorization and len(authorization) > MAX_AUTHORIZATION_CHARS:
        log.info("refused a bearer token: the Authorization value is too long")
        return Access(None, Refusal.INVALID)
    token = bearer_token(authorization)
    if token is None:
        return Access(None, Refusal.MISSING if not authorization else Refusal.INVALID)
    try:
        claims = tokens.verify(token)
    except ExpiredToken:
        return Access(None, Refusal.EXPIRED)
    except InvalidToken as exc:
        log.info("refused a bearer token: %s", exc)
        return Access(None, Refusal.INVALID)
    async with db.read() as session:
        principal = await load_principal(
            session, claims.account_id, claims.device_id, claims.family_id, keep_tree=True
        )
    if principal is None or principal.community_id != claims.community_id:
        return Access(None, Refusal.ENDED, claims.expires_at)
    return Access(principal, None, claims.expires_at)


async def authenticate(
    db: Database, tokens: TokenService, authorization: str | None
) -> Principal | None:
    return (await check_access(db, tokens, authorization)).principal
