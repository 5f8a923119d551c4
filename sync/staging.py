"""A push's accepted rows written together: one savepoint, one flush, one position stamp.

Through a writer's ``create``/``update``/``delete`` each row pays its own look-ups (its
household, its grid coverage), savepoint and flush: about six statements a row, and on a
2-CPU machine each statement is a thread hand-off (aiosqlite) or a network round trip. A
writer that can also *stage* checks a whole batch against look-ups made once, by the same
domain rules (the services' own ``stage_*`` functions, which their single-row forms call
too), and leaves the rows in the session; one flush then writes them all, stamped with one
change-counter update (``domain.positions``).

One bad row must still never block the rest: a batch with refused rows is rolled back and
staged again without them, and every row that is not written here goes the per-row way
(``sync.push``), which refuses it with its reason exactly as before. A flush that fails (a
concurrent copy of the same push created the rows first) sends the whole batch that way,
where each create is merged again against the winner.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import Table, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError
from domain.models import Synced
from domain.positions import stamp_new_rows
from domain.services.resident_rows import NotPlain
from sync.declaration import Actor


@dataclass(frozen=True)
class Change:
    """One merged row to write: ``values`` as a ``Writer`` gets them (wire values under each
    field's ``write_key``: every client-owned field for a create, the merge's changes for an
    update), and whether the row is also deleted."""

    document_id: uuid.UUID
    values: Mapping[str, Any]
    create: bool = False
    delete: bool = False


@runtime_checkable
class Stager(Protocol):
    """A writer that can stage a batch: apply every change to session objects, unflushed, by
    the rules its ``create``/``update``/``delete`` follow, and name the rows those rules
    refuse (their objects may be left half changed: the caller rolls the batch back)."""

    async def stage(
        self, session: AsyncSession, actor: Actor, changes: Sequence[Change]
    ) -> set[uuid.UUID]: ...


class _Refused(Exception):
    """Rolls the staging savepoint back when some rows were refused."""

    def __init__(self, ids: set[uuid.UUID]) -> None:
        super().__init__(f"{len(ids)} rows refused")
        self.ids = ids


async def _attempt(
    session: AsyncSession, actor: Actor, stager: Stager, changes: Sequence[Change]
) -> set[uuid.UUID] | None:
    """Stage and flush in a savepoint. The refused ids (then nothing is kept); None when the
    flush failed (nothing is kept either)."""
    try:
        async with session.begin_nested():
            refused = await stager.stage(session, actor, changes)
            if refused:
                raise _Refused(refused)
    except _Refused as refusal:
        return refusal.ids
    except (DomainError, IntegrityError):
        return None
    return set()


@runtime_checkable
class RowStager(Stager, Protocol):
    """A stager that can also turn a batch of creates into rows for one Core ``INSERT``
    (``model``'s table), by the same rules, without building objects for the unit of work
    to track; it raises ``NotPlain`` for a batch it cannot, which is then staged."""

    model: type[Synced]

    async def new_rows(
        self, session: AsyncSession, actor: Actor, changes: Sequence[Change]
    ) -> tuple[list[dict[str, Any]], set[uuid.UUID]]: ...


async def _insert_together(
    session: AsyncSession, actor: Actor, stager: RowStager, changes: Sequence[Change]
) -> set[uuid.UUID] | None:
    """``write_together`` for a batch of creates, with Core: the rows the rules accept,
    stamped as a flush would stamp them and inserted in a savepoint; the same outcome as
    staging (refused rows left out, a failed insert leaves every row to the per-row way).
    None when the batch must be staged instead."""
    try:
        rows, _refused = await stager.new_rows(session, actor, changes)
    except NotPlain:
        return None
    except DomainError:
        return set()
    if not rows:
        return set()
    table: Table = stager.model.__table__  # type: ignore[attr-defined]
    try:
        async with session.begin_nested():
            await stamp_new_rows(session, actor.principal.community_id, table.name, rows)
            connection = await session.connection()
            await connection.execute(insert(table), rows)
    except IntegrityError:
        return set()
    return {row["id"] for row in rows}


async def write_together(
    session: AsyncSession, actor: Actor, stager: Stager, changes: Sequence[Change]
) -> set[uuid.UUID]:
    """Write what the rules accept in one flush (creates alone, where the writer can, in one
    Core insert); the ids written (the caller sends the others the per-row way)."""
    if isinstance(stager, RowStager) and all(change.create for change in changes):
        inserted = await _insert_together(session, actor, stager, changes)
        if inserted is not None:
            return inserted
    refused = await _attempt(session, actor, stager, changes)
    if refused is None:
        return set()
    rest = [change for change in changes if change.document_id not in refused]
    if refused and (not rest or await _attempt(session, actor, stager, rest) != set()):
        return set()
    return {change.document_id for change in rest}


def converted(
    changes: Iterable[Change], convert: Callable[[Mapping[str, Any]], dict[str, Any]]
) -> tuple[dict[uuid.UUID, dict[str, Any]], set[uuid.UUID]]:
    """Each change's values as its services take them (``convert``: the writer's own wire
    conversion), and the rows whose values do not convert."""
    found: dict[uuid.UUID, dict[str, Any]] = {}
    refused: set[uuid.UUID] = set()
    for change in changes:
        try:
            found[change.document_id] = convert(change.values)
        except DomainError:
            refused.add(change.document_id)
    return found, refused


async def each(
    changes: Iterable[Change], stage_one: Callable[[Change], Awaitable[None]]
) -> set[uuid.UUID]:
    """Stage the changes one by one; the ids whose rules refused them."""
    refused: set[uuid.UUID] = set()
    for change in changes:
        try:
            await stage_one(change)
        except DomainError:
            refused.add(change.document_id)
    return refused
