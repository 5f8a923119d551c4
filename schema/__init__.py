"""The GraphQL edge: types, queries, mutations, the typed Context, loaders and error unions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.schema.config import StrawberryConfig

from schema.document_checks import DocumentChecks, DocumentGate
from schema.error_policy import ErrorPolicy
from schema.mutations import Mutation
from schema.operation_timeout import TimedSchema
from schema.pagination import DEFAULT_PAGE_SIZE
from schema.queries import Query
from schema.query_cost import CostRules
from schema.selection_bounds import SelectionLimits
from schema.subscriptions import Subscription
from schema.valid_text import SCALARS, ValidTextVariables
from sync.replication import MAX_LIMIT


@dataclass(frozen=True)
class SchemaLimits:
    max_depth: int = 10
    max_tokens: int = 2_000
    max_aliases: int = 30
    introspection: bool = True
    field_suggestions: bool = True
    max_cost: int = 50_000
    max_page_size: int = 100
    operation_timeout_seconds: float = 10
    selections: SelectionLimits = field(default_factory=SelectionLimits)


class ChanglangSchema(TimedSchema):
    """The schema, with the document checks its requests share (``schema.document_checks``)."""

    checks: DocumentChecks


def build_schema(limits: SchemaLimits | None = None) -> ChanglangSchema:
    limits = limits or SchemaLimits()
    checks = DocumentChecks(
        limits.selections,
        CostRules(
            limit=limits.max_cost,
            sizes={
                "first": (DEFAULT_PAGE_SIZE, limits.max_page_size),
                "last": (DEFAULT_PAGE_SIZE, limits.max_page_size),
                "limit": (MAX_LIMIT, MAX_LIMIT),
            },
        ),
        max_tokens=limits.max_tokens,
    )
    extensions: list[Any] = [
        ErrorPolicy,
        ValidTextVariables,
        lambda: QueryDepthLimiter(max_depth=limits.max_depth),
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        lambda: MaxAliasesLimiter(max_alias_count=limits.max_aliases),
    ]
    if not limits.introspection:
        extensions.append(DisableIntrospection)
    extensions.append(lambda: DocumentGate(checks))
    built = ChanglangSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(
            disable_field_suggestions=not limits.field_suggestions, scalar_map=SCALARS
        ),
    )
    built.checks = checks
    built.timeout_seconds = limits.operation_timeout_seconds
    return built


schema = build_schema()
