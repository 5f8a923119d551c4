"""What clients learn from a failed operation, in the reader's language.

Expected failures (``DomainError``) keep their stable ``code`` and are rendered from their
template in the request's language (``Context.language``). Our own limits (depth, tokens,
aliases) are translated too; other validation messages come from graphql-core in English, for
the developers who write queries. Anything else is a bug: the client gets only a request id
(in the reader's language), and the log gets the traceback under that id.

Logging follows the same line. A refusal (FORBIDDEN, NOT_FOUND, INVALID_INPUT, a council
rule: every ``DomainError``) and an invalid document are the system working as designed:
one ``info`` line with the code, no traceback. Only an unexpected exception is an ``error``
with its traceback. Strawberry's own logger would report every one of them as an error with
a traceback, so ``PolicySchema`` replaces its ``process_errors``.

A log line names things and never quotes values: the code, the operation's name, the path,
the variables' names, a refusal's template. graphql-core's messages quote the query text and
the values (a password written in a literal, an ID number beside a phone sent as a number in
an input that failed to coerce); the client still gets those messages, the log does not.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import (
    GraphQLError,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    VariableDefinitionNode,
)
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from domain.errors import DomainError, InvalidInput
from domain.i18n import N_, reader_language, render
from domain.valid_text import escaped
from schema.query_cost import TOO_COSTLY
from schema.selection_bounds import TOO_MANY_OVERLAPS, TOO_MANY_SELECTIONS

log = logging.getLogger("changlang.errors")
NAME_MAX = 100


def _numbers(template: str) -> re.Pattern[str]:
    """A pattern matching ``template`` rendered in English with whole numbers."""
    return re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>\\d+)", re.escape(template)))


LIMITS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"'(?P<operation>[^']*)' exceeds maximum operation depth of (?P<limit>\d+)"),
        N_("'{operation}' exceeds maximum operation depth of {limit}"),
    ),
    (
        re.compile(r"(?P<found>\d+) aliases found\. Allowed: (?P<limit>\d+)"),
        N_("{found} aliases found. Allowed: {limit}"),
    ),
    (
        re.compile(r"Document contains more than (?P<limit>\d+) tokens"),
        N_("Syntax Error: Document contains more than {limit} tokens. Parsing aborted."),
    ),
    *((_numbers(t), t) for t in (TOO_MANY_SELECTIONS, TOO_MANY_OVERLAPS, TOO_COSTLY)),
)


def limit_message(message: str, language: str) -> str | None:
    """One of our query limits' messages in ``language``; None for any other message."""
    for pattern, template in LIMITS:
        found = pattern.search(message)
        if found is not None:
            return render(template, found.groupdict(), language)
    return None


def _where(path: Sequence[Any] | None) -> str:
    return ".".join(str(p) for p in path or ()) or "-"


def reason(error: DomainError) -> str:
    """What a log may say of a refusal: its template, never its values (``{field}: ...``
    names the input; a parameter stays a ``{name}``)."""
    if isinstance(error, InvalidInput):
        return f"{escaped(error.field)[:NAME_MAX]}: {error.template}"
    return error.template


def log_refusal(code: str, where: str, message: str, request_id: str = "") -> None:
    """An expected failure: one info line with its code, no traceback. ``message`` must hold
    no values (``reason``)."""
    extra = {"request_id": request_id} if request_id else {}
    log.info("refused %s at %s: %s", code, where, message, extra=extra)


@dataclass(frozen=True)
class Operation:
    """What the log may say of an operation: its name (or its root fields) and the names of
    its variables. Never the query text or a value: graphql-core's messages quote both (a
    password in a literal, an ID number in an input object that failed to coerce)."""

    name: str = "-"
    variables: tuple[str, ...] = ()

    @classmethod
    def of(cls, context: ExecutionContext | None) -> Operation:
        if context is None:
            return cls()
        names = tuple(escaped(str(n))[:NAME_MAX] for n in sorted(context.variables or {})[:20])
        return cls(_operation_name(context), names)


def _operation_name(context: ExecutionContext) -> str:
    try:
        name = context.operation_name
    except Exception:  # a document with no operation, or an unknown operation name
        name = None
    if name:
        return escaped(name)[:NAME_MAX]
    document = context.graphql_document
    definitions = document.definitions if document is not None else ()
    operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
    if not operations:
        return "-"
    roots = [s.name.value for s in operations[0].selection_set.selections if hasattr(s, "name")]
    return "{" + " ".join(roots)[:NAME_MAX] + "}"


def _kind(error: GraphQLError) -> str:
    if isinstance(error, GraphQLSyntaxError):
        return "syntax error"
    node = error.nodes[0] if error.nodes else None
    if isinstance(node, VariableDefinitionNode):
        return f"invalid value of variable ${node.variable.name.value}"
    return "invalid document"


def _locations(error: GraphQLError) -> str:
    return ",".join(f"{at.line}:{at.column}" for at in error.locations or ()) or "-"


def log_failure(error: GraphQLError, request_id: str, operation: Operation | None = None) -> None:
    operation = operation or Operation()
    original = error.original_error
    where = _where(error.path)
    extra = {"request_id": request_id}
    if isinstance(original, DomainError):
        where = f"{where} (operation {operation.name})"
        log_refusal(original.code, where, reason(original), request_id)
    elif original is None or isinstance(original, GraphQLError):
        log.info(
            "invalid operation %s at %s: %s at %s; variables: %s",
            operation.name,
            where,
            _kind(error),
            _locations(error),
            ", ".join(operation.variables) or "-",
            extra=extra,
        )
    else:
        log.error(
            "unexpected error in resolver at %s (operation %s)",
            where,
            operation.name,
            exc_info=(type(original), original, original.__traceback__),
            extra=extra,
        )


def _request_id(execution_context: ExecutionContext | None) -> str:
    context = execution_context.context if execution_context is not None else None
    return str(getattr(context, "request_id", "") or "") if context is not None else ""


class PolicySchema(strawberry.Schema):
    """The schema, logging failed operations by the policy above instead of strawberry's way."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        request_id = _request_id(execution_context)
        operation = Operation.of(execution_context)
        for error in errors:
            log_failure(error, request_id, operation)


class ErrorPolicy(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        request_id = _request_id(self.execution_context)
        context = self.execution_context.context
        language = getattr(context, "language", None) or reader_language()
        result.errors = [self._shape(error, request_id, language) for error in result.errors]

    @staticmethod
    def _shape(error: GraphQLError, request_id: str, language: str) -> GraphQLError:
        original = error.original_error
        if original is None or isinstance(original, GraphQLError):
            extensions = {"code": "GRAPHQL_VALIDATION_FAILED", **(error.extensions or {})}
            return GraphQLError(
                limit_message(error.message, language) or error.message,
                nodes=error.nodes,
                path=error.path,
                extensions=extensions,
            )
        if isinstance(original, DomainError):
            extensions = {"code": original.code}
            if isinstance(original, InvalidInput):
                extensions["field"] = original.field
            return GraphQLError(
                original.render(language),
                nodes=error.nodes,
                path=error.path,
                extensions=extensions,
            )
        return GraphQLError(
            render(
                N_("Internal server error (request id {request_id})"),
                {"request_id": request_id},
                language,
            ),
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )
