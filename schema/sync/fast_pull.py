"""The hot path of sync: a ``pullX`` answered without per-field GraphQL execution.

A phone pulls thousands of documents a session, and strawberry's executor walks every field
of every document (about five times the cost of reading the rows). The RxDB client sends the
same few operation texts over and over, so each text is recognised once: parsed (off the
event loop, the document shared with the general path through ``schema.document_checks``)
and validated against the real schema, and accepted only when it is exactly one ``pullX``
field with ``checkpoint`` and ``limit`` from variables, selecting known fields with no
aliases, directives, fragments or ``__typename``. Such an operation runs the very same
``sync.replication.pull`` as the resolver (same scope, permission and masking SQL) and its
documents are written straight to JSON in the selection's order.

Anything else, and anything unusual at run time (variables that do not coerce, an error
from the pull, a value the GraphQL scalar would have to convert), returns ``None`` so that
the caller answers through the general executor, which stays the reference: the test
``tests/sync/test_fast_pull.py`` proves both give the same bytes on generated documents.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    specified_rules,
)
from graphql.execution.values import get_variable_values
from strawberry import Schema
from strawberry.schema.schema import validate_document

from domain.database import Database
from domain.principal import Principal
from schema.document_cache import DigestLRU, digest
from schema.document_checks import DocumentChecks
from sync import replication
from sync.collections import COLLECTIONS
from sync.declaration import Kind, SyncedType

_DEPTH = 3  # pullX { documents { field } }
_CACHE_SIZE = 256


@dataclass(frozen=True)
class PullPlan:
    """A recognised pull operation: what to run and which keys to write, in order."""

    collection: SyncedType
    response_key: str
    operation: OperationDefinitionNode
    arguments: dict[str, str]  # argument name -> variable name
    parts: tuple[str, ...]  # "documents" / "checkpoint", in the selection's order
    document_fields: tuple[str, ...]
    kinds: tuple[tuple[Kind, bool], ...]  # per document field: its kind, and if non-null
    checkpoint_fields: tuple[str, ...]


class NotFast(Exception):
    """This request is answered by the general executor instead."""


class _Slow:
    """Remembers that a text is not a pull the fast path answers."""


_SLOW = _Slow()


def plain(node: Any) -> FieldNode:
    if not isinstance(node, FieldNode) or node.alias is not None or node.directives:
        raise NotFast
    return node


def _names(node: FieldNode, allowed: set[str]) -> tuple[str, ...]:
    if node.arguments or node.selection_set is None:
        raise NotFast
    names = []
    for child in node.selection_set.selections:
        field = plain(child)
        if field.arguments or field.selection_set is not None:
            raise NotFast
        names.append(field.name.value)
    if len(set(names)) != len(names) or not set(names) <= allowed:
        raise NotFast
    return tuple(names)


def kinds_of(collection: SyncedType, names: tuple[str, ...]) -> tuple[tuple[Kind, bool], ...]:
    by_wire = {f.wire: (f.kind, False) for f in collection.fields}
    by_wire["id"] = (Kind.ID, True)
    by_wire["updatedAt"] = (Kind.NUMBER, True)
    by_wire["deleted"] = (Kind.BOOL, True)
    return tuple(by_wire[name] for name in names)


def _recognise(document: DocumentNode, operation_name: str | None) -> PullPlan:
    if len(document.definitions) != 1:
        raise NotFast
    operation = document.definitions[0]
    if not isinstance(operation, OperationDefinitionNode):
        raise NotFast
    name = operation.name.value if operation.name else None
    if operation.operation is not OperationType.QUERY or operation.directives:
        raise NotFast
    if operation_name is not None and operation_name != name:
        raise NotFast
    if any(v.directives for v in operation.variable_definitions or ()):
        raise NotFast
    [root] = operation.selection_set.selections or (None,)
    if len(operation.selection_set.selections) != 1:
        raise NotFast
    root = plain(root)
    by_field = {f"pull{c.prefix}": c for c in COLLECTIONS.values()}
    collection = by_field.get(root.name.value)
    if collection is None or root.selection_set is None:
        raise NotFast
    arguments = {}
    for argument in root.arguments or ():
        if not isinstance(argument.value, VariableNode):
            raise NotFast
        arguments[argument.name.value] = argument.value.name.value
    parts: list[str] = []
    document_fields: tuple[str, ...] = ()
    checkpoint_fields: tuple[str, ...] = ()
    for child in root.selection_set.selections:
        part = plain(child)
        parts.append(part.name.value)
        if part.name.value == "documents":
            wire = {"id", *(f.wire for f in collection.fields), "updatedAt", "deleted"}
            document_fields = _names(part, wire)
        elif part.name.value == "checkpoint":
            checkpoint_fields = _names(part, {"id", "updatedAt"})
        else:
            raise NotFast
    if len(set(parts)) != len(parts):
        raise NotFast
    return PullPlan(
        collection=collection,
        response_key=root.name.value,
        operation=operation,
        arguments=arguments,
        parts=tuple(parts),
        document_fields=document_fields,
        kinds=kinds_of(collection, document_fields),
        checkpoint_fields=checkpoint_fields,
    )


class FastPull:
    """Recognises pull operations (once per operation text) and answers them as JSON bytes."""

    def __init__(self, schema: Schema, checks: DocumentChecks, *, max_depth: int) -> None:
        self.schema = schema
        self.checks = checks
        self.usable = max_depth >= _DEPTH
        self.plans: DigestLRU[PullPlan | _Slow] = DigestLRU(_CACHE_SIZE)

    async def plan(self, query: str, operation_name: str | None) -> PullPlan | None:
        if not self.usable:
            return None
        key = digest(query, operation_name)
        found = self.plans.get(key)
        if found is None:
            found = await self._plan(query, operation_name)
            self.plans.put(key, found)
        return found if isinstance(found, PullPlan) else None

    async def _plan(self, query: str, operation_name: str | None) -> PullPlan | _Slow:
        prepared = await self.checks.prepared(query)
        document = prepared.document
        if document is None or prepared.refusal is not None:
            return _SLOW
        try:
            plan = _recognise(document, operation_name)
        except (NotFast, ValueError):
            return _SLOW
        graphql_schema = self.schema._schema
        if validate_document(graphql_schema, document, tuple(specified_rules)):
            return _SLOW
        return plan

    def arguments(
        self, plan: PullPlan, variables: dict[str, Any] | None
    ) -> tuple[tuple[str, float] | None, int] | None:
        """``(checkpoint, limit)`` as the resolver would receive them, or None."""
        found = get_variable_values(
            self.schema._schema, plan.operation.variable_definitions or (), variables or {}
        )
        if isinstance(found, list):
            return None
        coerced = found.coerced
        values = {arg: coerced[var] for arg, var in plan.arguments.items() if var in coerced}
        limit = values.get("limit")
        if not isinstance(limit, int) or isinstance(limit, bool):
            return None
        checkpoint = values.get("checkpoint")
        if checkpoint is None:
            return None, limit
        if not isinstance(checkpoint, dict):
            return None
        return (checkpoint["id"], checkpoint["updatedAt"]), limit

    async def answer(
        self,
        plan: PullPlan,
        db: Database,
        principal: Principal | None,
        variables: dict[str, Any] | None,
    ) -> bytes | None:
        """The response body, or None to answer through the general executor."""
        given = self.arguments(plan, variables)
        if given is None:
            return None
        checkpoint, limit = given
        try:
            page = await replication.pull(db, principal, plan.collection, checkpoint, limit)
            return render(plan, page.documents, page.checkpoint.wire())
        except Exception:
            return None  # the general executor reproduces the error in its own shape


_NONE = type(None)
_EXACT: dict[Kind, frozenset[type]] = {
    Kind.TEXT: frozenset({str, _NONE}),
    Kind.NUMBER: frozenset({float, _NONE}),
}


def _check(documents: list[dict[str, Any]], name: str, kind: Kind, required: bool) -> None:
    """``NotFast`` where GraphQL would convert a value of the field or refuse it.

    ``sync.documents`` already makes ids, dates and tag lists strings, booleans ``bool``
    and numbers ``float``; only a text field (any column type) or a non-finite number can
    still differ from what the GraphQL scalar writes, and a required field must be set.
    One pass in C per field (the types seen), not a Python test per value.
    """
    values = list(map(itemgetter(name), documents))
    seen = set(map(type, values))
    if required and _NONE in seen:
        raise NotFast
    exact = _EXACT.get(kind)
    if exact is not None and not seen <= exact:
        raise NotFast
    if kind is Kind.NUMBER and not all(map(math.isfinite, filter(_is_set, values))):
        raise NotFast


def _is_set(value: Any) -> bool:
    return value is not None


def selected(
    names: tuple[str, ...], kinds: tuple[tuple[Kind, bool], ...], documents: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The documents as GraphQL writes a selection of ``names`` from them (the pull's, the
    push's answer); ``NotFast`` where it would convert or refuse a value."""
    if not documents:
        return documents
    for name, (kind, required) in zip(names, kinds, strict=True):
        if required or kind in _EXACT:
            _check(documents, name, kind, required)
    if tuple(documents[0]) == names:
        return documents
    return [{name: document[name] for name in names} for document in documents]


def render(plan: PullPlan, documents: list[dict[str, Any]], checkpoint: tuple[str, float]) -> bytes:
    """``{"data": {"pullX": ...}}`` for the plan's selection, as strawberry would write it."""
    written = selected(plan.document_fields, plan.kinds, documents)
    if type(checkpoint[0]) is not str or not math.isfinite(checkpoint[1]):
        raise NotFast
    values = {"id": checkpoint[0], "updatedAt": checkpoint[1]}
    result: dict[str, Any] = {}
    for part in plan.parts:
        if part == "documents":
            result[part] = written
        else:
            result[part] = {name: values[name] for name in plan.checkpoint_fields}
    return orjson.dumps({"data": {plan.response_key: result}})
