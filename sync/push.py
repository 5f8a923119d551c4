"""A pushed batch: each row merged, applied, refused or taken as sent, on its own.

One bad row never blocks the rest: each is applied in a savepoint, and a refusal (an invalid
field, no permission, an unknown household, oversized text) is kept with its reason
(``sync.refusals``) while the device gets the master state back. The answer follows the
client's rules: a row is returned only where the master differs from what the device sent
in a client-owned field (a merge, a refusal, a normalised value); ``[]`` otherwise. A create
that loses a race with its own retry is merged again against the winner, so the same batch
sent fifty times at once applies once and answers the same every time.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError, InvalidInput, NotFound
from sync import documents, inbox, refusals
from sync.declaration import Actor, ScopeSpec, SyncedType
from sync.errors import TooMany
from sync.merge import Merge, differs, merge
from sync.scope import scope_of

MAX_BATCH = 500


@dataclass(frozen=True)
class PushRow:
    """``assumedMasterState`` and ``newDocumentState`` as wire dicts."""

    assumed: dict[str, Any] | None
    new: dict[str, Any]


@dataclass
class Pushed:
    """The answer (documents in the order of their rows) and what the stream must emit:
    ``changed`` rows got a new position; ``reemit`` rows were retries the device needs again
    (it learns server-owned fields from the stream)."""

    answers: list[dict[str, Any]] = field(default_factory=list)
    changed: set[uuid.UUID] = field(default_factory=set)
    reemit: set[uuid.UUID] = field(default_factory=set)
    refused: set[str] = field(default_factory=set)


def tombstone(collection: SyncedType, document_id: str) -> dict[str, Any]:
    """What a device gets for a row the server does not hold: drop it (the notice says why)."""
    return {
        "id": document_id,
        **{spec.wire: None for spec in collection.fields},
        "updatedAt": 0.0,
        "deleted": True,
    }


async def _masters(
    session: AsyncSession, collection: SyncedType, scope: ScopeSpec, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[str, Any]]:
    """The current documents, as this device may see them."""
    if not ids:
        return {}
    model = collection.model
    rows = await session.execute(
        documents.statement(collection).where(
            model.community_id == scope.community_id, model.id.in_(ids), collection.scope(scope)
        )
    )
    return {row[0]: documents.to_document(collection, row) for row in rows}


async def _lock(
    session: AsyncSession, collection: SyncedType, scope: ScopeSpec, ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    """Lock the rows (in id order, so concurrent batches cannot deadlock); which exist."""
    if not ids:
        return set()
    model = collection.model
    found = await session.scalars(
        select(model.id)
        .where(model.community_id == scope.community_id, model.id.in_(ids))
        .order_by(model.id)
        .with_for_update()
    )
    return set(found)


async def _apply(
    session: AsyncSession, actor: Actor, collection: SyncedType, doc_id: uuid.UUID, m: Merge
) -> None:
    writer = collection.writer
    assert writer is not None
    values = {
        f.write_key: m.changes[f.wire] for f in collection.client_fields if f.wire in m.changes
    }
    if m.create:
        await writer.create(session, actor, doc_id, values)
    elif m.changes.get("deleted") is True:
        await writer.delete(session, actor, doc_id)
    elif "deleted" in m.changes:
        raise InvalidInput("deleted", "a deleted document is not brought back from a device")
    elif values:
        await writer.update(session, actor, doc_id, values)


class _Batch:
    def __init__(self, session: AsyncSession, actor: Actor, collection: SyncedType) -> None:
        self.session, self.actor, self.collection = session, actor, collection
        self.scope = scope_of(actor.principal)
        self.result = Pushed()
        self.masters: dict[uuid.UUID, dict[str, Any]] = {}
        self.existing: set[uuid.UUID] = set()

    async def run(self, rows: Sequence[PushRow]) -> Pushed:
        ids = [i for i in (_as_id(row.new.get("id")) for row in rows) if i is not None]
        self.existing = await _lock(self.session, self.collection, self.scope, ids)
        self.masters = await _masters(self.session, self.collection, self.scope, ids)
        for row in rows:
            await self._one(row)
        final = await _masters(self.session, self.collection, self.scope, ids)
        for row in rows:
            self._answer(row, final)
        return self.result

    async def _reread(self, doc_id: uuid.UUID) -> bool:
        """After a failed create: did a concurrent copy of this push create it meanwhile?"""
        self.existing |= await _lock(self.session, self.collection, self.scope, [doc_id])
        self.masters.update(await _masters(self.session, self.collection, self.scope, [doc_id]))
        return doc_id in self.existing

    async def _one(self, row: PushRow) -> None:
        raw_id = str(row.new.get("id"))
        doc_id = _as_id(row.new.get("id"))
        if doc_id is None:
            await self._refuse(row, raw_id, InvalidInput("id", "is not an id (a UUID)"))
            return
        for attempt in range(2):
            master = self.masters.get(doc_id)
            if master is None and doc_id in self.existing:
                await self._refuse(row, raw_id, NotFound(self.collection.name, doc_id))
                return
            master = unsealed(self.collection, master, row.new)
            outcome = merge(self.collection.client_fields, row.assumed, master, row.new)
            if outcome.taken_as_sent:
                if master is not None and (
                    row.assumed is None or differs(self.collection.fields, master, row.assumed)
                ):
                    self.result.reemit.add(doc_id)
                return
            if outcome.create and row.new.get("deleted"):
                return  # created and deleted offline: nothing to keep
            try:
                async with self.session.begin_nested():
                    await _apply(self.session, self.actor, self.collection, doc_id, outcome)
                    if outcome.conflicts:
                        await inbox.record(
                            self.session, self.scope, self.collection, doc_id, outcome.conflicts
                        )
            except (DomainError, IntegrityError) as error:
                if attempt == 0 and outcome.create and await self._reread(doc_id):
                    continue
                await self._refuse(row, raw_id, _as_domain_error(error))
                return
            self.result.changed.add(doc_id)
            self.masters.pop(doc_id, None)
            self.masters.update(await _masters(self.session, self.collection, self.scope, [doc_id]))
            return

    async def _refuse(self, row: PushRow, raw_id: str, error: DomainError) -> None:
        self.result.refused.add(raw_id)
        sent = {
            "assumedMasterState": sealed(self.collection, row.assumed),
            "newDocumentState": sealed(self.collection, row.new),
        }
        await refusals.refuse(
            self.session, self.scope, self.collection.name, raw_id, error.code, error.message, sent
        )

    def _answer(self, row: PushRow, final: dict[uuid.UUID, dict[str, Any]]) -> None:
        raw_id = str(row.new.get("id"))
        doc_id = _as_id(row.new.get("id"))
        master = final.get(doc_id) if doc_id is not None else None
        if raw_id in self.result.refused:
            self.result.answers.append(master or tombstone(self.collection, raw_id))
        elif master is not None and differs(
            self.collection.client_fields, unsealed(self.collection, master, row.new) or {}, row.new
        ):
            self.result.answers.append(master)


def unsealed(
    collection: SyncedType, master: dict[str, Any] | None, sent: dict[str, Any]
) -> dict[str, Any] | None:
    """The master for comparing with what a device sent: a sealed field the server withholds
    (null) compares equal to the device's value, so a retry is taken as sent."""
    if master is None:
        return None
    withheld = {
        f.wire: sent.get(f.wire)
        for f in collection.fields
        if f.sealed and master.get(f.wire) is None
    }
    return {**master, **withheld} if withheld else master


def sealed(collection: SyncedType, document: dict[str, Any] | None) -> dict[str, Any] | None:
    """A device's row as it may be kept server-side: sealed fields dropped (a refused secret
    ballot must not be stored beside its voter, nor hashed into a dedupe key)."""
    if document is None:
        return None
    names = {f.wire for f in collection.fields if f.sealed}
    return {key: (None if key in names else value) for key, value in document.items()}


def _as_id(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value is not None else None
    except ValueError:
        return None


def _as_domain_error(error: Exception) -> DomainError:
    if isinstance(error, DomainError):
        return error
    from domain.errors import Conflict

    return Conflict("the row clashes with data already stored (a duplicate, or a missing link)")


async def push(
    session: AsyncSession, actor: Actor, collection: SyncedType, rows: Sequence[PushRow]
) -> Pushed:
    """Apply a batch in the caller's transaction (the edge commits once)."""
    if collection.writer is None:
        raise InvalidInput("collection", f"{collection.name} is pull-only")
    if len(rows) > MAX_BATCH:
        raise TooMany(f"push at most {MAX_BATCH} rows at a time")
    return await _Batch(session, actor, collection).run(rows)
