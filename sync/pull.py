"""A pull page: the documents after a checkpoint, in scope, exactly ``limit`` while more remain.

Normal pulls are one keyset range over ``(position, id)`` filtered by the device's scope
before the limit, tombstones included. When the device's scope changed since its checkpoint
(a volunteer moved to another grid), the pull replays the difference instead: every document
of the new scope the device cannot have (whatever its position, even below the checkpoint),
every change since the checkpoint, and a bare tombstone for each document the device may
hold that the new scope no longer covers. The replay pages like any pull, and its last page
hands back a normal checkpoint of the new scope. No reset is needed on the phone.

Every deletion and removal is sent only for a document the device was sent before or pushed
(``sync.holdings``): whatever checkpoint it presents, a device learns no id it never held.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from domain.models import Household, SyncDeparture, SyncPushReceipt
from sync import documents
from sync.checkpoint import Checkpoint, after
from sync.declaration import ScopeSpec, SyncedType
from sync.holdings import held
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


async def _rows(session: AsyncSession, statement: Select[Any]) -> Sequence[Any]:
    """Through the session's connection: plain column rows need no ORM result processing."""
    connection = await session.connection()
    return (await connection.execute(statement)).all()


def normal_statement(
    collection: SyncedType, scope: ScopeSpec, cursor: Checkpoint | None, limit: int
) -> Select[Any]:
    """One keyset range, scope filtered before the limit (``bench/pull_cost.py`` explains it)."""
    model = collection.model
    return (
        documents.statement(collection)
        .where(
            model.community_id == scope.community_id,
            collection.scope(scope),
            after(model.position, model.id, cursor),
            or_(model.deleted.is_(False), held(collection, scope, model.id)),
        )
        .order_by(model.position, model.id)
        .limit(limit)
    )


Row = tuple[int, uuid.UUID, dict[str, Any]]
"""A page entry: its position, its id (the keyset) and the document."""


def _departures(
    collection: SyncedType,
    scope: ScopeSpec,
    old_grids: frozenset[uuid.UUID] | None,
    cursor: Checkpoint | None,
    since: int,
    limit: int,
) -> list[Select[Any]]:
    """Rows that left ``old_grids`` (a household moved, a resident re-housed) after ``since``
    and are outside ``scope`` now: tombstones for a device that may still hold them. A
    household's departure also takes its residents and visit notes. Each statement is an
    index range over the departures past the cursor, ``limit`` at most."""
    if not collection.moves or scope.grid_ids is None:
        return []
    model = collection.model

    def outside(document_id: Any) -> ColumnElement[bool]:
        inside = collection.source(select(model.id)).where(
            model.id == document_id, collection.scope(scope)
        )
        return not_(exists(inside))

    def departed(table: str) -> list[ColumnElement[bool]]:
        found = [
            SyncDeparture.community_id == scope.community_id,
            SyncDeparture.source_table == table,
            SyncDeparture.position > since,
        ]
        if old_grids is not None:
            found.append(SyncDeparture.grid_id.in_(old_grids))
        return found

    departure: Any = SyncDeparture
    own: Select[Any] = (
        select(departure.position, departure.document_id.label("id"))
        .where(
            *departed(model.__table__.name),  # type: ignore[attr-defined]
            after(SyncDeparture.position, SyncDeparture.document_id, cursor),
            outside(SyncDeparture.document_id),
            held(collection, scope, SyncDeparture.document_id),
        )
        .order_by(SyncDeparture.position, SyncDeparture.document_id)
        .limit(limit)
    )
    statements: list[Select[Any]] = [own]
    if collection.moves_with is not None:
        moved: Any = aliased(model)
        household = getattr(moved, collection.moves_with().key)
        via: Select[Any] = (
            select(SyncDeparture.position, moved.id.label("id"))
            .join(moved, household == SyncDeparture.document_id)
            .where(
                *departed(Household.__tablename__),
                after(SyncDeparture.position, moved.id, cursor),
                outside(moved.id),
                held(collection, scope, moved.id),
            )
            .order_by(SyncDeparture.position, moved.id)
            .limit(limit)
        )
        statements.append(via)
    return statements


def _pushed_outside(
    collection: SyncedType, scope: ScopeSpec, cursor: Checkpoint | None, since: int, limit: int
) -> list[Select[Any]]:
    """Documents this device pushed (``sync_push_receipt``) that its scope no longer covers,
    changed after ``since``: tombstones. A phone reassigned before it pulled can push into its
    new grid while its checkpoint still speaks for the old one; moved back, it would keep
    those documents, since the checkpoint's scope is otherwise all the pull knows it holds."""
    if not collection.pushable or scope.grid_ids is None or scope.device_id is None:
        return []
    model: Any = collection.model
    pushed: Select[Any] = (
        collection.source(select(model.position, model.id))
        .join(SyncPushReceipt, SyncPushReceipt.document_id == model.id)
        .where(
            SyncPushReceipt.device_id == scope.device_id,
            SyncPushReceipt.collection == collection.name,
            model.community_id == scope.community_id,
            model.position > since,
            after(model.position, model.id, cursor),
            not_(_definitely(collection.scope(scope))),
        )
        .distinct()
        .order_by(model.position, model.id)
        .limit(limit)
    )
    return [pushed]


async def _page_rows(
    session: AsyncSession,
    collection: SyncedType,
    statement: Select[Any],
    tombstones: list[Select[Any]],
    limit: int,
) -> tuple[Sequence[Any], list[dict[str, Any]]]:
    """The first ``limit`` of the documents and the departure tombstones, in keyset order:
    the rows (``id, position`` first) and the documents."""
    rows = await _rows(session, statement)
    found = documents.to_documents(collection, rows)
    if not tombstones:
        return rows, found
    merged: list[tuple[int, uuid.UUID, tuple[Any, ...], dict[str, Any]]] = [
        (int(row[1]), row[0], (row[0], row[1]), doc) for row, doc in zip(rows, found, strict=True)
    ]
    for tombstones_statement in tombstones:
        for position, document_id in await _rows(session, tombstones_statement):
            bare = documents.bare(collection, document_id, position)
            merged.append((int(position), document_id, (document_id, position), bare))
    merged.sort(key=lambda entry: (entry[0], entry[1]))
    del merged[limit:]
    return [entry[2] for entry in merged], [entry[3] for entry in merged]


async def normal_page(
    session: AsyncSession,
    collection: SyncedType,
    scope: ScopeSpec,
    scope_print: str,
    cursor: Checkpoint | None,
    limit: int,
) -> Page:
    statement = normal_statement(collection, scope, cursor, limit)
    since = cursor.position - 1 if cursor is not None else -1
    tombstones = _departures(collection, scope, scope.grid_ids, cursor, since, limit)
    tombstones += _pushed_outside(collection, scope, cursor, since, limit)
    rows, found = await _page_rows(session, collection, statement, tombstones, limit)
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
    sent = held(collection, scope, model.id)
    wanted = or_(
        and_(in_new, or_(not_(in_have), since), or_(model.deleted.is_(False), sent)),
        and_(in_held, not_(in_new), or_(model.deleted.is_(False), since), sent),
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
    tombstones = _departures(
        collection, scope, replay.held.grid_ids, replay.cursor, replay.base, limit
    )
    tombstones += _pushed_outside(collection, scope, replay.cursor, replay.base, limit)
    rows, found = await _page_rows(session, collection, statement, tombstones, limit)
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
