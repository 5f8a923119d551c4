"""Field values as they travel: plain JSON-able data, compared the way the field means them.

The merge compares values, so a tag list in another order or a UUID in upper case must not
look like a change; ``canonical`` is the one normal form both sides are brought to.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import Enum
from typing import Any

from sync.declaration import Kind


def to_wire(kind: Kind, value: Any) -> Any:
    """A database value as the device receives it."""
    if value is None:
        return None
    if isinstance(value, Enum):
        value = value.value
    if kind is Kind.ID:
        return str(value)
    if kind is Kind.DATE:
        return value.isoformat() if isinstance(value, date | datetime) else str(value)
    if kind is Kind.TAGS:
        return sorted({str(item) for item in value})
    if kind is Kind.NUMBER:
        if isinstance(value, datetime):
            return value.timestamp() * 1000
        return float(value)
    if kind is Kind.BOOL:
        return bool(value)
    return value


def canonical(kind: Kind, value: Any) -> Any:
    """The comparable form of a wire value; an unparseable one compares as itself."""
    if value is None:
        return None
    if kind is Kind.ID and isinstance(value, str):
        try:
            return str(uuid.UUID(value))
        except ValueError:
            return value
    if kind is Kind.TEXT and isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    if kind is Kind.TAGS and isinstance(value, list | tuple):
        return sorted({str(item) for item in value})
    if kind is Kind.NUMBER and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def same(kind: Kind, left: Any, right: Any) -> bool:
    return bool(canonical(kind, left) == canonical(kind, right))
