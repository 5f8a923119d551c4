"""Parse, bound and validate each query text once, off the event loop.

A document is prepared once per text (``schema.document_cache``): parsed with the token
limit, collapsed and measured (``schema.selection_bounds``), then validated against the
schema's rules, all in a worker thread, so that a new text, however hostile, never holds the
event loop (``/healthz`` and every other request keep being answered). graphql-core's parser
and validator only read the schema and build their own state, so they are safe in a thread;
the cache itself is touched from the event loop only. The next request with the same text
finds the collapsed document and its validation errors ready, and only the estimated cost
(``schema.query_cost``), which depends on the variables, is worked out again.

``DocumentGate`` is the schema extension that does this in place of strawberry's own parse
and validation steps; the sync fast path (``schema.sync.fast_pull``) shares the parsed
documents.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    parse,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from schema.document_cache import DigestLRU, digest
from schema.query_cost import CostRules, too_costly
from schema.selection_bounds import SelectionLimits, collapse, too_complex

CACHE_SIZE = 64
CACHED_TEXT = 20_000
"""Longer texts are prepared again each time (in the worker): a parsed document keeps its
text and every token (about 420 KB for 2,000 tokens), so the cache stays under 30 MB."""
WORKERS = 1  # under the GIL more threads add no speed, only more waits for the event loop


@dataclass
class Prepared:
    """A parsed, collapsed document (None if the text does not parse), the error that stops
    it before validation (its syntax error, or too much to validate), and its validation
    errors once a request has asked."""

    document: DocumentNode | None
    refusal: GraphQLError | None
    errors: tuple[GraphQLError, ...] | None = None


@functools.cache
def _worker() -> ThreadPoolExecutor:
    """One small pool per process, shared by every schema (tests build many)."""
    return ThreadPoolExecutor(WORKERS, thread_name_prefix="graphql-checks")


class DocumentChecks:
    def __init__(
        self,
        limits: SelectionLimits,
        cost: CostRules,
        max_tokens: int,
        cache_size: int = CACHE_SIZE,
    ) -> None:
        self.limits = limits
        self.cost = cost
        self.max_tokens = max_tokens
        self.cache: DigestLRU[Prepared] = DigestLRU(cache_size)

    async def prepared(self, query: str) -> Prepared:
        """What ``query`` is, worked out once per text (a syntax error each time: it holds
        its whole text)."""
        key = digest(query)
        found = self.cache.get(key)
        if found is None:
            loop = asyncio.get_running_loop()
            found = await loop.run_in_executor(_worker(), self._prepare, query)
            if found.document is not None and len(query) <= CACHED_TEXT:
                self.cache.put(key, found)
        return found

    def _prepare(self, query: str) -> Prepared:
        try:
            document = collapse(parse(query, max_tokens=self.max_tokens))
        except GraphQLError as error:
            return Prepared(None, error)
        return Prepared(document, too_complex(document, self.limits))

    async def validated(
        self,
        schema: GraphQLSchema,
        prepared: Prepared,
        rules: Sequence[type[ASTValidationRule]],
    ) -> tuple[GraphQLError, ...]:
        """The validation errors of ``prepared`` under the schema's rules, worked out once.

        The rules are the same for every request of one schema (strawberry's limiter
        extensions make new but equal rule classes per request), so the text decides.
        """
        if prepared.errors is None:
            if prepared.refusal is not None or prepared.document is None:
                prepared.errors = (prepared.refusal,) if prepared.refusal else ()
            else:
                loop = asyncio.get_running_loop()
                found = await loop.run_in_executor(
                    _worker(), validate_document, schema, prepared.document, tuple(rules)
                )
                prepared.errors = tuple(found)
        return prepared.errors


def _placeholder(operation_name: str | None) -> DocumentNode:
    """Stands in for a text that does not parse, so that strawberry, finding a document,
    does not parse the text again on the event loop; its syntax error is then reported by
    the validation step, as strawberry reports it (code GRAPHQL_VALIDATION_FAILED)."""
    name = NameNode(value=operation_name) if operation_name is not None else None
    operation = OperationDefinitionNode(
        operation=OperationType.QUERY,
        name=name,
        selection_set=SelectionSetNode(selections=(FieldNode(name=NameNode(value="__typename")),)),
    )
    return DocumentNode(definitions=(operation,))


class DocumentGate(SchemaExtension):
    """Strawberry's parse and validate steps, through ``DocumentChecks``, then the cost."""

    def __init__(self, checks: DocumentChecks) -> None:
        super().__init__()
        self.checks = checks
        self.prepared: Prepared | None = None

    async def on_parse(self) -> AsyncIterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            self.prepared = await self.checks.prepared(context.query)
            document = self.prepared.document
            context.graphql_document = document or _placeholder(context.operation_name)
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        if self.prepared is not None:
            schema = context.schema._schema
            shared = [r for r in context.validation_rules if not getattr(r, "per_request", False)]
            errors = await self.checks.validated(schema, self.prepared, shared)
            own = [r for r in context.validation_rules if getattr(r, "per_request", False)]
            if not errors and own and self.prepared.document is not None:
                # rules made for this request's variables (``schema.valid_text``): not cached
                errors = tuple(validate_document(schema, self.prepared.document, tuple(own)))
            if not errors and self.prepared.document is not None:
                costly = too_costly(
                    schema,
                    self.prepared.document,
                    self.checks.cost,
                    context.operation_name,
                    context.variables,
                )
                errors = (costly,) if costly is not None else ()
            context.pre_execution_errors = list(errors)
        yield
