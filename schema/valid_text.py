"""Variables holding text that is not Unicode are refused before anything runs.

A lone surrogate (``"\\ud800"``, half of an emoji) decodes from JSON into a Python ``str``
that no database, password hash or JSON encoder takes (``domain.valid_text``). graphql-core
lets it through every scalar, and graphql-core 3.3 forbids redefining ``String``, so the
check is a validation rule made for the request's variables: ``INVALID_INPUT`` on the
argument that uses the variable (or on the variable's path), in the reader's language, for
every operation at once (``login``'s password, a refresh token, a ``JSON`` value) and over
HTTP and the WebSocket alike. A literal in the query text never gets this far: the lexer
refuses it as a syntax error.

A pushed row is the exception: one bad row must not refuse its whole batch (the phone would
send the batch again forever), so the text fields of the sync inputs (``XInput``) are
``PushedText``, which this rule lets through; the push refuses just that row, with a notice
(``sync.push``). Only the input type names bind on the wire: the RxDB client never names a
field's scalar.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NewType

import strawberry
from graphql import (
    ArgumentNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLString,
    OperationDefinitionNode,
    ValidationRule,
    VariableDefinitionNode,
    VariableNode,
)
from graphql.utilities import type_from_ast
from strawberry.extensions import SchemaExtension
from strawberry.types.scalar import ScalarDefinition

from domain.valid_text import (
    Path,
    all_unicode,
    dotted,
    escaped,
    first_invalid,
    is_unicode,
    not_unicode,
)

PUSHED_TEXT = "PushedText"

PushedText = NewType("PushedText", str)

PUSHED_TEXT_SCALAR = strawberry.scalar(
    name=PUSHED_TEXT,
    description=(
        "Text in a pushed row, taken as the phone sent it: a row whose text is not valid "
        "Unicode (a lone surrogate) is refused on its own (INVALID_INPUT on that field, and "
        "a device notice), never the whole push."
    ),
    serialize=str,
    parse_value=lambda value: str(GraphQLString.parse_value(value)),
)
SCALARS: dict[object, ScalarDefinition] = {PushedText: PUSHED_TEXT_SCALAR}
"""For ``StrawberryConfig.scalar_map``."""


def _bad_path(value: Any, type_: Any, path: Path) -> Path | None:
    """Where ``value`` (a variable, as sent) holds text that is not Unicode outside
    ``PushedText``; None when it holds none."""
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if isinstance(value, str):
        allowed = isinstance(type_, GraphQLScalarType) and type_.name == PUSHED_TEXT
        return None if allowed or is_unicode(value) else path
    if isinstance(type_, GraphQLList) and isinstance(value, list):
        for index, item in enumerate(value):
            if (found := _bad_path(item, type_.of_type, [*path, index])) is not None:
                return found
        return None
    if isinstance(type_, GraphQLList):
        return _bad_path(value, type_.of_type, path)  # one value where a list is expected
    if isinstance(type_, GraphQLInputObjectType) and isinstance(value, dict):
        for key, item in value.items():
            if not is_unicode(key):
                return [*path, escaped(key)]
            field = type_.fields.get(key)
            if (found := _bad_path(item, field.type if field else None, [*path, key])) is not None:
                return found
        return None
    found = first_invalid(value)  # a JSON value, or a field no type declares
    return None if found is None else [*path, *found]


def _rule(variables: dict[str, Any]) -> type[ValidationRule]:
    class ValidVariableText(ValidationRule):
        """Report each variable holding text that is not Unicode, once, where it is used."""

        per_request = True
        """Made for one request's variables: run each time, never cached with the document
        (``schema.document_checks``)."""

        def __init__(self, context: Any) -> None:
            super().__init__(context)
            self.bad: dict[str, tuple[VariableDefinitionNode, Path]] = {}

        def enter_variable_definition(self, node: VariableDefinitionNode, *_: Any) -> None:
            name = node.variable.name.value
            type_ = type_from_ast(self.context.schema, node.type)
            if name in variables and type_ is not None:
                path = _bad_path(variables[name], type_, [])
                if path is not None:
                    self.bad[name] = (node, path)

        def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
            if isinstance(node.value, VariableNode) and node.value.name.value in self.bad:
                path = self.bad.pop(node.value.name.value)[1]
                self._report(node, [node.name.value, *path])

        def leave_operation_definition(self, _node: OperationDefinitionNode, *_: Any) -> None:
            for name, (definition, path) in self.bad.items():
                self._report(definition, [name, *path])
            self.bad.clear()

        def _report(self, node: Any, path: Path) -> None:
            error = not_unicode(dotted(path))
            extensions = {"code": error.code, "field": error.field}
            # str(): in the reader's language, for the socket's pre-execution errors, which
            # no extension shapes (over HTTP the error policy renders it again)
            self.report_error(
                GraphQLError(str(error), node, original_error=error, extensions=extensions)
            )

    return ValidVariableText


class ValidTextVariables(SchemaExtension):
    """Adds the rule to an operation whose variables hold text that is not Unicode."""

    def on_operation(self) -> Iterator[None]:
        variables = self.execution_context.variables
        if variables and not all_unicode(variables):
            self.execution_context.validation_rules = (
                *self.execution_context.validation_rules,
                _rule(variables),
            )
        yield
