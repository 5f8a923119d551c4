"""Stamp every write to a synced row with a commit-ordered change position.

A sync pull asks for rows with ``position`` greater than its checkpoint, so positions must
become visible in increasing order. Sequences and clocks do not (two writers may commit out
of order); a counter row incremented inside the writer's own transaction does, because its
row lock is held until commit: the next writer waits and so gets a larger position only
after this one is visible. One ``UPDATE ... RETURNING`` per community per flush.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from domain.models import ChangeCounter, Synced


class PositionStampingSession(Session):
    """The session class of every engine: it stamps synced rows before each flush."""


def _changed_synced_rows(session: Session) -> list[Synced]:
    rows: list[Synced] = [obj for obj in session.new if isinstance(obj, Synced)]
    rows.extend(
        obj
        for obj in session.dirty
        if isinstance(obj, Synced) and session.is_modified(obj, include_collections=False)
    )
    return rows


def _stamp(session: Session, _flush_context: Any, _instances: Any) -> None:
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


event.listen(PositionStampingSession, "before_flush", _stamp)
