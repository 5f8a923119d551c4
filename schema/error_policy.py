"""What clients learn from a failed operation.

Expected failures (``DomainError``) keep their message and gain a stable ``code``;
validation and limit errors keep theirs. Anything else is a bug: the client gets only a
request id, and the log gets the traceback under that id.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from domain.errors import DomainError

log = logging.getLogger("changlang.errors")


class ErrorPolicy(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        context = self.execution_context.context
        request_id = getattr(context, "request_id", "") if context is not None else ""
        result.errors = [self._shape(error, request_id) for error in result.errors]

    @staticmethod
    def _shape(error: GraphQLError, request_id: str) -> GraphQLError:
        original = error.original_error
        if original is None or isinstance(original, GraphQLError):
            extensions = {"code": "GRAPHQL_VALIDATION_FAILED", **(error.extensions or {})}
            return GraphQLError(
                error.message, nodes=error.nodes, path=error.path, extensions=extensions
            )
        if isinstance(original, DomainError):
            return GraphQLError(
                original.message,
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
            f"Internal server error (request id {request_id})",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )
