"""From an ``Authorization: Bearer`` header to a ``Principal`` (or None: not logged in).

A token that fails any check (signature, algorithm, key id, expiry, audience, issuer,
missing claims) is treated exactly like no token: the request runs unauthenticated and
anything that needs a login answers with a typed ``UnauthenticatedError``.
"""

from __future__ import annotations

import logging

from api.tokens import InvalidToken, TokenService
from domain.database import Database
from domain.principal import Principal
from domain.services.principals import load_principal

log = logging.getLogger("changlang.auth")


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def authenticate(
    db: Database, tokens: TokenService, authorization: str | None
) -> Principal | None:
    token = bearer_token(authorization)
    if token is None:
        return None
    try:
        claims = tokens.verify(token)
    except InvalidToken as exc:
        log.info("refused a bearer token: %s", exc)
        return None
    async with db.read() as session:
        principal = await load_principal(session, claims.account_id, claims.device_id)
    if principal is None or principal.community_id != claims.community_id:
        return None
    return principal
