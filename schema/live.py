"""Plumbing shared by every subscription: who is listening, and re-reading on each event.

Who is listening is a ``schema.live_session.LiveSession``: checked at subscribe time, before
every emission and on a timer, closing the socket (4401, 4403) when the session ends.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import TypeVar

from schema.context import Info
from schema.live_session import LiveSession, connection_authorization, live_session

T = TypeVar("T")

__all__ = ["connection_authorization", "live_session", "watch"]


async def watch(
    info: Info, channel: str, read: Callable[[LiveSession], Awaitable[T]]
) -> AsyncGenerator[T, None]:
    """The current state now, then again after every event on ``channel``.

    It subscribes before the first read so no event between the two is missed, and reads
    with fresh loaders each time (the session's check makes them): a connection lives long,
    its data must not.
    """
    async with (
        live_session(info) as session,
        info.context.events.subscribe(channel) as events,
    ):
        yield await read(session)
        while True:
            await session.wait(events)
            yield await read(session)
