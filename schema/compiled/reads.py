"""``CompiledReads``: which operations the compiled path takes, and their answers as bytes.

An operation text is recognised once and remembered by its digest: parsed and bounded by the
general path's own checks (``schema.document_checks``), validated, and accepted when it is a
query whose root fields are all in ``schema.compiled.roots``. The limits the general path
enforces per request (estimated cost with these variables, text that is not Unicode) are
checked again per request; near the depth and alias limits the general path decides.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    specified_rules,
)
from graphql.execution.values import get_variable_values
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import Schema

from domain.database import Database
from domain.json_sql import as_text
from domain.principal import Principal
from domain.valid_text import all_unicode
from schema.compiled.build import Build
from schema.compiled.roots import ROOTS
from schema.compiled.selection import Declined, Picked, picked
from schema.document_cache import DigestLRU, digest
from schema.document_checks import DocumentChecks
from schema.query_cost import too_costly

_CACHE_SIZE = 256


@dataclass(frozen=True)
class ReadPlan:
    key: bytes
    operation: OperationDefinitionNode
    document: DocumentNode
    fragments: dict[str, FragmentDefinitionNode]
    roots: tuple[Picked, ...]


class _Slow:
    """Remembers that a text is answered by the general executor."""


_SLOW = _Slow()


def _depth(selection_set: SelectionSetNode | None, fragments: dict[str, Any], seen: int) -> int:
    if selection_set is None or seen > 64:
        return 0
    deepest = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            deepest = max(deepest, 1 + _depth(selection.selection_set, fragments, seen + 1))
        elif isinstance(selection, InlineFragmentNode):
            deepest = max(deepest, _depth(selection.selection_set, fragments, seen + 1))
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                deepest = max(deepest, _depth(fragment.selection_set, fragments, seen + 1))
    return deepest


def _aliases(document: DocumentNode) -> int:
    count = 0
    stack: list[Any] = list(document.definitions)
    while stack:
        node = stack.pop()
        if isinstance(node, FieldNode) and node.alias is not None:
            count += 1
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)
    return count


class CompiledReads:
    """Plans (once per text) and answers registry queries; counts what it answered."""

    def __init__(
        self,
        schema: Schema,
        checks: DocumentChecks,
        *,
        max_depth: int,
        max_aliases: int,
        max_page_size: int,
        timeout_seconds: float = 0,
    ) -> None:
        self.schema = schema
        self.checks = checks
        self.max_depth = max_depth
        self.max_aliases = max_aliases
        self.max_page_size = max_page_size
        self.timeout_seconds = timeout_seconds
        self.plans: DigestLRU[ReadPlan | _Slow] = DigestLRU(_CACHE_SIZE)
        self.statements: DigestLRU[list[Statement]] = DigestLRU(_CACHE_SIZE)
        self.answered = 0
        self.declined = 0

    async def plan(self, query: str, operation_name: str | None) -> ReadPlan | None:
        key = digest(query, operation_name)
        found = self.plans.get(key)
        if found is None:
            found = await self._plan(query, operation_name)
            self.plans.put(key, found)
        if isinstance(found, ReadPlan):
            return found
        self.declined += 1
        return None

    async def _plan(self, query: str, operation_name: str | None) -> ReadPlan | _Slow:
        prepared = await self.checks.prepared(query)
        document = prepared.document
        if document is None or prepared.refusal is not None:
            return _SLOW
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        if len(operations) != 1 or len(operations) + len(fragments) != len(document.definitions):
            return _SLOW
        [operation] = operations
        name = operation.name.value if operation.name else None
        if operation.operation is not OperationType.QUERY or operation.directives:
            return _SLOW
        if operation_name is not None and operation_name != name:
            return _SLOW
        if any(v.directives for v in operation.variable_definitions or ()):
            return _SLOW
        if _depth(operation.selection_set, fragments, 0) >= self.max_depth:
            return _SLOW
        if _aliases(document) >= self.max_aliases:
            return _SLOW
        try:
            roots = picked(operation.selection_set, frozenset({"Query"}), fragments)
        except Declined:
            return _SLOW
        if all(r.name == "__typename" for r in roots):
            return _SLOW  # nothing to read
        if any(r.name not in ROOTS and r.name != "__typename" for r in roots):
            return _SLOW  # introspection among them: the general path's rules decide
        # validated in the worker, shared with the general path: with no introspection field
        # at the root (checked above) and the depth and alias checks stricter than its
        # limiters, the errors its rules find are the ones the specified rules find. Checked
        # in this order: a text validated here first must not carry our verdict to a rule
        # of the general path (introspection off in production) that would refuse it.
        if await self.checks.validated(self.schema._schema, prepared, tuple(specified_rules)):
            return _SLOW
        return ReadPlan(digest(query, operation_name), operation, document, fragments, tuple(roots))

    async def answer(
        self,
        plan: ReadPlan,
        db: Database,
        principal: Principal | None,
        variables: dict[str, Any] | None,
    ) -> bytes | None:
        """The response body, or None to answer through the general executor."""
        try:
            async with asyncio.timeout(self.timeout_seconds or None):
                body = await self._answer(plan, db, principal, variables)
        except TimeoutError:
            body = None  # the general executor runs it under its own budget, and says so
        if body is None:
            self.declined += 1
        else:
            self.answered += 1
        return body

    async def _answer(
        self,
        plan: ReadPlan,
        db: Database,
        principal: Principal | None,
        variables: dict[str, Any] | None,
    ) -> bytes | None:
        if principal is None or (variables and not all_unicode(variables)):
            return None
        graphql_schema = self.schema._schema
        name = plan.operation.name.value if plan.operation.name else None
        if too_costly(graphql_schema, plan.document, self.checks.cost, name, variables):
            return None
        coerced = get_variable_values(
            graphql_schema, plan.operation.variable_definitions or (), variables or {}
        )
        if isinstance(coerced, list):
            return None
        key = digest(plan.key.hex(), _asker(principal), orjson.dumps(variables or {}).decode())
        parts: list[bytes] = []
        try:
            # a Core connection: the statements need no unit of work (a session only where
            # a filter asks a service to read, on the same connection and transaction)
            async with db.read_connection() as connection:
                statements = self.statements.get(key)
                if statements is None:
                    build = Build(
                        graphql_schema, principal, coerced, plan.fragments, self.max_page_size
                    )
                    session = AsyncSession(bind=connection, expire_on_commit=False)
                    statements = [await _statement(build, entry, session) for entry in plan.roots]
                    if build.cacheable:
                        self.statements.put(key, statements)
                for response_key, statement, must_exist in statements:
                    value: str | None = (
                        '"Query"' if statement is None else await connection.scalar(statement)
                    )
                    if value is None and must_exist:
                        return None
                    parts.append(response_key + b":" + (value or "null").encode())
        except Declined:
            return None
        except OperationalError as exc:
            if _too_complex(exc):
                return None  # a nesting the engine cannot parse: the executor reads it by parts
            raise
        return b'{"data":{' + b",".join(parts) + b"}}"


_TOO_COMPLEX = ("parser stack overflow", "expression tree is too large", "too many")


def _too_complex(exc: OperationalError) -> bool:
    """The engine refused the statement for its size or nesting, not for its meaning:
    SQLite's parser stack (about 100 levels: a selection seven objects deep) and limits,
    PostgreSQL's program limits (SQLSTATE class 54, such as its stack depth)."""
    state = getattr(exc.orig, "sqlstate", None)
    if state is not None:
        return str(state).startswith("54")
    return any(words in str(exc.orig).lower() for words in _TOO_COMPLEX)


Statement = tuple[bytes, Any, bool]
"""A root field's response key (JSON), its statement (None: ``__typename``), and whether a
missing row declines."""


async def _statement(build: Build, entry: Picked, session: Any) -> Statement:
    key = orjson.dumps(entry.key)
    if entry.name == "__typename":
        return key, None, False
    builder, must_exist = ROOTS[entry.name]
    return key, select(as_text(await builder(build, entry, session))), must_exist


def _asker(principal: Principal) -> str:
    """What of the principal a statement depends on (its predicates take these values)."""
    covered = ",".join(sorted(str(grid) for grid in principal.covered_grid_ids))
    return "|".join(
        str(part)
        for part in (
            principal.account_id,
            principal.community_id,
            principal.kind,
            principal.resident_id,
            principal.household_id,
            principal.device_id,
            principal.display_name,
            covered,
        )
    )
