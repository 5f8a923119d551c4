"""The one declaration per synced collection from which everything else is derived.

A collection names its model, its fields (who owns each, how a true conflict on it is
merged, the SQL expression a device is sent, which may mask personal data), its scope (the
rows a device may hold, as a SQL predicate of the device's grid posts) and its writer (how a
device's change is applied, through the domain's own services and rules). The GraphQL types,
the pull query, the push and the stream are built from this alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from functools import cached_property
from typing import Any, Protocol

from sqlalchemy import Column, ColumnElement, Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from domain.models import Synced
from domain.personal_data import PersonalDataCipher
from domain.principal import Principal

SQLValue = ColumnElement[Any] | InstrumentedAttribute[Any]
"""What a field reads: a mapped column or any SQL expression (a masking one, say)."""


class Owner(StrEnum):
    CLIENT = "client"  # a phone may change it
    SERVER = "server"  # stamped or derived by the server; a device's value is ignored


class Policy(StrEnum):
    """What a true conflict on a field becomes (same field changed on both sides, differently)."""

    SERVER_WINS = "server_wins"  # the server's value stands; the device's goes to the inbox
    DEVICE_WINS = "device_wins"  # the device's value is applied; the server's goes to the inbox
    SET_UNION = "set_union"  # additions from both sides kept, removals from either applied
    KEEP_BOTH_TEXT = "keep_both_text"  # both texts kept, the device's appended


class Kind(StrEnum):
    """The wire type of a field: what GraphQL type it gets and how values compare."""

    TEXT = "text"  # String
    ID = "id"  # String holding a UUID
    DATE = "date"  # String, ISO date
    BOOL = "bool"  # Boolean
    NUMBER = "number"  # Float
    TAGS = "tags"  # [String!], compared as a set


@dataclass(frozen=True)
class Field:
    """One document field. ``wire`` is its name on the wire (camelCase, as the app has it)."""

    wire: str
    kind: Kind
    read: Callable[[], SQLValue]
    owner: Owner = Owner.CLIENT
    policy: Policy = Policy.SERVER_WINS
    key: str | None = None  # the name the writer receives the value under (snake_case)
    normalize: Callable[[Any], Any] | None = None  # as the writer would store it (pure)
    description: str = ""
    sealed: bool = False
    """Written by a device, never necessarily read back: the server may send null for it (a
    secret ballot's choice). A null master value then matches what the device sent, and the
    device's value is never kept anywhere else (refused rows, the conflict inbox)."""
    present: Callable[[Any], Any] | None = None
    """Turns the stored value into what the reader gets (a server-owned field only): a device
    notice's stored template becomes text in the pulling phone's language."""

    @property
    def client_owned(self) -> bool:
        return self.owner is Owner.CLIENT

    @cached_property
    def required(self) -> bool:
        """A device may not set it to null: it reads a column declared NOT NULL."""
        column = getattr(self.read(), "expression", None)
        return isinstance(column, Column) and not column.nullable

    @property
    def write_key(self) -> str:
        return self.key or self.wire


@dataclass(frozen=True)
class ScopeSpec:
    """What a device may hold: its community, account, device and covered grid nodes.

    ``grid_ids`` None means the whole community (an admin's device).
    """

    community_id: uuid.UUID
    account_id: uuid.UUID
    device_id: uuid.UUID | None
    grid_ids: frozenset[uuid.UUID] | None


ScopeRule = Callable[[ScopeSpec], ColumnElement[bool]]
"""The rows of a collection a device may hold, as a predicate over the declared source."""


@dataclass(frozen=True)
class Actor:
    """Who applies a pushed change, and what the domain's services need to do it."""

    principal: Principal
    cipher: PersonalDataCipher
    device_time_ms: float | None = None  # the phone's clock as it sent this push
    max_clock_skew: timedelta = timedelta(minutes=5)


class Writer(Protocol):
    """Applies a device's change through the domain's services; raises ``DomainError`` to
    refuse the row. Values arrive as wire values under each field's ``write_key``: ``create``
    gets every client-owned field, ``update`` only those the merge decided to take."""

    async def create(
        self,
        session: AsyncSession,
        actor: Actor,
        document_id: uuid.UUID,
        values: Mapping[str, Any],
    ) -> Synced: ...

    async def update(
        self,
        session: AsyncSession,
        actor: Actor,
        document_id: uuid.UUID,
        changes: Mapping[str, Any],
    ) -> Synced: ...

    async def delete(
        self, session: AsyncSession, actor: Actor, document_id: uuid.UUID
    ) -> Synced: ...


@dataclass(frozen=True)
class SyncedType:
    """One collection as RxDB sees it (``name`` is the collection name, e.g. ``visitNote``)."""

    name: str
    model: type[Synced]
    fields: tuple[Field, ...]
    scope: ScopeRule
    description: str
    source: Callable[[Select[Any]], Select[Any]] = field(default=lambda statement: statement)
    writer: Writer | None = None  # None: pull-only
    grid_scoped: bool = True  # False: the scope does not depend on grid posts
    grid_of: Callable[[], SQLValue] | None = None  # for the conflict inbox
    moves: bool = False
    """Rows may leave a grid node (``domain.positions`` records each departure): a device
    whose scope covered the old node gets a tombstone for them."""
    moves_with: Callable[[], InstrumentedAttribute[Any]] | None = None
    """The household column of rows that leave with their household (residents, notes)."""

    @property
    def prefix(self) -> str:
        """``visitNote`` -> ``VisitNote``: the start of every GraphQL name of the collection."""
        return self.name[:1].upper() + self.name[1:]

    @property
    def pushable(self) -> bool:
        return self.writer is not None

    @property
    def client_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.client_owned)

    def field(self, wire: str) -> Field:
        for candidate in self.fields:
            if candidate.wire == wire:
                return candidate
        raise KeyError(wire)
