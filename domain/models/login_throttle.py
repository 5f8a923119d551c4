"""Counters of failed logins, shared by every server process through the database.

Not per community: a username is unique across the installation and an address is nobody's,
so one row throttles one account name (known or not) or one client address.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, UTCDateTime, enum_type


class ThrottleKind(StrEnum):
    ACCOUNT = "account"  # a username as typed (normalised), whether or not it exists
    ADDRESS = "address"  # a client address (an IPv6 client's /64 network)


class LoginThrottle(Base):
    """Failures of one scope in the current window, and until when its next try is refused."""

    __tablename__ = "login_throttle"

    kind: Mapped[ThrottleKind] = mapped_column(
        enum_type(ThrottleKind, "throttle_kind"), primary_key=True
    )
    subject: Mapped[str] = mapped_column(String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
