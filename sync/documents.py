"""The statement that reads documents as a device receives them, shared by pull and push.

Fields come out as the declaration's read expressions (masked where personal data is), so
the pull, the push's answers and the stream all send the same bytes for the same row. Rows
sent to a device only to remove them (no longer in its scope) carry nothing but their id.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, case, literal, null, select, true

from sync.declaration import SyncedType
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


def to_document(collection: SyncedType, row: Any) -> dict[str, Any]:
    """One result row as the wire document: ``id``, every field, ``updatedAt``, ``deleted``."""
    document: dict[str, Any] = {"id": str(row[0])}
    for index, spec in enumerate(collection.fields, start=3):
        document[spec.wire] = to_wire(spec.kind, row[index])
    document["updatedAt"] = float(row[1])
    document["deleted"] = bool(row[2])
    return document
