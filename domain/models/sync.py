"""What offline sync keeps on the server besides the synced rows themselves.

The conflict inbox, refused pushes, per-device notices, each device's acknowledged
checkpoint, the scope snapshots behind checkpoint fingerprints, and the tombstone horizon.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, InCommunity, Synced, UTCDateTime, enum_type


class ConflictStatus(StrEnum):
    OPEN = "open"  # a person has to decide
    RESOLVED = "resolved"  # decided by a person, or merged by the field's policy


class SyncConflict(InCommunity, Base):
    """A true conflict: the same field changed on the server and on a phone, differently.

    Both values are kept, so nothing typed on a phone is lost; ``grid_id`` is the document's
    grid node when the conflict arose, so that the staff covering it see it in their inbox.
    ``dedupe_key`` makes a retried push record it once.
    """

    __tablename__ = "sync_conflict"

    collection: Mapped[str] = mapped_column(String(40), nullable=False)
    document_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True, nullable=False)
    field: Mapped[str] = mapped_column(String(40), nullable=False)
    policy: Mapped[str] = mapped_column(String(30), nullable=False)
    base_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    server_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    device_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    device_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("device.id"), nullable=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("account.id"), nullable=False)
    grid_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True, index=True)
    status: Mapped[ConflictStatus] = mapped_column(
        enum_type(ConflictStatus, "conflict_status"), nullable=False, index=True
    )
    resolution: Mapped[str | None] = mapped_column(String(30), nullable=True)
    resolved_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    resolved_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("account.id"), nullable=True
    )
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    dedupe_key: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)


class RefusedPush(InCommunity, Base):
    """A pushed row the server would not store, kept with its reason and the row as sent."""

    __tablename__ = "refused_push"

    collection: Mapped[str] = mapped_column(String(40), nullable=False)
    document_id: Mapped[str] = mapped_column(String(100), nullable=False)
    device_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("device.id"), index=True, nullable=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("account.id"), nullable=False)
    code: Mapped[str] = mapped_column(String(40), nullable=False)
    reason: Mapped[str] = mapped_column(String(500), nullable=False)
    row: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    dedupe_key: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)


class DeviceNotice(Synced, Base):
    """A message for one device (a refused row and why, "resync from scratch"), pulled by it.

    The stock replication protocol has no place for a reason; a pull-only collection does.
    """

    __tablename__ = "device_notice"
    device_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("device.id"), index=True, nullable=False
    )
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    collection: Mapped[str] = mapped_column(String(40), nullable=False)
    document_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    code: Mapped[str] = mapped_column(String(40), nullable=False)
    message: Mapped[str] = mapped_column(String(500), nullable=False)


class DeviceSync(Base):
    """The checkpoint a device last acknowledged per collection, and when: the tombstone
    horizon is the lowest of these among active devices. ``position`` -1 marks a device a
    compaction left behind: it must pull that collection again from scratch."""

    __tablename__ = "device_sync"

    device_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("device.id", ondelete="CASCADE"), primary_key=True
    )
    collection: Mapped[str] = mapped_column(String(40), primary_key=True)
    community_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("community.id", ondelete="CASCADE"), index=True, nullable=False
    )
    position: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class SyncScope(Base):
    """The grid nodes behind a checkpoint's scope fingerprint, so that a later pull can tell
    which documents a device holds that its new posts no longer cover."""

    __tablename__ = "sync_scope"

    fingerprint: Mapped[str] = mapped_column(String(40), primary_key=True)
    community_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("community.id", ondelete="CASCADE"), nullable=False
    )
    grid_ids: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)


class SyncHorizon(Base):
    """Tombstones at or below ``purged_through`` may be gone: a device behind it resyncs."""

    __tablename__ = "sync_horizon"

    community_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("community.id", ondelete="CASCADE"), primary_key=True
    )
    collection: Mapped[str] = mapped_column(String(40), primary_key=True)
    purged_through: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)


class SyncDeparture(Synced, Base):
    """A row that left a grid node (a household moved to another micro-grid, a resident to
    another household): devices whose scope covered ``grid_id`` get a tombstone for it on
    their next pull. ``source_table`` names the moved row's table; a household's departure also
    removes the rows that belong to it (its residents, its visit notes)."""

    __tablename__ = "sync_departure"

    source_table: Mapped[str] = mapped_column(String(40), nullable=False)
    document_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    grid_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)


class SyncPushReceipt(Base):
    """A pushed row a device's push already applied, by a digest of its assumed and new state.

    The same row arriving again (a duplicated delivery, or one delayed past the device's newer
    pushes) is answered, never merged again: merged again, an old value would come back over a
    newer one (a removed tag re-added, an old note appended). Kept for the retention window.
    The document is named too: a device's stream, when it (re)connects, sends the documents
    the device pushed moments before once more (``schema.sync.stream``).
    """

    __tablename__ = "sync_push_receipt"

    device_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("device.id", ondelete="CASCADE"), primary_key=True
    )
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    community_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("community.id", ondelete="CASCADE"), nullable=False
    )
    collection: Mapped[str] = mapped_column(String(40), nullable=False)
    document_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)


class DeviceHolding(Base):
    """A document a device was sent and may hold, and since when (PIPL: which phone holds
    which resident's full contact phone is part of the access log).

    A pull records every live document it sends; a tombstone it sends marks the holding
    released (kept, so that a re-sent tombstone still passes). A device is sent a deletion
    only for a document one of its account's devices holds here (or it pushed itself): a
    forged checkpoint lists nothing the account was never sent. The account, not the device,
    because a phone that logs in again gets a new device id and keeps its local data.
    """

    __tablename__ = "device_holding"
    __table_args__ = (
        Index("ix_device_holding_account", "account_id", "collection", "document_id"),
    )

    device_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("device.id", ondelete="CASCADE"), primary_key=True
    )
    collection: Mapped[str] = mapped_column(String(40), primary_key=True)
    document_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("account.id", ondelete="CASCADE"), nullable=False
    )
    community_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("community.id", ondelete="CASCADE"), index=True, nullable=False
    )
    held_since: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
