"""Expected failures as GraphQL types, and the one helper that builds every result union.

Clients switch on ``__typename`` or ``code``, never on the message text, which is rendered
in the reader's language (``Accept-Language``: Chinese by default, English on request).
"""

from __future__ import annotations

from typing import Annotated, Any, Union

import strawberry

from domain import errors as domain_errors
from domain.i18n import reader_language


@strawberry.interface(description="An expected failure: nothing was changed.")
class Error:
    code: str
    message: str


@strawberry.type(description="Log in first, or the token has expired.")
class UnauthenticatedError(Error):
    pass


@strawberry.type(description="Wrong password, or a wrong, used or expired code or token.")
class InvalidCredentialsError(Error):
    pass


@strawberry.type(description="Your role or grid posts do not allow this.")
class ForbiddenError(Error):
    pass


@strawberry.type(
    description="No such object visible to you (another community's ids answer this too)."
)
class NotFoundError(Error):
    pass


@strawberry.type(description="A field's value is not acceptable.")
class InvalidInputError(Error):
    field: str


@strawberry.type(description="The change clashes with existing data.")
class ConflictError(Error):
    pass


@strawberry.type(
    description="A rule of the council refused the change (e.g. INVALID_TRANSITION, "
    "VOTE_CLOSED, NOT_ELIGIBLE, ALREADY_VOTED); `code` says which."
)
class RuleViolationError(Error):
    pass


@strawberry.type(
    description="Too many failed logins for this account or from this address: the try was "
    "refused without being checked, a right password too. Try again after `retryAfterSeconds`."
)
class RateLimitedError(Error):
    retry_after_seconds: int


ERROR_TYPES: tuple[type, ...] = (
    UnauthenticatedError,
    InvalidCredentialsError,
    ForbiddenError,
    NotFoundError,
    InvalidInputError,
    ConflictError,
    RuleViolationError,
    RateLimitedError,
)


def to_graphql_error(error: domain_errors.DomainError, language: str | None = None) -> Error:
    """``language``: the request's (``Context.language``), which is also the default."""
    message = error.render(language or reader_language())
    if isinstance(error, domain_errors.InvalidInput):
        return InvalidInputError(code=error.code, message=message, field=error.field)
    if isinstance(error, domain_errors.RateLimited):
        return RateLimitedError(
            code=error.code, message=message, retry_after_seconds=error.retry_after_seconds
        )
    kinds: dict[type[domain_errors.DomainError], type[Error]] = {
        domain_errors.AuthenticationRequired: UnauthenticatedError,
        domain_errors.InvalidCredentials: InvalidCredentialsError,
        domain_errors.PermissionDenied: ForbiddenError,
        domain_errors.NotFound: NotFoundError,
        domain_errors.Conflict: ConflictError,
    }
    for kind, graphql_type in kinds.items():
        if isinstance(error, kind):
            return graphql_type(code=error.code, message=message)
    return RuleViolationError(code=error.code, message=message)


def result_union(name: str, success: type) -> Any:
    """``name``: the success type or any expected error, as one GraphQL union."""
    return Annotated[Union[success, *ERROR_TYPES], strawberry.union(name)]
