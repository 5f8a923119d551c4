"""查重: the admin's review of ID numbers that staff registered a second time."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from domain import models
from domain.services import duplicates
from schema.context import Info
from schema.errors import result_union
from schema.mutations.transaction import in_transaction
from schema.types.households import Resident

DuplicateStatus = strawberry.enum(
    models.DuplicateStatus, description="open: the admin decides; merged; dismissed"
)
DuplicateResolution = strawberry.enum(
    duplicates.DuplicateResolution,
    description="merge: the same person, the newer record is removed; dismiss: two people, "
    "the newer record's ID number is cleared",
)


@strawberry.type(
    description="An ID number registered again by staff who do not cover its holder: they were "
    "answered as for a new number (no existence oracle), and the admin reviews the pair."
)
class DuplicateReview:
    id: uuid.UUID
    resident: Resident = strawberry.field(description="The newer record.")
    existing_resident: Resident = strawberry.field(description="The number's first holder.")
    reported_by_account_id: uuid.UUID
    status: DuplicateStatus
    created_at: datetime
    resolved_at: datetime | None


async def _reviews(
    session: AsyncSession, rows: list[models.DuplicateReview]
) -> list[DuplicateReview]:
    found = await duplicates.residents_of(session, rows)
    return [
        DuplicateReview(
            id=row.id,
            resident=Resident.of(found[row.resident_id], True),
            existing_resident=Resident.of(found[row.existing_resident_id], True),
            reported_by_account_id=row.reported_by_id,
            status=models.DuplicateStatus(row.status),
            created_at=row.created_at,
            resolved_at=row.resolved_at,
        )
        for row in rows
    ]


DuplicateReviewResult = result_union("DuplicateReviewResult", DuplicateReview)


@strawberry.type
class DuplicateQueries:
    @strawberry.field(description="Open duplicate ID number reviews (admin only), oldest first.")
    async def duplicate_reviews(self, info: Info) -> list[DuplicateReview]:
        async with info.context.db.read() as session:
            rows = await duplicates.list_duplicate_reviews(session, info.context.principal)
            return await _reviews(session, rows)


@strawberry.type
class DuplicateMutations:
    @strawberry.mutation(description="Close a duplicate ID number review (admin only).")
    async def resolve_duplicate_review(
        self,
        info: Info,
        id: uuid.UUID,
        resolution: DuplicateResolution,
    ) -> DuplicateReviewResult:
        async def work(session: AsyncSession) -> DuplicateReview:
            row = await duplicates.resolve_duplicate_review(
                session, info.context.principal, id, duplicates.DuplicateResolution(resolution)
            )
            return (await _reviews(session, [row]))[0]

        return await in_transaction(info, work)
