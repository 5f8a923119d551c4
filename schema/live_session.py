"""A subscription's session, checked at subscribe time, on every wake and on a timer.

A subscription outlives the access token it started with, so every one of them (the sync
streams, ``proposalRaised``, ``voteTally``, ``agendaChanged``) checks its token again before
each emission, when its account's session ends (``session_channel``: a logout, a refresh
token's reuse, a revoked device), when the token expires, and at least every
``CHECK_SECONDS``. A refused session closes the socket, never completes the operation
(graphql-ws clients, RxDB's among them, take a completion as the end for good and throw on a
``null`` emission):

- 4401: the token is missing, invalid or expired; get a fresh one and reconnect;
- 4403: the session is over (device revoked, logged out, account disabled); log in again.

Closing needs the WebSocket; over a transport without one the refusal is a GraphQL error.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from domain.errors import AuthenticationRequired
from domain.i18n import N_
from domain.principal import Principal
from schema.context import Access, Info, Refusal
from schema.events import session_channel
from schema.loaders import Loaders

CLOSE_EXPIRED = 4401
CLOSE_REVOKED = 4403
CHECK_SECONDS = 30.0
"""The timer: the longest a subscription goes without checking its session."""

_CLOSE = {
    Refusal.MISSING: (CLOSE_EXPIRED, "authentication required"),
    Refusal.INVALID: (CLOSE_EXPIRED, "invalid token"),
    Refusal.EXPIRED: (CLOSE_EXPIRED, "token expired"),
    Refusal.ENDED: (CLOSE_REVOKED, "device revoked or signed out"),
}


class _Next:
    """The next item of an event iterator, waited for across timeouts: cancelling the wait
    would end the bus's iterator for good."""

    def __init__(self, events: AsyncIterator[dict[str, Any]]) -> None:
        self.events = events
        self.pending: asyncio.Future[dict[str, Any]] | None = None

    def future(self) -> asyncio.Future[dict[str, Any]]:
        if self.pending is None:
            self.pending = asyncio.ensure_future(anext(self.events))
        return self.pending

    def take(self) -> dict[str, Any]:
        assert self.pending is not None
        event, self.pending = self.pending.result(), None
        return event

    def close(self) -> None:
        if self.pending is not None:
            self.pending.cancel()


class LiveSession:
    """Who is listening, kept current. Open it with ``live_session``."""

    def __init__(self, info: Info, authorization: str | None) -> None:
        self._info = info
        self._authorization = authorization
        self._expires_at: datetime | None = None
        self._watched: list[_Next] = []
        self._ended: _Next | None = None
        self._principal: Principal | None = None

    @property
    def principal(self) -> Principal:
        """Who is listening, as of the last check (``live_session`` checks before yielding)."""
        assert self._principal is not None, "check() first"
        return self._principal

    async def check(self) -> Principal:
        """The principal now; a refused session closes the socket and never returns."""
        access: Access = await self._info.context.check_access(self._authorization)
        if access.principal is None:
            await self._refuse(access.refusal or Refusal.ENDED)
        assert access.principal is not None
        self._expires_at = access.expires_at
        self._principal = access.principal
        self._info.context.principal = access.principal
        self._info.context.loaders = Loaders(self._info.context.db, access.principal)
        return access.principal

    async def _refuse(self, refusal: Refusal) -> None:
        """Close the socket and wait for the connection's teardown to cancel this operation:
        returning would complete the subscription (and the server would send ``complete``
        on a closed socket)."""
        close = self._info.context.close_socket
        if close is None:
            if refusal is Refusal.ENDED:
                raise AuthenticationRequired(N_("this device's session has ended"))
            raise AuthenticationRequired()
        code, reason = _CLOSE[refusal]
        await close(code, reason)
        await asyncio.Event().wait()

    def _timer(self, left: float | None) -> float:
        wait = CHECK_SECONDS if left is None else min(left, CHECK_SECONDS)
        if self._expires_at is not None:
            until = (self._expires_at - datetime.now(UTC)).total_seconds() + 0.05
            wait = min(wait, max(until, 0.0))
        return wait

    async def wait(
        self, events: AsyncIterator[dict[str, Any]], within: float | None = None
    ) -> dict[str, Any] | None:
        """The next event on ``events``, or None once ``within`` seconds passed; the
        session is checked again before either is returned, and also whenever it may have
        ended meanwhile (a session event, the token's expiry, the timer)."""
        watched = next((w for w in self._watched if w.events is events), None)
        if watched is None:
            watched = _Next(events)
            self._watched.append(watched)
        deadline = None if within is None else asyncio.get_running_loop().time() + within
        while True:
            left = None if deadline is None else deadline - asyncio.get_running_loop().time()
            if left is not None and left <= 0:
                await self.check()
                return None
            waits: set[asyncio.Future[dict[str, Any]]] = {watched.future()}
            if self._ended is not None:
                waits.add(self._ended.future())
            done, _ = await asyncio.wait(
                waits, timeout=self._timer(left), return_when=asyncio.FIRST_COMPLETED
            )
            if self._ended is not None and self._ended.pending in done:
                self._ended.take()
            await self.check()
            if watched.pending in done:
                return watched.take()

    def listen(self, ended: AsyncIterator[dict[str, Any]]) -> None:
        """Check again whenever an event arrives on ``ended`` (the session channel)."""
        self._ended = _Next(ended)

    def close(self) -> None:
        for watched in (*self._watched, *([self._ended] if self._ended else [])):
            watched.close()


@asynccontextmanager
async def live_session(info: Info, authorization: str | None = None) -> AsyncIterator[LiveSession]:
    """Check the session (a refusal closes the socket at once: 4401 or 4403) and listen for
    its end. ``authorization``: else the ``connection_init`` payload's, else the socket's."""
    session = LiveSession(
        info, authorization if authorization is not None else subscriber_authorization(info)
    )
    who = await session.check()
    try:
        async with info.context.events.subscribe(session_channel(who.account_id)) as ended:
            session.listen(ended)
            await session.check()  # a session that ended while subscribing is not missed
            yield session
    finally:
        session.close()


def _authorization(params: dict[str, Any] | None) -> str | None:
    if not params:
        return None
    value = params.get("Authorization") or params.get("authorization")
    headers = params.get("headers")
    if value is None and isinstance(headers, dict):
        value = headers.get("Authorization") or headers.get("authorization")
    return value if isinstance(value, str) else None


def connection_authorization(info: Info) -> str | None:
    """The ``Authorization`` value of the socket's ``connection_init`` payload, if any.

    Browsers cannot set headers on a WebSocket, so a subscriber may authenticate with the
    payload (``{"Authorization": "Bearer ..."}``, or the same under ``headers`` as RxDB's
    ``includeWsHeaders`` sends it)."""
    return _authorization(info.context.connection_params)


def subscriber_authorization(info: Info) -> str | None:
    """The ``connection_init`` payload's ``Authorization``, else the socket's own header."""
    return connection_authorization(info) or info.context.authorization
