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
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from domain.errors import DomainError
from domain.i18n import N_, reader_language, render
from schema.query_cost import TOO_COSTLY
from schema.selection_bounds import TOO_MANY_OVERLAPS, TOO_MANY_SELECTIONS

log = logging.getLogger("changlang.errors")


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


def log_refusal(code: str, where: str, message: str, request_id: str = "") -> None:
    """An expected failure: one info line with its code, no traceback."""
    extra = {"request_id": request_id} if request_id else {}
    log.info("refused %s at %s: %s", code, where, message, extra=extra)


def log_failure(error: GraphQLError, request_id: str) -> None:
    original = error.original_error
    where = _where(error.path)
    if isinstance(original, DomainError):
        log_refusal(original.code, where, original.message, request_id)
    elif original is None or isinstance(original, GraphQLError):
        log.info(
            "invalid operation at %s: %s", where, error.message, extra={"request_id": request_id}
        )
    else:
        log.error(
            "unexpected error in resolver at %s",
            where,
            exc_info=(type(original), original, original.__traceback__),
            extra={"request_id": request_id},
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
        for error in errors:
            log_failure(error, request_id)


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
            return GraphQLError(
                original.render(language),
                nodes=error.nodes,
                path=error.path,
                extensions={"code": original.code},
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
