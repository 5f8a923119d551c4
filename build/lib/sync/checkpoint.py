"""Checkpoints: where a device's pull stands, opaque to the client and echoed back exactly.

On the wire a checkpoint is ``{id: String!, updatedAt: Float!}``. ``updatedAt`` carries the
commit-ordered change position (never a clock), ``id`` the last document's id as tie-breaker
plus, after ``~``, the fingerprint of the scope the device's copy is complete for. While a
scope change is being replayed (a volunteer moved to another grid) it also carries the scope
of everything the device may still hold and the position its old copy was complete up to:

    normal:     "<last id>~<scope>"                         updatedAt = last position
    rescoping:  "<last id>~<scope>~<held>~<base>~<target>"  updatedAt = cursor of the replay

``scope`` is what the device surely has (complete up to ``base``), ``held`` what it may hold
(removals are sent for what ``held`` covers and the new scope does not), ``target`` the scope
the replay is bringing it to (if that changes again mid-replay, the replay starts over).

Pages are keyset ranges over ``(position, id)``; an index on ``(community_id, position, id)``
serves them.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, or_

from domain.i18n import N_
from sync.errors import BadCheckpoint

MAX_POSITION = 2**53  # a JSON number holds integers exactly up to here
_FINGERPRINT = re.compile(r"^[0-9a-z]{1,40}$")


@dataclass(frozen=True)
class Checkpoint:
    position: int
    last_id: str
    scope: str
    held: str | None = None
    base: int = 0
    target: str | None = None

    @property
    def rescoping(self) -> bool:
        return self.held is not None

    def wire(self) -> tuple[str, float]:
        parts = [self.last_id, self.scope]
        if self.held is not None:
            parts += [self.held, str(self.base), self.target or self.scope]
        return "~".join(parts), float(self.position)


def decode(checkpoint_id: str, updated_at: float) -> Checkpoint:
    """A checkpoint this server issued, or ``BadCheckpoint``."""
    if not isinstance(updated_at, int | float) or updated_at != int(updated_at):
        raise BadCheckpoint(N_("checkpoint.updatedAt is not a position this server issued"))
    position = int(updated_at)
    parts = checkpoint_id.split("~") if len(checkpoint_id) <= 200 else []
    if len(parts) not in (2, 5) or not 0 <= position < MAX_POSITION:
        raise BadCheckpoint(N_("checkpoint.id is not one this server issued"))
    last_id, scope, *rest = parts
    if last_id:
        try:
            last_id = str(uuid.UUID(last_id))
        except ValueError as exc:
            raise BadCheckpoint(N_("checkpoint.id is not one this server issued")) from exc
    held, base, target = None, 0, None
    if rest:
        held, base_text, target = rest
        if not base_text.isdigit() or not all(_FINGERPRINT.match(p) for p in (held, target)):
            raise BadCheckpoint(N_("checkpoint.id is not one this server issued"))
        base = int(base_text)
    if not _FINGERPRINT.match(scope):
        raise BadCheckpoint(N_("checkpoint.id is not one this server issued"))
    return Checkpoint(position, last_id, scope, held, base, target)


def after(position: Any, identifier: Any, cursor: Checkpoint | None) -> ColumnElement[bool]:
    """Rows strictly after the cursor in ``(position, id)`` order.

    The keyset ``OR`` comes with its own ``position >= p`` term: that term is the index
    range. SQLite folds ``position > p OR position = p`` into such a range only when both
    sides are the same literal; with bound parameters (two ``?``) it reads no range at all
    and scans the community's whole index (``bench/README.md``, pull cost)."""
    if cursor is None:
        return position >= 0
    if not cursor.last_id:
        return position > cursor.position
    return and_(
        position >= cursor.position,
        or_(
            position > cursor.position,
            and_(position == cursor.position, identifier > uuid.UUID(cursor.last_id)),
        ),
    )
