"""How deeply a JSON request may nest.

The standard library's decoder recurses once per level, so a body nested a few thousand
levels deep raises ``RecursionError``, which strawberry lets escape as a plain-text 500 (and
which ends a WebSocket's handler). No GraphQL request this server answers nests anywhere
near ``MAX_JSON_DEPTH`` (a sync push is about six levels), so deeper JSON is refused as
malformed: ``JSONTooDeep`` is a ``JSONDecodeError``, which every caller already turns into
its own typed refusal (a 400 over HTTP, close code 4400 on a graphql-ws socket).
"""

from __future__ import annotations

import json
from typing import Any

MAX_JSON_DEPTH = 64


class JSONTooDeep(json.JSONDecodeError):
    def __init__(self) -> None:
        super().__init__(f"JSON nested more than {MAX_JSON_DEPTH} levels deep", "", 0)


def deeper_than(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``value`` (decoded JSON) nests objects and arrays more than ``limit`` deep.

    Iterative, so that checking cannot itself run out of stack.
    """
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def loads(data: str | bytes) -> Any:
    """``json.loads``, refusing JSON deeper than ``MAX_JSON_DEPTH`` with ``JSONTooDeep``."""
    try:
        decoded = json.loads(data)
    except RecursionError as exc:
        raise JSONTooDeep() from exc
    if deeper_than(decoded):
        raise JSONTooDeep()
    return decoded
