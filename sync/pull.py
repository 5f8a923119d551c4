"""A pull page: the documents after a checkpoint, in scope, exactly ``limit`` while more remain.

Normal pulls are one keyset range over ``(position, id)`` filtered by the device's scope
before the limit, tombstones included. When the device's scope changed since its checkpoint
(a volunteer moved to another grid), the pull replays the difference instead: every document
of the new scope the device cannot have (whatever its position, even below the checkpoint),
every change since the checkpoint, and a bare tombstone for each document the device may
hold that the new scope no longer covers. The replay pages like any pull, and its last page
hands back a normal checkpoint of the new scope. No reset is needed on the phone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, not_, or_
from sqlalchemy.ext.asyncio import AsyncSession

from sync import documents
from sync.checkpoint import Checkpoint, after
from sync.declaration import ScopeSpec, SyncedType
from sync.scope import with_grids


@dataclass(frozen=True)
class Page:
    documents: list[dict[str, Any]]
    checkpoint: Checkpoint


@dataclass(frozen=True)
class Replay:
    """A scope change being replayed: what the device has (complete up to ``base``), what it
    may hold, and where the replay stands."""

    have: ScopeSpec
    have_print: str
    held: ScopeSpec
    held_print: str
    base: int
    cursor: Checkpoint | None


def _definitely(predicate: ColumnElement[bool]) -> ColumnElement[bool]:
    """NULL (an outer value missing) counts as outside the scope, also under NOT."""
    return func.coalesce(predicate, false())


async def normal_page(
    session: AsyncSession,
    collection: SyncedType,
    scope: ScopeSpec,
    scope_print: str,
    cursor: Checkpoint | None,
    limit: int,
) -> Page:
    model = collection.model
    statement = (
        documents.statement(collection)
        .where(
            model.community_id == scope.community_id,
            collection.scope(scope),
            after(model.position, model.id, cursor),
        )
        .order_by(model.position, model.id)
        .limit(limit)
    )
    rows = (await session.execute(statement)).all()
    found = [documents.to_document(collection, row) for row in rows]
    if not rows:
        start = cursor or Checkpoint(0, "", scope_print)
        return Page([], Checkpoint(start.position, start.last_id, scope_print))
    last = rows[-1]
    return Page(found, Checkpoint(int(last[1]), str(last[0]), scope_print))


async def replay_page(
    session: AsyncSession,
    collection: SyncedType,
    scope: ScopeSpec,
    scope_print: str,
    replay: Replay,
    limit: int,
) -> Page:
    model = collection.model
    in_new = _definitely(collection.scope(scope))
    in_have = _definitely(collection.scope(replay.have))
    in_held = _definitely(collection.scope(replay.held))
    since = model.position > replay.base
    wanted = or_(
        and_(in_new, or_(not_(in_have), since)),
        and_(in_held, not_(in_new), or_(model.deleted.is_(False), since)),
    )
    statement = (
        documents.statement(collection, in_scope=in_new)
        .where(
            model.community_id == scope.community_id,
            wanted,
            after(model.position, model.id, replay.cursor),
        )
        .order_by(model.position, model.id)
        .limit(limit)
    )
    rows = (await session.execute(statement)).all()
    found = [documents.to_document(collection, row) for row in rows]
    if len(rows) < limit:
        last_position = int(rows[-1][1]) if rows else 0
        if last_position > replay.base:
            done = Checkpoint(last_position, str(rows[-1][0]), scope_print)
        else:
            done = Checkpoint(replay.base, "", scope_print)
        return Page(found, done)
    last = rows[-1]
    return Page(
        found,
        Checkpoint(
            int(last[1]),
            str(last[0]),
            replay.have_print,
            held=replay.held_print,
            base=replay.base,
            target=scope_print,
        ),
    )


def replay_from(
    cursor: Checkpoint,
    have_grids: frozenset[uuid.UUID] | None,
    held_grids: frozenset[uuid.UUID] | None,
    held_print: str,
    scope: ScopeSpec,
    restart: bool,
) -> Replay:
    return Replay(
        have=with_grids(scope, have_grids),
        have_print=cursor.scope,
        held=with_grids(scope, held_grids),
        held_print=held_print,
        base=cursor.base if cursor.rescoping else cursor.position,
        cursor=None if restart else cursor,
    )
