"""Plumbing shared by every subscription: who is listening, and re-reading on each event.

Browsers cannot set headers on a WebSocket, so a subscriber may instead authenticate with
the ``connection_init`` payload (``{"Authorization": "Bearer ..."}``, or the same under
``headers`` as RxDB's ``includeWsHeaders`` sends it).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any, TypeVar

from domain.errors import AuthenticationRequired
from domain.principal import Principal
from schema.context import Info
from schema.loaders import Loaders

T = TypeVar("T")


def _authorization(params: dict[str, Any] | None) -> str | None:
    if not params:
        return None
    value = params.get("Authorization") or params.get("authorization")
    headers = params.get("headers")
    if value is None and isinstance(headers, dict):
        value = headers.get("Authorization") or headers.get("authorization")
    return value if isinstance(value, str) else None


def connection_authorization(info: Info) -> str | None:
    """The ``Authorization`` value of the socket's ``connection_init`` payload, if any."""
    return _authorization(info.context.connection_params)


async def subscriber(info: Info) -> Principal:
    context = info.context
    if context.principal is None:
        context.principal = await context.authenticate(_authorization(context.connection_params))
    if context.principal is None:
        raise AuthenticationRequired()
    return context.principal


async def watch(
    info: Info, channel: str, read: Callable[[], Awaitable[T]]
) -> AsyncGenerator[T, None]:
    """The current state now, then again after every event on ``channel``.

    It subscribes before the first read so no event between the two is missed, and reads
    with fresh loaders each time: a connection lives long, its data must not.
    """
    async with info.context.events.subscribe(channel) as events:
        info.context.loaders = Loaders(info.context.db, info.context.principal)
        yield await read()
        async for _event in events:
            info.context.loaders = Loaders(info.context.db, info.context.principal)
            yield await read()
