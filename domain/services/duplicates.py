"""The admin's review of ID numbers registered twice (``domain.services.id_numbers``).

Merge: the two records are one person, so the newer one is removed (its household keeps the
first). Dismiss: they are two people and the number belongs to the first, so the newer
record's ID number is cleared. Either way the review is closed once, by the admin.
"""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Conflict, NotFound
from domain.i18n import N_
from domain.models import DuplicateReview, DuplicateStatus, Resident
from domain.models.base import utcnow
from domain.permissions import require_admin
from domain.principal import Principal

REVIEWS_MAX = 200


class DuplicateResolution(StrEnum):
    MERGE = "merge"
    DISMISS = "dismiss"


async def list_duplicate_reviews(
    session: AsyncSession, principal: Principal | None, *, open_only: bool = True
) -> list[DuplicateReview]:
    who = require_admin(principal)
    statement = select(DuplicateReview).where(DuplicateReview.community_id == who.community_id)
    if open_only:
        statement = statement.where(DuplicateReview.status == DuplicateStatus.OPEN)
    statement = statement.order_by(DuplicateReview.created_at, DuplicateReview.id)
    return list(await session.scalars(statement.limit(REVIEWS_MAX)))


async def residents_of(
    session: AsyncSession, reviews: list[DuplicateReview]
) -> dict[uuid.UUID, Resident]:
    """Both records of each review, in one query (the admin sees them unmasked)."""
    ids = {r.resident_id for r in reviews} | {r.existing_resident_id for r in reviews}
    if not ids:
        return {}
    found = await session.scalars(select(Resident).where(Resident.id.in_(ids)))
    return {resident.id: resident for resident in found}


async def resolve_duplicate_review(
    session: AsyncSession,
    principal: Principal | None,
    review_id: uuid.UUID,
    resolution: DuplicateResolution,
) -> DuplicateReview:
    who = require_admin(principal)
    review = await session.scalar(
        select(DuplicateReview)
        .where(DuplicateReview.id == review_id, DuplicateReview.community_id == who.community_id)
        .with_for_update()
    )
    if review is None:
        raise NotFound(N_("duplicate review"), review_id)
    if review.status != DuplicateStatus.OPEN:
        raise Conflict(N_("this duplicate has already been resolved"))
    resident = await session.get(Resident, review.resident_id)
    assert resident is not None  # a foreign key, and residents are only soft-deleted
    if resolution is DuplicateResolution.MERGE:
        resident.deleted = True
        review.status = DuplicateStatus.MERGED
    else:
        resident.id_number_cipher = resident.id_number_hash = resident.id_number_masked = None
        review.status = DuplicateStatus.DISMISSED
    review.resolved_by_id = who.account_id
    review.resolved_at = utcnow()
    await session.flush()
    return review
