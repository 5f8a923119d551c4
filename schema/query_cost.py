"""An operation's estimated cost, known before it runs: about how many values it may return.

Every field counts once per value it may produce. A field with a page-size argument
(``first``/``last`` of a connection, ``limit`` of a sync pull) multiplies what is under it by
that size (a literal or a variable's value, clamped to what the resolver accepts; a missing
``first`` is the default page); the list it pages (``edges``, ``documents``) is not counted
again. Any other list of objects multiplies by ``LIST_SIZE``; a list of scalars (tags) is
one value. Fragments count where they are spread,
``@skip``/``@include`` are ignored (an upper bound), and introspection is free (it is off in
production, and GraphiQL needs it). Thirty aliases of ``households(first: 100)`` with five
nested connections estimate in the billions and are refused before a single row is read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
)
from graphql.utilities import get_operation_ast, value_from_ast_untyped

from domain.i18n import N_, render

TOO_COSTLY = N_("the operation's estimated cost {cost} exceeds the limit {limit}")
CODE = "QUERY_TOO_COSTLY"
LIST_SIZE = 20  # schema.pagination.DEFAULT_PAGE_SIZE: a list without paging is one page


@dataclass(frozen=True)
class CostRules:
    limit: int
    sizes: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    """Page-size argument name -> (its default when absent, the largest value accepted)."""


class _Estimate:
    def __init__(
        self,
        schema: GraphQLSchema,
        rules: CostRules,
        fragments: dict[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.rules = rules
        self.fragments = fragments
        self.variables = variables
        self.memo: dict[tuple[str, bool], int] = {}

    def selection_set(self, node: SelectionSetNode, parent: GraphQLNamedType, paged: bool) -> int:
        total = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, paged)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                kind = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection_set(selection.selection_set, kind or parent, paged)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value, paged)
        return total

    def fragment(self, name: str, paged: bool) -> int:
        key = (name, paged)
        if key not in self.memo:
            self.memo[key] = 0  # a cycle (refused by validation) counts nothing
            fragment = self.fragments.get(name)
            kind = self.schema.get_type(fragment.type_condition.name.value) if fragment else None
            if fragment is not None and kind is not None:
                self.memo[key] = self.selection_set(fragment.selection_set, kind, paged)
        return self.memo[key]

    def field(self, node: FieldNode, parent: GraphQLNamedType, paged: bool) -> int:
        name = node.name.value
        fields = getattr(parent, "fields", None)
        if name.startswith("__") or not fields or name not in fields:
            return 1
        definition = fields[name]
        factor, pages = 1, False
        for argument, (default, largest) in self.rules.sizes.items():
            if argument in definition.args:
                factor, pages = self.size(node, argument, default, largest), True
                break
        else:
            nullable = get_nullable_type(definition.type)
            if is_list_type(nullable) and node.selection_set is not None and not paged:
                factor = LIST_SIZE
        below = 0
        if node.selection_set is not None:
            kind = get_named_type(definition.type)
            below = self.selection_set(node.selection_set, kind, pages)
        return factor * (1 + below)

    def size(self, node: FieldNode, argument: str, default: int, largest: int) -> int:
        value: Any = None
        for given in node.arguments or ():
            if given.name.value != argument:
                continue
            if isinstance(given.value, VariableNode):
                value = self.variables.get(given.value.name.value)
            elif isinstance(given.value, IntValueNode):
                value = int(given.value.value)
        if not isinstance(value, int) or isinstance(value, bool):
            value = default
        return max(0, min(value, largest))


def _variables(
    operation: OperationDefinitionNode, given: Mapping[str, Any] | None
) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        if definition.default_value is not None:
            found[definition.variable.name.value] = value_from_ast_untyped(definition.default_value)
    found.update(given or {})
    return found


def estimate(
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: CostRules,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
) -> int:
    """The cost of the operation that would run (0 when none would: execution says why)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    found = _Estimate(schema, rules, fragments, _variables(operation, variables))
    return found.selection_set(operation.selection_set, root, False)


def too_costly(
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: CostRules,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> GraphQLError | None:
    """The refusal of an operation estimated over ``rules.limit`` (in English: the error
    policy renders it in the reader's language), or None."""
    cost = estimate(schema, document, rules, operation_name, variables)
    if cost <= rules.limit:
        return None
    params = {"cost": cost, "limit": rules.limit}
    return GraphQLError(render(TOO_COSTLY, params, "en"), extensions={"code": CODE, **params})
