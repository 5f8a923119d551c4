"""The small typed hierarchy of expected failures; each has a stable ``code`` clients switch on.

Services raise these; the GraphQL edge turns each into a member of a mutation's result union.
Anything else escaping a service is a bug, masked for the client and logged.

A message is a template in English marked with ``N_`` (``domain.i18n``) plus its parameters:
the English template is the catalog's message id, and the edge renders it in the reader's
language (``render``). ``message`` is the English rendering, for logs and tests.
"""

from __future__ import annotations

from typing import Any

from domain.i18n import N_, Word, current_reader, render


class DomainError(Exception):
    code = "DOMAIN_ERROR"

    def __init__(self, message: str, **params: Any) -> None:
        self.template = message
        self.params = params
        self.message = message.format(**params) if params else message
        super().__init__(self.message)

    def render(self, language: str) -> str:
        """The message in ``language`` (``zh``, ``en``), from the catalogs."""
        return render(self.template, self.params, language)

    def __str__(self) -> str:
        """In the current request's language: what any path that shows the error as text
        (graphql-core's error for a subscription, say) gives the person reading it; English
        outside a request (logs of jobs, tracebacks)."""
        language = current_reader()
        return self.render(language) if language else self.message


class AuthenticationRequired(DomainError):
    code = "UNAUTHENTICATED"

    def __init__(self, message: str = N_("log in first"), **params: Any) -> None:
        super().__init__(message, **params)


class InvalidCredentials(DomainError):
    """Wrong password, unknown user, used or expired code, bad or reused refresh token."""

    code = "INVALID_CREDENTIALS"


class PermissionDenied(DomainError):
    code = "FORBIDDEN"


class NotFound(DomainError):
    """Also what another community's ids produce: they must be indistinguishable from unknown."""

    code = "NOT_FOUND"

    def __init__(self, kind: str, identifier: object) -> None:
        """``kind``: a noun marked with ``N_`` ("household"), rendered translated."""
        super().__init__(
            N_("no {kind} with id {identifier}"), kind=Word(kind), identifier=identifier
        )
        self.kind = kind


class InvalidInput(DomainError):
    code = "INVALID_INPUT"

    def __init__(self, field: str, message: str, **params: Any) -> None:
        super().__init__(message, **params)
        self.field = field
        self.message = f"{field}: {self.message}"

    def render(self, language: str) -> str:
        """``field: message``; the field is the input's name as the client sent it."""
        own = render(self.template, self.params, language)
        return render(N_("{field}: {message}"), {"field": self.field, "message": own}, language)


class Conflict(DomainError):
    """The request is well-formed but clashes with existing state (a duplicate address, say)."""

    code = "CONFLICT"


class RateLimited(DomainError):
    """Too many failed logins for this account or address: the try was not even checked."""

    code = "RATE_LIMITED"

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            N_("too many attempts; try again in {seconds} seconds"), seconds=retry_after_seconds
        )
        self.retry_after_seconds = retry_after_seconds
