"""Wire values (strings and numbers from a phone) into what the domain's services take.

Each raises ``InvalidInput`` naming the wire field, so a bad value refuses its row only.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from domain.errors import InvalidInput
from domain.i18n import N_

MAX_MS = 253_402_300_799_000  # 9999-12-31


def as_uuid(field: str, value: Any, *, required: bool = True) -> uuid.UUID | None:
    if value is None or value == "":
        if required:
            raise InvalidInput(field, N_("is required"))
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise InvalidInput(field, N_("is not an id")) from exc


def required_uuid(field: str, value: Any) -> uuid.UUID:
    found = as_uuid(field, value)
    assert found is not None
    return found


def household_and_fields(fields: dict[str, Any]) -> tuple[uuid.UUID, dict[str, Any]]:
    """A create's household (required: residents and notes live in one) and its other fields."""
    return required_uuid("householdId", fields.pop("household_id", None)), fields


def as_date(field: str, value: Any) -> date | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidInput(field, N_("is not a date (YYYY-MM-DD)")) from exc


def as_time(field: str, value: Any) -> datetime | None:
    """Milliseconds since the epoch (a JavaScript time), as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < MAX_MS:
        raise InvalidInput(field, N_("is not a time in milliseconds since 1970"))
    return datetime.fromtimestamp(value / 1000, tz=UTC)


def as_tags(field: str, value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(field, N_("is not a list of strings"))
    return list(value)
