"""A time budget for each query and mutation: past it the operation is cancelled.

The estimated cost (``schema.query_cost``) refuses what is plainly too big before it runs;
this catches what the estimate cannot see (a slow database, a pathological filter). The
operation's task is cancelled, so a mutation's transaction rolls back as on any failure,
and the client gets one typed error, ``OPERATION_TIMED_OUT``, in its language.
Subscriptions live as long as their socket and are not bounded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from graphql import GraphQLError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from domain.i18n import N_, reader_language, render
from schema.error_policy import PolicySchema, log_refusal

TIMED_OUT = N_("the operation ran longer than {seconds} seconds and was stopped")
CODE = "OPERATION_TIMED_OUT"


class TimedSchema(PolicySchema):
    """``execute`` within ``timeout_seconds`` (0: no limit)."""

    timeout_seconds: float = 0

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        budget = asyncio.timeout(self.timeout_seconds or None)
        try:
            async with budget:
                return await super().execute(
                    query,
                    variable_values,
                    context_value,
                    root_value,
                    operation_name,
                    allowed_operation_types,
                    operation_extensions,
                )
        except TimeoutError:
            if not budget.expired():
                raise
        return ExecutionResult(data=None, errors=[self._timed_out(context_value)])

    def _timed_out(self, context: Any) -> GraphQLError:
        seconds = f"{self.timeout_seconds:g}"
        language = getattr(context, "language", None) or reader_language()
        log_refusal(CODE, "-", render(TIMED_OUT, {"seconds": seconds}, "en"))
        return GraphQLError(
            render(TIMED_OUT, {"seconds": seconds}, language),
            extensions={"code": CODE, "seconds": self.timeout_seconds},
        )
