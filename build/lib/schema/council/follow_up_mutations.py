"""落实 and 销号: progress reports, closing an item, and residents' ratings (评菜)."""

from __future__ import annotations

import uuid

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import ProposalStatus
from domain.services import follow_up, ratings
from schema.context import Info
from schema.council.meeting_types import RatingOutcome
from schema.council.topic_types import ProgressReport, Proposal, ReferenceInput
from schema.errors import result_union
from schema.mutations.transaction import in_transaction

ProgressReportResult = result_union("ProgressReportResult", ProgressReport)
CloseProposalResult = result_union("CloseProposalResult", Proposal)
RateProposalResult = result_union("RateProposalResult", RatingOutcome)


@strawberry.type
class FollowUpMutations:
    @strawberry.mutation(
        description="Report progress; the first report starts the work (in progress), one "
        "given at a 汇报会 (meetingId) reports it back."
    )
    async def report_progress(
        self,
        info: Info,
        proposal_id: uuid.UUID,
        text: str,
        percent_done: int,
        photos: list[ReferenceInput] | None = None,
        meeting_id: uuid.UUID | None = None,
    ) -> ProgressReportResult:
        async def work(session: AsyncSession) -> ProgressReport:
            row = await follow_up.report_progress(
                session,
                info.context.principal,
                proposal_id,
                text=text,
                percent_done=percent_done,
                photos=[photo.to_domain() for photo in photos or []],
                meeting_id=meeting_id,
            )
            return ProgressReport.of(row)

        return await in_transaction(info, work)

    @strawberry.mutation(description="销号: close a reported item; its backers are asked to rate.")
    async def close_proposal(
        self, info: Info, id: uuid.UUID, reason: str | None = None
    ) -> CloseProposalResult:
        async def work(session: AsyncSession) -> Proposal:
            return Proposal.of(
                await follow_up.close_proposal(session, info.context.principal, id, reason)
            )

        return await in_transaction(info, work)

    @strawberry.mutation(
        description="评菜: rate a closed item 1-5; below the floor on average, it is reopened."
    )
    async def rate_proposal(
        self, info: Info, id: uuid.UUID, score: int, comment: str | None = None
    ) -> RateProposalResult:
        async def work(session: AsyncSession) -> RatingOutcome:
            proposal, rating = await ratings.rate_proposal(
                session,
                info.context.principal,
                id,
                score=score,
                comment=comment,
                floor=info.context.config.rating_floor,
            )
            return RatingOutcome(
                proposal=Proposal.of(proposal),
                score=rating.score,
                reopened=proposal.status is ProposalStatus.IN_PROGRESS,
            )

        return await in_transaction(info, work)
