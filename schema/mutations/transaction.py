"""Run a mutation's work in one transaction and turn expected failures into result types."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Conflict, DomainError
from domain.i18n import N_
from schema.context import Info
from schema.error_policy import log_refusal, reason
from schema.errors import Error, to_graphql_error

T = TypeVar("T")


@strawberry.type(description="The id of what a mutation removed (a soft delete: it syncs out).")
class Deleted:
    id: strawberry.ID


async def in_transaction(info: Info, work: Callable[[AsyncSession], Awaitable[T]]) -> T | Error:
    """Commit once if ``work`` succeeds; roll everything back on any failure."""
    try:
        async with info.context.db.transaction() as session:
            return await work(session)
    except DomainError as error:
        log_refusal(error.code, info.field_name, reason(error))
        return to_graphql_error(error, info.context.language)
    except IntegrityError:
        log_refusal("CONFLICT", info.field_name, "a concurrent change clashed")
        return to_graphql_error(
            Conflict(N_("the change clashes with a change saved at the same moment; retry")),
            info.context.language,
        )


def given(values: Any) -> dict[str, Any]:
    """The fields of an input object the client actually set (UNSET ones left out)."""
    return {key: value for key, value in vars(values).items() if value is not strawberry.UNSET}
