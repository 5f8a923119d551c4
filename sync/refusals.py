"""A pushed row the server would not store: kept with its reason, and told to the device.

Nothing a volunteer typed is dropped silently. The row as sent goes to ``refused_push``, and
the reason reaches the app as a document of its ``deviceNotice`` collection, stored as its
template and parameters so that the phone reads it in its own language (``sync.notices``).
A retried push of the same row records it once.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError
from domain.models import DeviceNotice, RefusedPush
from sync import notices
from sync.declaration import ScopeSpec

REASON_MAX = 500


def _key(*parts: Any) -> str:
    return hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS)).hexdigest()


async def refuse(
    session: AsyncSession,
    scope: ScopeSpec,
    collection: str,
    document_id: str,
    error: DomainError,
    row: dict[str, Any],
) -> None:
    """``error``'s English text is kept with the row (for staff); the device gets a notice."""
    key = _key(str(scope.device_id), collection, document_id, row)
    if await session.scalar(select(RefusedPush.id).where(RefusedPush.dedupe_key == key)):
        return
    try:
        async with session.begin_nested():
            _add(session, scope, collection, document_id, error, row, key)
    except IntegrityError:
        pass  # the same refusal, recorded by a concurrent copy of this push


def _add(
    session: AsyncSession,
    scope: ScopeSpec,
    collection: str,
    document_id: str,
    error: DomainError,
    row: dict[str, Any],
    key: str,
) -> None:
    code = error.code
    session.add(
        RefusedPush(
            community_id=scope.community_id,
            collection=collection,
            document_id=document_id[:100],
            device_id=scope.device_id,
            account_id=scope.account_id,
            code=code[:40],
            reason=error.message[:REASON_MAX],
            row=row,
            dedupe_key=key,
        )
    )
    if scope.device_id is not None:
        session.add(
            DeviceNotice(
                community_id=scope.community_id,
                device_id=scope.device_id,
                kind="push_refused",
                collection=collection,
                document_id=document_id[:100],
                code=code[:40],
                message=notices.encode_error(error, REASON_MAX),
            )
        )
