"""Sync's expected failures: typed, with stable codes the app switches on."""

from __future__ import annotations

from domain.errors import DomainError


class BadCheckpoint(DomainError):
    """The checkpoint was not one this server handed out (the client must echo it exactly)."""

    code = "BAD_CHECKPOINT"


class ResyncRequired(DomainError):
    """The device was offline past the tombstone retention window: deletions it missed are
    gone, so it must drop its local copy of the collection and pull from scratch."""

    code = "RESYNC_REQUIRED"


class DeviceRequired(DomainError):
    """Sync needs a session bound to a registered device (log in from the app)."""

    code = "DEVICE_REQUIRED"


class DeviceRevoked(DomainError):
    """The device was revoked (a lost phone): it may pull and push nothing more."""

    code = "DEVICE_REVOKED"


class TooMany(DomainError):
    """A pull limit or push batch beyond what the server accepts in one request."""

    code = "LIMIT_EXCEEDED"
