"""The statement that reads documents as a device receives them, shared by pull and push.

Fields come out as the declaration's read expressions (masked where personal data is), so
the pull, the push's answers and the stream all send the same bytes for the same row. Rows
sent to a device only to remove them (no longer in its scope) carry nothing but their id.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, Select, case, literal, null, select, true

from sync.declaration import Kind, SyncedType
from sync.values import to_wire


def statement(collection: SyncedType, in_scope: ColumnElement[bool] | None = None) -> Select[Any]:
    """``id, position, deleted`` and every field; with ``in_scope``, rows outside it read as
    bare tombstones (deleted, every field null)."""
    model = collection.model
    deleted: ColumnElement[Any] = model.deleted  # type: ignore[assignment]
    columns: list[ColumnElement[Any]] = []
    for spec in collection.fields:
        expression = spec.read()
        if in_scope is not None:
            expression = case((in_scope, expression), else_=null())
        columns.append(expression.label(f"f_{spec.wire}"))
    if in_scope is not None:
        deleted = case((in_scope, model.deleted), else_=literal(True))
    return collection.source(
        select(model.id, model.position, deleted.label("s_deleted"), *columns)
    ).where(true())


def _converter(kind: Kind) -> Callable[[Any], Any]:
    """``to_wire`` for one kind, with the common value type short-cut (same results)."""
    if kind is Kind.TEXT:
        return lambda value: value if type(value) is str else to_wire(kind, value)
    if kind is Kind.ID:
        return lambda value: str(value) if type(value) is uuid.UUID else to_wire(kind, value)
    return partial(to_wire, kind)


def to_documents(collection: SyncedType, rows: Iterable[Any]) -> list[dict[str, Any]]:
    """Result rows as wire documents: ``id``, every field, ``updatedAt``, ``deleted``."""
    fields = [(spec.wire, _converter(spec.kind)) for spec in collection.fields]
    found = []
    for row in rows:
        document: dict[str, Any] = {"id": str(row[0])}
        for (wire, convert), value in zip(fields, row[3:], strict=True):
            document[wire] = convert(value)
        document["updatedAt"] = float(row[1])
        document["deleted"] = bool(row[2])
        found.append(document)
    return found


def to_document(collection: SyncedType, row: Any) -> dict[str, Any]:
    """One result row as the wire document."""
    return to_documents(collection, (row,))[0]


def bare(collection: SyncedType, document_id: Any, position: int) -> dict[str, Any]:
    """A tombstone that reveals nothing but the id: a row the device may no longer hold."""
    return {
        "id": str(document_id),
        **{spec.wire: None for spec in collection.fields},
        "updatedAt": float(position),
        "deleted": True,
    }
