"""What a compiled statement is built from: the request's principal, arguments and aliases.

Every nested object is a correlated subquery over fresh aliases of its tables, so the
permission and masking predicates of ``domain.permissions`` (written against the mapped
tables) are adapted onto those aliases: the very same rules, never a second copy of them.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import FieldNode, FragmentDefinitionNode, GraphQLObjectType, GraphQLSchema
from graphql.execution.values import get_argument_values
from sqlalchemy import ColumnElement, FromClause, Table
from sqlalchemy.sql.util import ClauseAdapter

from domain.models import Base
from domain.principal import Principal
from schema.compiled.selection import Declined, Picked, picked


@dataclass
class Build:
    """One request's statement under construction."""

    schema: GraphQLSchema
    principal: Principal
    variables: Any  # graphql-core's coerced ``VariableValues``
    fragments: Mapping[str, FragmentDefinitionNode]
    max_page_size: int
    cacheable: bool = True
    """False once the statement holds values read from the database (a grid's subtree),
    which a later request must read again."""
    _names: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def alias(self, model: type[Base]) -> FromClause:
        table = model.__table__
        assert isinstance(table, Table)
        return _alias(table, f"{table.name[:2]}{next(self._names)}")

    def fields(self, node: FieldNode, *type_names: str) -> list[Picked]:
        return picked(node.selection_set, frozenset(type_names), self.fragments)

    def arguments(self, parent: str, entry: Picked) -> dict[str, Any]:
        kind = self.schema.get_type(parent)
        if not isinstance(kind, GraphQLObjectType) or entry.name not in kind.fields:
            raise Declined
        try:
            return get_argument_values(kind.fields[entry.name], entry.node, self.variables)
        except Exception as exc:  # a value that does not coerce: the general path says so
            raise Declined from exc


@functools.cache
def _alias(table: Table, name: str) -> FromClause:
    """One alias object per name: the same plan names its aliases alike on every request,
    and an alias works out its column collection once, not per request."""
    return table.alias(name)


def adapt(expression: ColumnElement[Any], *froms: FromClause) -> ColumnElement[Any]:
    """``expression`` (over the mapped tables) rewritten onto the aliases ``froms``."""
    adapted = expression
    for target in froms:
        if not isinstance(target, Table):
            adapted = ClauseAdapter(target).traverse(adapted)
    return adapted
