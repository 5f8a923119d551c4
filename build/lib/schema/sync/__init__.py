"""The RxDB replication operations of every synced collection, plus the conflict inbox.

``SyncQueries``, ``SyncMutations`` and ``SyncSubscriptions`` are generated from
``sync.collections.COLLECTIONS``: per collection ``pullX``, ``pushX`` (unless pull-only)
and ``streamX``, with exactly the names and nullability the RxDB client sends.
"""

from __future__ import annotations

from typing import Any

import strawberry

from schema.sync.inbox import InboxMutations, InboxQueries
from schema.sync.operations import pull_resolver, push_resolver
from schema.sync.stream import stream_resolver
from schema.sync.types import CollectionTypes, build_types
from sync.collections import COLLECTIONS

TYPES: dict[str, CollectionTypes] = {name: build_types(c) for name, c in COLLECTIONS.items()}


def _mixin(name: str, fields: dict[str, Any], *bases: type) -> Any:
    return strawberry.type(type(name, bases, fields))


_pulls: dict[str, Any] = {}
_pushes: dict[str, Any] = {}
_streams: dict[str, Any] = {}
for _name, _collection in COLLECTIONS.items():
    _types = TYPES[_name]
    _p = _collection.prefix
    _pulls[f"pull_{_name}"] = strawberry.field(
        resolver=pull_resolver(_collection, _types),
        name=f"pull{_p}",
        description=f"Replication pull: {_collection.description}",
    )
    if _collection.pushable:
        _pushes[f"push_{_name}"] = strawberry.mutation(
            resolver=push_resolver(_collection, _types),
            name=f"push{_p}",
            description="Replication push: returns the master of each row that differs from "
            "what was sent (merged or refused); rows not returned were stored as sent.",
        )
    _streams[f"stream_{_name}"] = strawberry.subscription(
        resolver=stream_resolver(_collection, _types),
        name=f"stream{_p}",
        description="Replication stream: every commit in this device's scope.",
    )

SyncQueries = _mixin("SyncQueries", _pulls, InboxQueries)
SyncMutations = _mixin("SyncMutations", _pushes, InboxMutations)
SyncSubscriptions = _mixin("SyncSubscriptions", _streams)

__all__ = ["TYPES", "SyncMutations", "SyncQueries", "SyncSubscriptions"]
