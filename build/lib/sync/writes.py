"""What a merged row becomes for its collection's writer, and how one row is written alone.

The rules here hold for every collection, whichever way its rows are written (one by one
through the writer, or staged together: ``sync.staging``): a device never clears a required
field nor brings a deleted document back.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InvalidInput
from domain.i18n import N_
from sync.declaration import Actor, Kind, SyncedType
from sync.merge import Merge
from sync.staging import Change


def change_of(collection: SyncedType, doc_id: uuid.UUID, m: Merge) -> Change:
    """What the writer gets for a merged row, after the rules every collection shares: a
    required field is not cleared, a deleted document is not brought back (``InvalidInput``)."""
    fields = collection.client_fields
    values = {f.write_key: m.changes[f.wire] for f in fields if f.wire in m.changes}
    if m.create:
        return Change(doc_id, values, create=True)
    for spec in fields:
        if spec.required and spec.kind is not Kind.TAGS and m.changes.get(spec.wire, 0) is None:
            raise InvalidInput(spec.wire, N_("is required: it cannot be cleared"))
    if "deleted" in m.changes and m.changes["deleted"] is not True:
        raise InvalidInput("deleted", N_("a deleted document is not brought back from a device"))
    return Change(doc_id, values, delete=m.changes.get("deleted") is True)


async def apply_one(
    session: AsyncSession, actor: Actor, collection: SyncedType, change: Change
) -> None:
    writer = collection.writer
    assert writer is not None
    if change.create:
        await writer.create(session, actor, change.document_id, change.values)
        return
    if change.values:
        # Edits sent together with a delete are kept on the tombstone: a volunteer's last
        # words on a record are not dropped because they also removed it.
        await writer.update(session, actor, change.document_id, change.values)
    if change.delete:
        await writer.delete(session, actor, change.document_id)
