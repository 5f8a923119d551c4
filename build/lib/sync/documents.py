"""The statement that reads documents as a device receives them, shared by pull and push.

Fields come out as the declaration's read expressions (masked where personal data is), so
the pull, the push's answers and the stream all send the same bytes for the same row. Rows
sent to a device only to remove them (no longer in its scope) carry nothing but their id.

A pull turns thousands of rows into documents, so rows are written by a converter compiled
once per collection (``to_documents``), and the two value types whose driver-side reading
costs most, UUIDs and JSON tag lists, are read as their text (``CAST(... AS TEXT)``) and
turned into wire values here: the same values, without building a ``uuid.UUID`` or running
the standard library's JSON decoder for each.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    ColumnElement,
    Select,
    Text,
    Uuid,
    case,
    cast,
    literal,
    null,
    select,
    true,
)

from sync.declaration import Field, Kind, SyncedType
from sync.values import to_wire

Writer = Callable[[Iterable[Any]], list[dict[str, Any]]]


def _as_text(spec: Field, expression: ColumnElement[Any]) -> bool:
    """Whether the field is read as text: a UUID column for an id, a JSON one for tags."""
    if spec.kind is Kind.ID:
        return isinstance(expression.type, Uuid)
    if spec.kind is Kind.TAGS:
        return isinstance(expression.type, JSON)
    return False


def _read(spec: Field) -> tuple[ColumnElement[Any], bool]:
    expression: ColumnElement[Any] = spec.read()  # type: ignore[assignment]
    if _as_text(spec, expression):
        return cast(expression, Text), True
    return expression, False


def read_as_text(spec: Field) -> bool:
    """Whether ``statement`` reads the field as its text (``id_from_text``,
    ``tags_from_text``)."""
    return _read(spec)[1]


def _statement(collection: SyncedType, in_scope: ColumnElement[bool] | None) -> Select[Any]:
    model = collection.model
    deleted: ColumnElement[Any] = model.deleted  # type: ignore[assignment]
    columns: list[ColumnElement[Any]] = []
    for spec in collection.fields:
        expression, _ = _read(spec)
        if in_scope is not None:
            expression = case((in_scope, expression), else_=null())
        columns.append(expression.label(f"f_{spec.wire}"))
    if in_scope is not None:
        deleted = case((in_scope, model.deleted), else_=literal(True))
    return collection.source(
        select(model.id, model.position, deleted.label("s_deleted"), *columns)
    ).where(true())


_STATEMENTS: dict[int, tuple[SyncedType, Select[Any]]] = {}


def statement(collection: SyncedType, in_scope: ColumnElement[bool] | None = None) -> Select[Any]:
    """``id, position, deleted`` and every field; with ``in_scope``, rows outside it read as
    bare tombstones (deleted, every field null). Rows go through ``to_documents``.

    Without ``in_scope`` the statement is built once per collection (a ``Select`` is
    immutable: ``where`` and ``order_by`` return new ones)."""
    if in_scope is not None:
        return _statement(collection, in_scope)
    found = _STATEMENTS.get(id(collection))
    if found is None or found[0] is not collection:
        found = _STATEMENTS[id(collection)] = (collection, _statement(collection, None))
    return found[1]


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_HEX_UUID = re.compile(r"[0-9a-f]{32}")


def id_from_text(value: str) -> str:
    """A UUID column's text (PostgreSQL's canonical form, SQLite's stored hex) as
    ``str(uuid.UUID(value))``: canonical, lower case; anything else goes through ``UUID``
    (which refuses what the column type would have refused)."""
    if _CANONICAL_UUID.fullmatch(value):
        return value
    if _HEX_UUID.fullmatch(value):
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return str(uuid.UUID(value))


def tags_from_text(value: str) -> Any:
    """A JSON column's text as ``to_wire`` makes the decoded value (orjson first; the
    standard library, as the column type decodes, for what orjson refuses)."""
    try:
        decoded = orjson.loads(value)
    except orjson.JSONDecodeError:
        decoded = json.loads(value)
    if type(decoded) is list:
        return sorted({str(item) for item in decoded})
    return to_wire(Kind.TAGS, decoded)


# Per kind: the value type whose wire form needs no ``to_wire`` call, and that form as an
# expression of ``v`` (the same result as ``to_wire``; any other value goes through it).
_SHORT_CUT: dict[Kind, tuple[type, str]] = {
    Kind.TEXT: (str, "{v}"),
    Kind.ID: (uuid.UUID, "str({v})"),
    Kind.DATE: (date, "{v}.isoformat()"),
    Kind.BOOL: (bool, "{v}"),
    Kind.NUMBER: (float, "{v}"),
    Kind.TAGS: (list, "sorted({{str(t) for t in {v}}})"),
}
# Fields read as text (``_as_text``): a ``str`` goes through these, once per distinct text
# in a call (residents share households, and tag sets repeat).
_FROM_TEXT: dict[Kind, tuple[Callable[[str], Any], str]] = {
    Kind.ID: (id_from_text, "{memo}[{v}]"),
    Kind.TAGS: (tags_from_text, "[*{memo}[{v}]]"),  # a list of its own for each document
}


class _Memo(dict[str, Any]):
    """``convert(text)`` per distinct text, for the length of one ``to_documents`` call."""

    def __init__(self, convert: Callable[[str], Any]) -> None:
        super().__init__()
        self.convert = convert

    def __missing__(self, text: str) -> Any:
        value = self[text] = self.convert(text)
        return value


def _compile(collection: SyncedType) -> Writer:
    """A row writer for the collection: one list comprehension with a dict display.

    The generic loop (a ``to_wire`` call and a zip step per value) cost more than reading the
    rows; this is the same conversion spelt out per field, so each value costs a type test.
    """
    names: dict[str, Any] = {"to_wire": to_wire, "Memo": _Memo}
    entries = ['"id": str(i)']
    columns = []
    memos = []
    for number, spec in enumerate(collection.fields):
        value, kind_name, type_name = f"f{number}", f"k{number}", f"t{number}"
        names[kind_name] = spec.kind
        if read_as_text(spec):
            convert, form = _FROM_TEXT[spec.kind]
            names[type_name], names[f"c{number}"] = str, convert
            memos.append(f"m{number} = Memo(c{number})")
            written = form.format(memo=f"m{number}", v=value)
        else:
            fast_type, form = _SHORT_CUT[spec.kind]
            names[type_name] = fast_type
            written = form.format(v=value)
        converted = (
            f"({written} if type({value}) is {type_name} else to_wire({kind_name}, {value}))"
        )
        if spec.present is not None:
            names[f"p{number}"] = spec.present
            converted = f"p{number}({converted})"
        entries.append(f"{spec.wire!r}: {converted}")
        columns.append(value)
    entries += ['"updatedAt": float(p)', '"deleted": bool(d)']
    unpacked = ", ".join(["i", "p", "d", *columns])
    source = "".join(
        [
            "def to_documents(rows):\n",
            *(f"    {memo}\n" for memo in memos),
            f"    return [{{{', '.join(entries)}}} for {unpacked} in rows]\n",
        ]
    )
    exec(compile(source, f"<documents of {collection.name}>", "exec"), names)
    writer: Writer = names["to_documents"]
    return writer


_WRITERS: dict[int, tuple[SyncedType, Writer]] = {}


def to_documents(collection: SyncedType, rows: Iterable[Any]) -> list[dict[str, Any]]:
    """Rows of ``statement`` as wire documents: ``id``, every field, ``updatedAt``,
    ``deleted``."""
    found = _WRITERS.get(id(collection))
    if found is None or found[0] is not collection:
        found = _WRITERS[id(collection)] = (collection, _compile(collection))
    return found[1](rows)


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
