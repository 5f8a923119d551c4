"""Login identities, their phones, and the credentials that tie them together."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, InCommunity, UTCDateTime, enum_type


class AccountKind(StrEnum):
    ADMIN = "admin"  # 社区书记 / 两委: runs the community
    STAFF = "staff"  # grid staff; what they cover comes from their posts
    RESIDENT = "resident"  # 居民, logs in with a one-time code


class Account(InCommunity, Base):
    """A login identity. Staff and admins log in with a password, residents with a code."""

    __tablename__ = "account"

    kind: Mapped[AccountKind] = mapped_column(
        enum_type(AccountKind, "account_kind"), nullable=False
    )
    username: Mapped[str | None] = mapped_column(String(50), unique=True, nullable=True)
    display_name: Mapped[str] = mapped_column(String(50), nullable=False)
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    resident_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("resident.id"), unique=True, nullable=True
    )
    disabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class Device(InCommunity, Base):
    """A registered phone or browser of an account; refresh tokens are bound to it."""

    __tablename__ = "device"

    account_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("account.id"), index=True, nullable=False
    )
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RefreshToken(InCommunity, Base):
    """One link of a rotating refresh-token family; only its hash is stored.

    Presenting a token that was already rotated means it was copied: the whole family is
    revoked (``revoked_at`` on every member).
    """

    __tablename__ = "refresh_token"

    account_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("account.id"), index=True, nullable=False
    )
    device_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("device.id"), index=True, nullable=False
    )
    family_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True, nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginCode(InCommunity, Base):
    """A one-time code for a resident's login, handed over by their grid contact or an admin."""

    __tablename__ = "login_code"

    resident_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("resident.id"), index=True, nullable=False
    )
    issued_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("account.id"), nullable=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PersonalDataAccess(InCommunity, Base):
    """An audit row for every full (unmasked) read or export of personal data (PIPL)."""

    __tablename__ = "personal_data_access"

    account_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("account.id"), index=True, nullable=False
    )
    resident_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("resident.id"), nullable=True
    )
    purpose: Mapped[str] = mapped_column(String(50), nullable=False)
    detail: Mapped[str] = mapped_column(String(200), nullable=False, default="")
