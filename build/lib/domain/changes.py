"""What a transaction changed that live readers must hear about, handed over once it commits.

Positions tell a pull *what* changed; a live stream also needs to know *when*, whichever
code path wrote (a sync push, an ordinary mutation, the inbox, a CLI import). So every write
that matters notes itself on the session (the position-stamping flush hook notes each synced
table; a device revocation notes itself, since it ends that device's live streams), and
``Database.transaction`` passes the notes to its commit listeners after the commit, never
after a rollback. The domain knows nothing of event buses: the server registers a listener.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, Protocol

_KEY = "changlang.changes"

DEVICES = "device"
"""The table noted when a device's access ends (its streams must re-check and close)."""


@dataclass(frozen=True, order=True)
class Change:
    """A committed write to ``table`` in one community (which rows is the pull's business)."""

    community_id: uuid.UUID
    table: str


class HasInfo(Protocol):
    @property
    def info(self) -> MutableMapping[Any, Any]: ...


CommitListener = Callable[[frozenset[Change]], Awaitable[None]]
"""Called after a transaction that noted changes commits (e.g. to publish live events)."""


def note(session: HasInfo, community_id: uuid.UUID, table: str) -> None:
    """Record a change in the session's current unit of work."""
    session.info.setdefault(_KEY, set()).add(Change(community_id, table))


def take(session: HasInfo) -> frozenset[Change]:
    """The changes noted so far, forgetting them (a session announces each once)."""
    return frozenset(session.info.pop(_KEY, ()))
