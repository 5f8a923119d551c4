"""Pull orchestration: bookkeeping in a short write, then one read for the page.

The write records what the device acknowledged (its incoming checkpoint; a device behind the
tombstone horizon is told to resync there) and the grid nodes behind the scope fingerprint it
is about to receive; the read plans a normal page or a scope replay and runs the one
statement that fetches documents; a last short write notes what the page sent the device
(``sync.holdings``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.database import Database
from domain.errors import InvalidInput
from domain.i18n import N_
from domain.models import ChangeCounter
from domain.principal import Principal
from sync import documents, holdings
from sync.checkpoint import Checkpoint, decode
from sync.declaration import ScopeSpec, SyncedType
from sync.devices import acknowledge
from sync.errors import TooMany
from sync.pull import Page, normal_page, replay_from, replay_page
from sync.scope import fingerprint, recall, remember, scope_of, union

MAX_LIMIT = 1000


@dataclass(frozen=True)
class Request:
    collection: SyncedType
    scope: ScopeSpec
    current: str
    cursor: Checkpoint | None
    limit: int

    @property
    def acknowledged(self) -> int:
        if self.cursor is None:
            return 0
        return self.cursor.base if self.cursor.rescoping else self.cursor.position


def request(
    principal: Principal | None,
    collection: SyncedType,
    checkpoint: tuple[str, float] | None,
    limit: int,
) -> Request:
    scope = scope_of(principal)
    if limit < 0:
        raise InvalidInput("limit", N_("must not be negative"))
    if limit > MAX_LIMIT:
        raise TooMany(N_("pull at most {count} documents at a time"), count=MAX_LIMIT)
    cursor = decode(*checkpoint) if checkpoint is not None else None
    return Request(collection, scope, fingerprint(collection, scope.grid_ids), cursor, limit)


Held = tuple[str, bool, str]
"""A replay's plan: what the device may hold, whether the replay starts over, what it surely
has (fingerprints)."""


def _common(
    left: frozenset[uuid.UUID] | None, right: frozenset[uuid.UUID] | None
) -> frozenset[uuid.UUID] | None:
    """The grid nodes both scopes cover (None: the whole community)."""
    if left is None:
        return right
    return left if right is None else left & right


async def _held(session: AsyncSession, req: Request) -> Held:
    """What the device may hold, whether the replay starts over, and what it surely has."""
    cursor = req.cursor
    assert cursor is not None
    if not cursor.rescoping:
        return cursor.scope, True, cursor.scope
    assert cursor.held is not None and cursor.target is not None
    if cursor.target == req.current:
        return cursor.held, False, cursor.scope
    community = req.scope.community_id
    target = await recall(session, community, cursor.target)
    grids = union(await recall(session, community, cursor.held), target)
    held = fingerprint(req.collection, grids)
    await remember(session, community, held, grids)
    # The interrupted replay may already have sent removals for what the old scope covers
    # and its target does not (a volunteer moved away, then back before the replay ended):
    # the device surely has only what both cover, complete up to the same base.
    kept = _common(await recall(session, community, cursor.scope), target)
    have = fingerprint(req.collection, kept)
    await remember(session, community, have, kept)
    return held, True, have


async def bookkeeping(
    session: AsyncSession, req: Request, *, acknowledged: bool = True
) -> Held | None:
    community = req.scope.community_id
    await remember(session, community, req.current, req.scope.grid_ids)
    if acknowledged:
        await acknowledge(session, req.scope, req.collection.name, req.acknowledged)
    cursor = req.cursor
    if cursor is None or (not cursor.rescoping and cursor.scope == req.current):
        return None
    return await _held(session, req)


async def page(session: AsyncSession, req: Request, held: Held | None) -> Page:
    community = req.scope.community_id
    if req.limit == 0:
        return Page([], req.cursor or Checkpoint(0, "", req.current))
    if held is None:
        return await normal_page(
            session, req.collection, req.scope, req.current, req.cursor, req.limit
        )
    assert req.cursor is not None
    held_print, restart, have_print = held
    replay = replace(
        replay_from(
            req.cursor,
            await recall(session, community, have_print),
            await recall(session, community, held_print),
            held_print,
            req.scope,
            restart,
        ),
        have_print=have_print,
    )
    return await replay_page(session, req.collection, req.scope, req.current, replay, req.limit)


async def pull(
    db: Database,
    principal: Principal | None,
    collection: SyncedType,
    checkpoint: tuple[str, float] | None,
    limit: int,
) -> Page:
    req = request(principal, collection, checkpoint, limit)
    async with db.transaction() as session:
        held = await bookkeeping(session, req)
    async with db.read() as session:
        found = await page(session, req, held)
    await _record(db, req.scope, collection, found.documents)
    return found


async def _record(
    db: Database, scope: ScopeSpec, collection: SyncedType, sent: list[dict[str, Any]]
) -> None:
    """What the device was just sent (``sync.holdings``), in a short write of its own."""
    if sent:
        async with db.transaction() as session:
            await holdings.record(session, scope, collection, sent)


async def stream_page(
    db: Database,
    principal: Principal | None,
    collection: SyncedType,
    cursor: Checkpoint,
    limit: int,
) -> Page:
    """A pull on behalf of a live stream: the stream's own checkpoint is no acknowledgement."""
    req = request(principal, collection, cursor.wire(), limit)
    held = None
    if req.cursor is not None and (req.cursor.rescoping or req.cursor.scope != req.current):
        async with db.transaction() as session:
            held = await bookkeeping(session, req, acknowledged=False)
    async with db.read() as session:
        found = await page(session, req, held)
    await _record(db, req.scope, collection, found.documents)
    return found


async def documents_by_id(
    db: Database, principal: Principal | None, collection: SyncedType, ids: list[uuid.UUID]
) -> list[dict[str, Any]]:
    """Documents in the device's scope, by id, in checkpoint order (for a stream re-emit)."""
    scope = scope_of(principal)
    model = collection.model
    async with db.read() as session:
        rows = await session.execute(
            documents.statement(collection)
            .where(
                model.community_id == scope.community_id, model.id.in_(ids), collection.scope(scope)
            )
            .order_by(model.position, model.id)
        )
        sent = [documents.to_document(collection, row) for row in rows]
    await _record(db, scope, collection, sent)
    return sent


async def head(session: AsyncSession, scope: ScopeSpec) -> int:
    """The last position handed out in the community: where a new stream starts."""
    found = await session.scalar(
        select(ChangeCounter.last_position).where(ChangeCounter.community_id == scope.community_id)
    )
    return int(found or 0)
