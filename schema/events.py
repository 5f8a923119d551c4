"""Live events for subscriptions: what the GraphQL edge needs from the server's event bus.

Mutations publish after their transaction commits (never before: a subscriber must not see
an event for a change that was rolled back); subscriptions listen on named channels. The
server supplies the bus (in-process, or fanned out across processes through PostgreSQL).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol


class EventBus(Protocol):
    async def publish(self, channel: str, payload: dict[str, Any]) -> None: ...

    def subscribe(
        self, channel: str
    ) -> AbstractAsyncContextManager[AsyncIterator[dict[str, Any]]]: ...


def proposals_channel(community_id: uuid.UUID) -> str:
    return f"proposals:{community_id}"


def tally_channel(vote_id: uuid.UUID) -> str:
    return f"tally:{vote_id}"


def agenda_channel(meeting_id: uuid.UUID) -> str:
    return f"agenda:{meeting_id}"


def sync_channel(community_id: uuid.UUID) -> str:
    """A commit touched synced documents of this community (payload: collection, reemit)."""
    return f"sync:{community_id}"


def session_channel(account_id: uuid.UUID) -> str:
    """One of this account's sessions ended (logout, a refresh token's reuse, a revoked
    device): its live subscriptions check their own session again at once."""
    return f"session:{account_id}"
