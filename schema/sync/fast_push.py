"""The push's fast path: a ``pushX`` answered without graphql-core's coercion or execution.

A phone pushes up to 500 rows at a time, and the general path spends about as long coercing
them (graphql-core checks every field of every row, strawberry builds input objects, the
resolver turns them back into dicts) and writing the answer field by field as the push spends
merging and writing them. The RxDB client sends one operation text per collection, so each
text is recognised once, like the pull's (``schema.sync.fast_pull``): parsed, checked and
validated against the real schema, and accepted only when it is exactly one ``pushX`` field
whose rows come from a variable, selecting known document fields with no aliases,
directives, fragments or ``__typename``.

Such an operation runs the very same ``sync.push.push`` as the resolver, in the same kind of
transaction, and then the same notices (``schema.sync.operations.after_push``). The rows
are read from the JSON the request decoded (``schema.sync.push_input``) and the answer is
written with orjson before the transaction commits, so that anything unusual (a value that
would need coercion, a value GraphQL would write differently, an error from the push)
rolls the transaction back and the general path answers instead, with its own error.
``tests/sync/test_push_fast_path.py`` proves that both answer the same bytes and leave the
same database behind.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import DocumentNode, OperationDefinitionNode, OperationType, VariableNode
from graphql import specified_rules as graphql_rules
from strawberry import Schema
from strawberry.schema.schema import validate_document

from domain.database import Database
from domain.personal_data import PersonalDataCipher
from domain.principal import Principal
from schema.context import SchemaConfig
from schema.document_cache import DigestLRU, digest
from schema.document_checks import DocumentChecks
from schema.events import EventBus
from schema.sync.fast_pull import NotFast, kinds_of, plain, selected
from schema.sync.operations import after_push
from schema.sync.push_input import InputReader
from sync.collections import COLLECTIONS
from sync.declaration import Actor, Kind, SyncedType
from sync.push import MAX_BATCH, push

_DEPTH = 2  # pushX { field }
_CACHE_SIZE = 64
log = logging.getLogger("changlang.sync")


@dataclass(frozen=True)
class PushPlan:
    """A recognised push operation: the collection, the rows' variable, the answer's keys."""

    collection: SyncedType
    response_key: str
    variable: str
    fields: tuple[str, ...]
    kinds: tuple[tuple[Kind, bool], ...]
    reader: InputReader


class _Slow:
    """Remembers that a text is not a push the fast path answers."""


_SLOW = _Slow()
_READERS = {name: InputReader(c) for name, c in COLLECTIONS.items() if c.pushable}
_ROOT_NAMES = tuple(f"push{c.prefix}" for c in COLLECTIONS.values() if c.pushable)


def _operation(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode:
    if len(document.definitions) != 1:
        raise NotFast
    operation = document.definitions[0]
    if not isinstance(operation, OperationDefinitionNode):
        raise NotFast
    if operation.operation is not OperationType.MUTATION or operation.directives:
        raise NotFast
    name = operation.name.value if operation.name else None
    if operation_name is not None and operation_name != name:
        raise NotFast
    for variable in operation.variable_definitions or ():
        if variable.directives or variable.default_value is not None:
            raise NotFast
    return operation


def _recognise(document: DocumentNode, operation_name: str | None) -> PushPlan:
    operation = _operation(document, operation_name)
    if len(operation.selection_set.selections) != 1:
        raise NotFast
    root = plain(operation.selection_set.selections[0])
    by_field = {f"push{c.prefix}": c for c in COLLECTIONS.values() if c.pushable}
    collection = by_field.get(root.name.value)
    arguments = root.arguments or ()
    if collection is None or root.selection_set is None or len(arguments) != 1:
        raise NotFast
    argument = arguments[0]
    if argument.name.value != f"{collection.name}PushRow":
        raise NotFast
    if not isinstance(argument.value, VariableNode):
        raise NotFast
    names = []
    for child in root.selection_set.selections:
        field = plain(child)
        if field.arguments or field.selection_set is not None:
            raise NotFast
        names.append(field.name.value)
    wire = {"id", *(f.wire for f in collection.fields), "updatedAt", "deleted"}
    if len(set(names)) != len(names) or not set(names) <= wire:
        raise NotFast
    return PushPlan(
        collection=collection,
        response_key=root.name.value,
        variable=argument.value.name.value,
        fields=tuple(names),
        kinds=kinds_of(collection, tuple(names)),
        reader=_READERS[collection.name],
    )


class FastPush:
    """Recognises push operations (once per operation text) and answers them as JSON bytes."""

    def __init__(
        self,
        schema: Schema,
        checks: DocumentChecks,
        *,
        max_depth: int,
        cipher: PersonalDataCipher,
        config: SchemaConfig,
        events: Callable[[], EventBus],
        timeout_seconds: float = 0,
    ) -> None:
        self.schema = schema
        self.timeout_seconds = timeout_seconds
        self.checks = checks
        self.usable = max_depth >= _DEPTH
        self.cipher, self.config, self.events = cipher, config, events
        self.plans: DigestLRU[PushPlan | _Slow] = DigestLRU(_CACHE_SIZE)

    async def plan(self, query: str, operation_name: str | None) -> PushPlan | None:
        """The plan of a push text; a text that does not name a ``pushX`` field (GraphQL
        names are never escaped or split) is not even parsed."""
        if not self.usable or not any(name in query for name in _ROOT_NAMES):
            return None
        key = digest(query, operation_name)
        found = self.plans.get(key)
        if found is None:
            found = await self._plan(query, operation_name)
            self.plans.put(key, found)
        return found if isinstance(found, PushPlan) else None

    async def _plan(self, query: str, operation_name: str | None) -> PushPlan | _Slow:
        prepared = await self.checks.prepared(query)
        document = prepared.document
        if document is None or prepared.refusal is not None:
            return _SLOW
        try:
            plan = _recognise(document, operation_name)
        except (NotFast, ValueError):
            return _SLOW
        if validate_document(self.schema._schema, document, tuple(graphql_rules)):
            return _SLOW
        return plan

    async def answer(
        self,
        plan: PushPlan,
        db: Database,
        principal: Principal | None,
        variables: dict[str, Any] | None,
        *,
        device_time_ms: float | None,
    ) -> bytes | None:
        """The response body, or None to answer through the general executor (nothing of
        this attempt is then kept: the body is written before the commit)."""
        if principal is None:
            return None
        try:
            rows = plan.reader.rows((variables or {}).get(plan.variable))
        except NotFast:
            return None
        if len(rows) > MAX_BATCH:
            return None
        actor = Actor(
            principal,
            self.cipher,
            device_time_ms=device_time_ms,
            max_clock_skew=self.config.max_device_clock_skew,
        )
        try:
            async with asyncio.timeout(self.timeout_seconds or None), db.transaction() as session:
                pushed = await push(
                    session,
                    actor,
                    plan.collection,
                    rows,
                    refused_per_device=self.config.refused_per_device,
                )
                answers = selected(plan.fields, plan.kinds, pushed.answers)
                body = orjson.dumps({"data": {plan.response_key: answers}})
        except Exception:  # a timeout included: the general path runs under its own budget
            return None  # rolled back: the general executor reproduces the error its way
        try:
            await after_push(self.events(), principal, plan.collection, pushed)
        except Exception:  # committed: the answer stands (streams also poll, slowly)
            log.exception("announcing a push failed")
        return body
