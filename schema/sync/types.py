"""GraphQL types generated from each collection's declaration, named as RxDB expects.

Only the input names bind on the wire (``XInputCheckpoint``, ``XInputPushRow``,
``XInputHeaders``); the document type is ``XDocument`` because ``Household`` and friends
already name the richer types of the general API. In ``XInput`` every field but ``id`` and
``deleted`` is nullable: a phone creates documents without server fields. Every document
field but ``id``, ``updatedAt`` and ``deleted`` is nullable too: unset fields come back null,
and a document removed from a device's scope is sent as a bare tombstone.

No ``from __future__ import annotations`` here: the annotations are built at run time.
"""

import dataclasses
from typing import Any, Optional

import strawberry

from schema.valid_text import PushedText
from sync.declaration import Kind, SyncedType

_PYTHON: dict[Kind, Any] = {
    Kind.TEXT: str,
    Kind.ID: str,
    Kind.DATE: str,
    Kind.BOOL: bool,
    Kind.NUMBER: float,
    Kind.TAGS: list[str],
}
_PUSHED: dict[Kind, Any] = {
    **_PYTHON,
    Kind.TEXT: PushedText,
    Kind.ID: PushedText,
    Kind.DATE: PushedText,
    Kind.TAGS: list[PushedText],
}
"""What a phone pushes: text that is not Unicode refuses its row, not the push (``sync.push``)."""


@dataclasses.dataclass(frozen=True)
class CollectionTypes:
    document: Any
    checkpoint: Any
    bulk: Any
    input: Any
    push_row: Any
    input_checkpoint: Any
    headers: Any

    def bulk_of(self, documents: list[dict[str, Any]], checkpoint: tuple[str, float]) -> Any:
        return self.bulk(
            documents=[self.document(**doc) for doc in documents],
            checkpoint=self.checkpoint(id=checkpoint[0], updatedAt=checkpoint[1]),
        )


def _build(
    name: str,
    fields: list[tuple[str, Any, Any, str]],
    *,
    is_input: bool = False,
    description: str | None = None,
) -> Any:
    """A strawberry type whose Python attribute names are the wire names, kept as given."""
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {}
    for wire, annotation, default, about in fields:
        annotations[wire] = annotation
        options: dict[str, Any] = {"name": wire, "description": about or None}
        if default is not dataclasses.MISSING:
            options["default"] = default
        namespace[wire] = strawberry.field(**options)
    namespace["__annotations__"] = annotations
    cls = type(name, (), namespace)
    if is_input:
        return strawberry.input(cls, name=name, description=description)
    return strawberry.type(cls, name=name, description=description)


def build_types(collection: SyncedType) -> CollectionTypes:
    p = collection.prefix
    missing = dataclasses.MISSING
    fields = [
        (f.wire, Optional[_PYTHON[f.kind]], None, f.description)  # noqa: UP045
        for f in collection.fields
    ]
    pushed = [
        (f.wire, Optional[_PUSHED[f.kind]], None, f.description)  # noqa: UP045
        for f in collection.fields
    ]
    position_note = "The change position (commit-ordered), not a clock."
    document = _build(
        f"{p}Document",
        [
            ("id", str, missing, ""),
            *fields,
            ("updatedAt", float, missing, position_note),
            ("deleted", bool, missing, ""),
        ],
        description=collection.description,
    )
    checkpoint_fields = [
        ("id", str, missing, "Opaque: echo it back exactly."),
        ("updatedAt", float, missing, position_note),
    ]
    checkpoint = _build(f"{p}Checkpoint", checkpoint_fields)
    bulk = _build(
        f"{p}PullBulk",
        [("documents", list[document], missing, ""), ("checkpoint", checkpoint, missing, "")],
    )
    document_input = _build(
        f"{p}Input",
        [
            ("id", PushedText, missing, ""),
            *pushed,
            ("updatedAt", Optional[float], None, ""),  # noqa: UP045
            ("deleted", bool, missing, ""),
        ],
        is_input=True,
    )
    push_row = _build(
        f"{p}InputPushRow",
        [
            ("assumedMasterState", Optional[document_input], None, ""),  # noqa: UP045
            ("newDocumentState", document_input, missing, ""),
        ],
        is_input=True,
    )
    input_checkpoint = _build(f"{p}InputCheckpoint", checkpoint_fields, is_input=True)
    headers = _build(
        f"{p}InputHeaders", [("Authorization", str, missing, "Bearer <token>")], is_input=True
    )
    return CollectionTypes(
        document, checkpoint, bulk, document_input, push_row, input_checkpoint, headers
    )


def as_wire(collection: SyncedType, value: Any) -> dict[str, Any] | None:
    """An ``XInput`` as the plain wire dict the merge works on."""
    if value is None:
        return None
    names = ["id", *(f.wire for f in collection.fields), "updatedAt", "deleted"]
    return {name: getattr(value, name, None) for name in names}
