"""What clients learn from a failed operation, in the reader's language.

Expected failures (``DomainError``) keep their stable ``code`` and are rendered from their
template in the request's language (``Context.language``). Our own limits (depth, tokens,
aliases) are translated too; other validation messages come from graphql-core in English, for
the developers who write queries. Anything else is a bug: the client gets only a request id
(in the reader's language), and the log gets the traceback under that id.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from domain.errors import DomainError
from domain.i18n import N_, reader_language, render

log = logging.getLogger("changlang.errors")

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
)


def limit_message(message: str, language: str) -> str | None:
    """One of our query limits' messages in ``language``; None for any other message."""
    for pattern, template in LIMITS:
        found = pattern.search(message)
        if found is not None:
            return render(template, found.groupdict(), language)
    return None


class ErrorPolicy(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        context = self.execution_context.context
        request_id = getattr(context, "request_id", "") if context is not None else ""
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
        log.error(
            "unexpected error in resolver at %s",
            ".".join(str(p) for p in error.path or ()),
            exc_info=(type(original), original, original.__traceback__),
            extra={"request_id": request_id},
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
