"""The GraphQL edge: types, queries, mutations, the typed Context, loaders and error unions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import strawberry
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.schema.config import StrawberryConfig

from schema.error_policy import ErrorPolicy, PolicySchema
from schema.mutations import Mutation
from schema.queries import Query
from schema.subscriptions import Subscription
from schema.valid_text import SCALARS, ValidTextVariables


@dataclass(frozen=True)
class SchemaLimits:
    max_depth: int = 10
    max_tokens: int = 2_000
    max_aliases: int = 30
    introspection: bool = True
    field_suggestions: bool = True


def build_schema(limits: SchemaLimits | None = None) -> strawberry.Schema:
    limits = limits or SchemaLimits()
    extensions: list[Any] = [
        ErrorPolicy,
        ValidTextVariables,
        lambda: QueryDepthLimiter(max_depth=limits.max_depth),
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        lambda: MaxAliasesLimiter(max_alias_count=limits.max_aliases),
    ]
    if not limits.introspection:
        extensions.append(DisableIntrospection)
    return PolicySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(
            disable_field_suggestions=not limits.field_suggestions, scalar_map=SCALARS
        ),
    )


schema = build_schema()
