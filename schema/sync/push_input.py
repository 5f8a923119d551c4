"""A push's rows read straight from the request's JSON, as the general path would coerce them.

The general path has graphql-core coerce the ``[XInputPushRow]`` variable (every field of
every row checked against its input type), strawberry turn it into input objects, and
``schema.sync.types.as_wire`` turn those into the wire dicts the merge works on: about as much
work as the push itself for 500 rows. This is the same outcome in one pass over the decoded
JSON, for the values that coerce without conversion or error. Anything else (a value
graphql-core would convert, such as a lone string for a list, or refuse, such as a missing
``id``) raises ``NotFast``, and the general path answers with its own error.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from schema.sync.fast_pull import NotFast
from sync.declaration import Kind, SyncedType
from sync.push import PushRow

_ROW_KEYS = frozenset({"assumedMasterState", "newDocumentState"})


def _text(value: Any) -> Any:
    if value is None or type(value) is str:
        return value
    raise NotFast


def _boolean(value: Any) -> Any:
    if value is None or type(value) is bool:
        return value
    raise NotFast


_WIDEST_INT = 2.0**63
"""orjson reads an integer beyond 64 bits as a float, the standard library (the general
path's reader) as an int that ``Float`` refuses when it would lose precision: a float this
large may have been either, so it goes the general way."""


def _number(value: Any) -> Any:
    """``Float``: a finite float, or an int it holds exactly (graphql-core's own rule)."""
    if value is None:
        return None
    if type(value) is float and math.isfinite(value) and abs(value) < _WIDEST_INT:
        return value
    if type(value) is int:
        try:
            number = float(value)
        except OverflowError:
            raise NotFast from None
        if int(number) == value:
            return number
    raise NotFast


def _tags(value: Any) -> Any:
    """``[PushedText!]``: a list of strings (a lone string would be coerced into a list)."""
    if value is None:
        return None
    if type(value) is list and all(type(item) is str for item in value):
        return list(value)
    raise NotFast


_COERCE: dict[Kind, Callable[[Any], Any]] = {
    Kind.TEXT: _text,
    Kind.ID: _text,
    Kind.DATE: _text,
    Kind.BOOL: _boolean,
    Kind.NUMBER: _number,
    Kind.TAGS: _tags,
}


class InputReader:
    """Reads ``XInput`` objects of one collection into wire dicts, keys in ``as_wire``'s order
    (the order refused rows are kept in)."""

    def __init__(self, collection: SyncedType) -> None:
        self.collection = collection
        self.coerce: tuple[tuple[str, Callable[[Any], Any]], ...] = (
            ("id", _text),
            *((f.wire, _COERCE[f.kind]) for f in collection.fields),
            ("updatedAt", _number),
            ("deleted", _boolean),
        )
        self.names = frozenset(name for name, _ in self.coerce)

    def document(self, value: Any) -> dict[str, Any]:
        if type(value) is not dict or not value.keys() <= self.names:
            raise NotFast
        if type(value.get("id")) is not str or type(value.get("deleted")) is not bool:
            raise NotFast  # both non-null: graphql-core refuses a missing or null one
        return {name: coerce(value.get(name)) for name, coerce in self.coerce}

    def rows(self, value: Any) -> list[PushRow]:
        """The rows as the resolver builds them; ``NotFast`` for anything but a list of row
        objects (null rows included: the variable's type decides whether they are allowed)."""
        if type(value) is not list:
            raise NotFast
        found = []
        for row in value:
            if type(row) is not dict or not row.keys() <= _ROW_KEYS:
                raise NotFast
            assumed = row.get("assumedMasterState")
            found.append(
                PushRow(
                    None if assumed is None else self.document(assumed),
                    self.document(row.get("newDocumentState")),
                )
            )
        return found
