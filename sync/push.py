"""A pushed batch: each row merged, applied, refused or taken as sent, on its own.

Every row is merged against its master first (locked and read once for the batch). The
accepted rows of a collection whose writer can stage them are then written together, a few
statements for the whole batch (``sync.staging``); any other row, and any row that batch
would not take, is applied alone in a savepoint, so one bad row never blocks the rest: a
refusal (an invalid field, no permission, an unknown household, oversized text) is kept with
its reason (``sync.refusals``) while the device gets the master state back. The answer
follows the client's rules: a row is returned only where the master differs from what the
device sent in a client-owned field (a merge, a refusal, a normalised value); ``[]``
otherwise. Answering more often would be wrong, not just wasteful: the client writes an
answered master to its local copy only if the document was not edited meanwhile, and
otherwise keeps no base for it, so the next push of that edit would arrive without one and
every field would look like a conflict (seen with the real client). A create that loses a
race with its own retry is merged again against the winner, so the same batch sent fifty
times at once applies once and answers the same every time; a row delivered again after it
was applied (duplicated, or late behind newer pushes) is only answered (``sync.receipts``).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError, InvalidInput, NotFound
from domain.i18n import N_
from domain.valid_text import all_unicode, dotted, escaped_json, first_invalid, not_unicode
from sync import documents, inbox, receipts, refusals, staging, writes
from sync.declaration import Actor, ScopeSpec, SyncedType
from sync.errors import TooMany
from sync.merge import Merge, differs, merge
from sync.scope import scope_of
from sync.sealing import sealed, unsealed, without_sealed
from sync.staging import Change, Stager

MAX_BATCH = 500


@dataclass(frozen=True)
class PushRow:
    """``assumedMasterState`` and ``newDocumentState`` as wire dicts."""

    assumed: dict[str, Any] | None
    new: dict[str, Any]
    not_unicode: str | None = None
    """The first field holding text that is not Unicode (``checked``): the row is refused."""

    @cached_property
    def document_id(self) -> uuid.UUID | None:
        """The document's id, or None when the device sent something else."""
        return _as_id(self.new.get("id"))

    def checked(self) -> PushRow:
        """The row as it can be kept: text that is not Unicode (a lone surrogate, half of an
        emoji) escaped, and the field that held it noted, so that only this row is refused."""
        if all_unicode((self.new, self.assumed)):
            return self
        for state in (self.new, self.assumed):
            path = first_invalid(state) if state is not None else None
            if path is not None:
                return PushRow(escaped_json(self.assumed), escaped_json(self.new), dotted(path))
        return self


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


class _Batch:
    def __init__(
        self, session: AsyncSession, actor: Actor, collection: SyncedType, refused_cap: int
    ) -> None:
        self.session, self.actor, self.collection = session, actor, collection
        self.refused_cap = refused_cap
        self.client_fields = collection.client_fields  # a property that filters: read once
        self.scope = scope_of(actor.principal)
        self.result = Pushed()
        self.masters: dict[uuid.UUID, dict[str, Any]] = {}
        self.existing: set[uuid.UUID] = set()
        self.repeated: set[uuid.UUID] = set()

    async def run(self, given: Sequence[PushRow]) -> Pushed:
        rows = [row.checked() for row in given]
        ids = [row.document_id for row in rows if row.document_id is not None]
        self.repeated = {i for i, count in Counter(ids).items() if count > 1}
        self.existing = await _lock(self.session, self.collection, self.scope, ids)
        # a master is an existing row: a batch of new documents needs no read (one that a
        # concurrent copy creates meanwhile is met as a failed create, ``_reread``)
        held = [i for i in ids if i in self.existing]
        self.masters = await _masters(self.session, self.collection, self.scope, held)
        digests = [self._digest(row) for row in rows]
        readable = (d for row, d in zip(rows, digests, strict=True) if row.not_unicode is None)
        seen = await receipts.already_applied(self.session, self.scope, readable)
        stager = self.collection.writer
        if isinstance(stager, Stager) and not self.repeated:
            # no row depends on another's result: the order of application is free
            fresh = [(r, d) for r, d in zip(rows, digests, strict=True) if d not in seen]
            for row in (r for r, d in zip(rows, digests, strict=True) if d in seen):
                self._again(row)  # delivered again: answered from the master, not merged
            applied = await self._together(stager, fresh)
        else:
            applied = await self._one_by_one(rows, digests, seen)
        documents_of = {d: row.document_id for row, d in zip(rows, digests, strict=True)}
        await receipts.record(
            self.session,
            self.scope,
            self.collection.name,
            {d: doc for d in applied if (doc := documents_of[d]) is not None},
        )
        if self.result.refused:
            await refusals.cap(self.session, self.scope, self.refused_cap)
        final = await _masters(self.session, self.collection, self.scope, ids)
        for row in rows:
            self._answer(row, final)
        return self.result

    async def _one_by_one(
        self, rows: Sequence[PushRow], digests: Sequence[str], seen: set[str]
    ) -> list[str]:
        """Each row in turn, a later row of the same document merged against the earlier's
        result; the digests of the rows applied."""
        applied: list[str] = []
        for row, row_digest in zip(rows, digests, strict=True):
            if row_digest in seen:
                self._again(row)  # delivered again: answered from the master, not merged
            elif await self._one(row):
                applied.append(row_digest)
        return applied

    async def _together(self, stager: Stager, rows: Sequence[tuple[PushRow, str]]) -> list[str]:
        """Every row merged first, the accepted ones written in one flush (``sync.staging``);
        a row not written there (refused, or its batch's flush failed) goes ``_one``'s way,
        which refuses it with its reason. The digests of the rows applied."""
        planned: list[tuple[PushRow, str, Merge, Change | None]] = []
        for row, row_digest in rows:
            plan = await self._plan(row)
            if plan is None:
                continue
            doc_id, outcome = plan
            try:
                change: Change | None = writes.change_of(self.collection, doc_id, outcome)
            except DomainError:
                change = None
            planned.append((row, row_digest, outcome, change))
        changes = [change for *_, change in planned if change is not None]
        written = (
            await staging.write_together(self.session, self.actor, stager, changes)
            if changes
            else set()
        )
        applied: list[str] = []
        for row, row_digest, outcome, change in planned:
            if change is not None and change.document_id in written:
                if outcome.conflicts:
                    await inbox.record(
                        self.session,
                        self.scope,
                        self.collection,
                        change.document_id,
                        outcome.conflicts,
                    )
                await self._applied(change.document_id)
                applied.append(row_digest)
            elif await self._one(row):
                applied.append(row_digest)
        return applied

    async def _reread(self, doc_id: uuid.UUID) -> bool:
        """After a failed create: did a concurrent copy of this push create it meanwhile?"""
        self.existing |= await _lock(self.session, self.collection, self.scope, [doc_id])
        self.masters.update(await _masters(self.session, self.collection, self.scope, [doc_id]))
        return doc_id in self.existing

    def _digest(self, row: PushRow) -> str:
        return receipts.digest(
            self.collection.name,
            sealed(self.collection, row.assumed),
            without_sealed(self.collection, row.new),
        )

    async def _plan(self, row: PushRow) -> tuple[uuid.UUID, Merge] | None:
        """Merge one row against its master; None when there is nothing to write (the row was
        refused, is taken as sent, or was created and deleted offline)."""
        raw_id = str(row.new.get("id"))
        doc_id = row.document_id
        if row.not_unicode is not None:
            await self._refuse(row, raw_id, not_unicode(row.not_unicode))
            return None
        if doc_id is None:
            await self._refuse(row, raw_id, InvalidInput("id", N_("is not an id (a UUID)")))
            return None
        master = self.masters.get(doc_id)
        if master is None and doc_id in self.existing:
            await self._refuse(row, raw_id, NotFound(self.collection.name, doc_id))
            return None
        master = unsealed(self.collection, master, row.new)
        outcome = merge(self.client_fields, row.assumed, master, row.new)
        if outcome.taken_as_sent:
            self._again(row)
            return None
        if outcome.create and row.new.get("deleted"):
            return None  # created and deleted offline: nothing to keep
        return doc_id, outcome

    async def _one(self, row: PushRow) -> bool:
        """Merge and apply one row in its own savepoint; whether it was applied."""
        for attempt in range(2):
            plan = await self._plan(row)
            if plan is None:
                return False
            doc_id, outcome = plan
            try:
                async with self.session.begin_nested():
                    change = writes.change_of(self.collection, doc_id, outcome)
                    await writes.apply_one(self.session, self.actor, self.collection, change)
                    if outcome.conflicts:
                        await inbox.record(
                            self.session, self.scope, self.collection, doc_id, outcome.conflicts
                        )
            except (DomainError, IntegrityError) as error:
                if attempt == 0 and outcome.create and await self._reread(doc_id):
                    continue
                await self._refuse(row, str(row.new.get("id")), _as_domain_error(error))
                return False
            await self._applied(doc_id)
            return True
        return False

    async def _applied(self, doc_id: uuid.UUID) -> None:
        """The master changed: read again only if a later row of this batch merges against it
        (the answers read every final master once, at the end)."""
        self.result.changed.add(doc_id)
        self.masters.pop(doc_id, None)
        if doc_id in self.repeated:
            self.masters.update(await _masters(self.session, self.collection, self.scope, [doc_id]))

    def _again(self, row: PushRow) -> None:
        """A row the master already reflects (a retry, a duplicate): answered ``[]`` when its
        client-owned fields match, and sent again on the stream if the device's base is
        behind, so that it learns the server-owned fields it missed."""
        doc_id = row.document_id
        master = self.masters.get(doc_id) if doc_id is not None else None
        if master is None or doc_id is None:
            return
        if row.assumed is None or differs(self.collection.fields, master, row.assumed):
            self.result.reemit.add(doc_id)

    async def _refuse(self, row: PushRow, raw_id: str, error: DomainError) -> None:
        self.result.refused.add(raw_id)
        sent = {
            "assumedMasterState": sealed(self.collection, row.assumed),
            "newDocumentState": sealed(self.collection, row.new),
        }
        await refusals.refuse(self.session, self.scope, self.collection.name, raw_id, error, sent)

    def _answer(self, row: PushRow, final: dict[uuid.UUID, dict[str, Any]]) -> None:
        raw_id = str(row.new.get("id"))
        doc_id = row.document_id
        master = final.get(doc_id) if doc_id is not None else None
        if raw_id in self.result.refused:
            self.result.answers.append(master or tombstone(self.collection, raw_id))
        elif master is not None and differs(
            self.client_fields, unsealed(self.collection, master, row.new) or {}, row.new
        ):
            self.result.answers.append(master)


def _as_id(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value is not None else None
    except ValueError:
        return None


def _as_domain_error(error: Exception) -> DomainError:
    if isinstance(error, DomainError):
        return error
    from domain.errors import Conflict

    return Conflict(N_("the row clashes with data already stored (a duplicate, or a missing link)"))


async def push(
    session: AsyncSession,
    actor: Actor,
    collection: SyncedType,
    rows: Sequence[PushRow],
    *,
    refused_per_device: int = refusals.PER_DEVICE,
) -> Pushed:
    """Apply a batch in the caller's transaction (the edge commits once); the device keeps
    its newest ``refused_per_device`` refused rows."""
    if collection.writer is None:
        raise InvalidInput(
            "collection", N_("{collection} is pull-only"), collection=collection.name
        )
    if len(rows) > MAX_BATCH:
        raise TooMany(N_("push at most {count} rows at a time"), count=MAX_BATCH)
    return await _Batch(session, actor, collection, refused_per_device).run(rows)
