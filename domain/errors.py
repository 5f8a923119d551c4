"""The small typed hierarchy of expected failures; each has a stable ``code`` clients switch on.

Services raise these; the GraphQL edge turns each into a member of a mutation's result union.
Anything else escaping a service is a bug, masked for the client and logged.
"""

from __future__ import annotations


class DomainError(Exception):
    code = "DOMAIN_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AuthenticationRequired(DomainError):
    code = "UNAUTHENTICATED"

    def __init__(self, message: str = "log in first") -> None:
        super().__init__(message)


class InvalidCredentials(DomainError):
    """Wrong password, unknown user, used or expired code, bad or reused refresh token."""

    code = "INVALID_CREDENTIALS"


class PermissionDenied(DomainError):
    code = "FORBIDDEN"


class NotFound(DomainError):
    """Also what another community's ids produce: they must be indistinguishable from unknown."""

    code = "NOT_FOUND"

    def __init__(self, kind: str, identifier: object) -> None:
        super().__init__(f"no {kind} with id {identifier}")
        self.kind = kind


class InvalidInput(DomainError):
    code = "INVALID_INPUT"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class Conflict(DomainError):
    """The request is well-formed but clashes with existing state (a duplicate address, say)."""

    code = "CONFLICT"
