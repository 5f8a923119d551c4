"""Stamp every write to a synced row with a commit-ordered change position.

A sync pull asks for rows with ``position`` greater than its checkpoint, so positions must
become visible in increasing order. Sequences and clocks do not (two writers may commit out
of order); a counter row incremented inside the writer's own transaction does, because its
row lock is held until commit: the next writer waits and so gets a larger position only
after this one is visible. One ``UPDATE ... RETURNING`` per community per flush.

Each stamped table is also noted on the session (``domain.changes``), so that live streams
hear of the write once it commits, whichever code path made it.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, attributes

from domain.changes import note
from domain.models import ChangeCounter, Household, Resident, SyncDeparture, Synced, VisitNote

FOLLOWERS: tuple[type[Resident] | type[VisitNote], ...] = (Resident, VisitNote)
"""Rows that belong to a household and move with it (their scope is its grid node)."""


class PositionStampingSession(Session):
    """The session class of every engine: it stamps synced rows before each flush."""


def _changed_synced_rows(session: Session) -> list[Synced]:
    """New rows in the order they were added, then changed ones in id order: the session
    keeps its changed objects in a set, so without an order the same writes would get their
    positions in a different order from one run to the next."""
    rows: list[Synced] = [obj for obj in session.new if isinstance(obj, Synced)]
    changed = [
        obj
        for obj in session.dirty
        if isinstance(obj, Synced) and session.is_modified(obj, include_collections=False)
    ]
    rows.extend(sorted(changed, key=lambda obj: (str(obj.__tablename__), str(obj.id))))  # type: ignore[attr-defined]
    return rows


def _old(row: Synced, key: str) -> Any:
    """The value an attribute had before this flush, if it changed (else None)."""
    history = attributes.get_history(row, key)
    if history.deleted and history.added and history.deleted[0] != history.added[0]:
        return history.deleted[0]
    return None


def _departures(session: Session) -> list[Household]:
    """Record every row leaving a grid node in this flush, so that devices covering the old
    node get a tombstone for it; return the households that moved (their residents and
    visit notes are re-stamped with them, so devices covering the new node receive them)."""
    moved: list[Household] = []
    rehoused: list[tuple[Synced, uuid.UUID]] = []
    for row in list(session.dirty):
        if isinstance(row, Household) and (old_grid := _old(row, "grid_id")) is not None:
            moved.append(row)
            session.add(_departure(row, old_grid))
        elif isinstance(row, FOLLOWERS) and (old_home := _old(row, "household_id")) is not None:
            rehoused.append((row, old_home))
    if rehoused:
        homes = {home for _, home in rehoused}
        found = session.connection().execute(
            select(Household.id, Household.grid_id).where(Household.id.in_(homes))
        )
        grids = {home: grid for home, grid in found}
        for row, home in rehoused:
            if home in grids:
                session.add(_departure(row, grids[home]))
    return moved


def _departure(row: Synced, grid_id: uuid.UUID) -> SyncDeparture:
    return SyncDeparture(
        community_id=row.community_id,
        source_table=str(row.__tablename__),  # type: ignore[attr-defined]
        document_id=row.id,
        grid_id=grid_id,
    )


def _stamp(session: Session, _flush_context: Any, _instances: Any) -> None:
    moved = _departures(session)
    by_community: dict[uuid.UUID, list[Synced]] = defaultdict(list)
    for row in _changed_synced_rows(session):
        by_community[row.community_id].append(row)
    connection = session.connection()
    for community_id in sorted(by_community):
        rows = by_community[community_id]
        last = connection.execute(
            update(ChangeCounter)
            .where(ChangeCounter.community_id == community_id)
            .values(last_position=ChangeCounter.last_position + len(rows))
            .returning(ChangeCounter.last_position)
        ).scalar_one()
        first = last - len(rows) + 1
        for offset, row in enumerate(rows):
            row.position = first + offset
        for table in {str(row.__tablename__) for row in rows}:  # type: ignore[attr-defined]
            note(session, community_id, table)
    for household in moved:
        for follower in FOLLOWERS:
            note(session, household.community_id, str(follower.__tablename__))
            connection.execute(
                update(follower)
                .where(follower.household_id == household.id)
                .values(position=household.position)
                .execution_options(synchronize_session=False)
            )


event.listen(PositionStampingSession, "before_flush", _stamp)


async def reserve_position(session: AsyncSession, community_id: uuid.UUID) -> int | None:
    """A new change position for a bulk write that the flush hook does not see (an
    ``UPDATE ... WHERE``, which may stamp many rows with it); None when the community has no
    counter yet (nothing of it was ever synced)."""
    found = await session.execute(
        update(ChangeCounter)
        .where(ChangeCounter.community_id == community_id)
        .values(last_position=ChangeCounter.last_position + 1)
        .returning(ChangeCounter.last_position)
    )
    return found.scalar_one_or_none()


async def stamp_new_rows(
    session: AsyncSession, community_id: uuid.UUID, table: str, rows: list[dict[str, Any]]
) -> None:
    """Positions for rows a Core ``INSERT`` is about to write (the flush hook never sees
    them), in the order given, from one counter update, exactly as a flush of the same new
    objects would stamp them; the table is noted for the streams like a flush's."""
    if not rows:
        return
    last = (
        await session.execute(
            update(ChangeCounter)
            .where(ChangeCounter.community_id == community_id)
            .values(last_position=ChangeCounter.last_position + len(rows))
            .returning(ChangeCounter.last_position)
        )
    ).scalar_one()
    first = last - len(rows) + 1
    for offset, row in enumerate(rows):
        row["position"] = first + offset
    note(session, community_id, table)
