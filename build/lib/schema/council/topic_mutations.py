"""Changing topics (议题): raise, support (附议), merge, decline, withdraw.

Each mutation is one transaction (``in_transaction``); a new topic is announced on the
community's channel only after it committed, and the announcement carries ids only.
"""

from __future__ import annotations

import uuid

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from domain.services import merge, proposals
from schema.context import Info
from schema.council.meeting_types import RaisedProposal
from schema.council.topic_types import (
    Proposal,
    ProposalCategory,
    ProposalSource,
    ReferenceInput,
    SimilarTopic,
)
from schema.errors import Error, result_union
from schema.events import proposals_channel
from schema.mutations.transaction import in_transaction

RaiseProposalResult = result_union("RaiseProposalResult", RaisedProposal)
ProposalChangeResult = result_union("ProposalChangeResult", Proposal)


@strawberry.input(description="A new topic. `suggestion_box` keeps the submitter anonymous.")
class RaiseProposalInput:
    title: str
    category: ProposalCategory
    source: ProposalSource
    description: str = ""
    grid_id: uuid.UUID | None = None
    resident_id: uuid.UUID | None = strawberry.field(
        default=None, description="Staff on a visit: the resident who raised it."
    )
    attachments: list[ReferenceInput] = strawberry.field(default_factory=list)


@strawberry.type
class TopicMutations:
    @strawberry.mutation(description="Raise a topic; the answer lists similar open topics.")
    async def raise_proposal(self, info: Info, input: RaiseProposalInput) -> RaiseProposalResult:
        async def work(session: AsyncSession) -> RaisedProposal:
            row, similar = await proposals.raise_proposal(
                session,
                info.context.principal,
                proposals.NewProposal(
                    title=input.title,
                    category=input.category,
                    source=input.source,
                    description=input.description,
                    grid_id=input.grid_id,
                    resident_id=input.resident_id,
                    attachments=[item.to_domain() for item in input.attachments],
                ),
            )
            return RaisedProposal(
                proposal=Proposal.of(row),
                similar=[
                    SimilarTopic(proposal=Proposal.of(s.proposal), score=s.score) for s in similar
                ],
            )

        result = await in_transaction(info, work)
        if not isinstance(result, Error):
            principal = info.context.principal
            assert principal is not None
            await info.context.events.publish(
                proposals_channel(principal.community_id),
                {"event": "raised", "proposalId": str(result.proposal.id)},
            )
        return result

    @strawberry.mutation(description="附议: support a topic, once per resident.")
    async def support_proposal(self, info: Info, id: uuid.UUID) -> ProposalChangeResult:
        async def work(session: AsyncSession) -> Proposal:
            return Proposal.of(
                await proposals.support_proposal(session, info.context.principal, id)
            )

        return await in_transaction(info, work)

    @strawberry.mutation(
        description="Merge duplicates into a target: their supporters and raisers support "
        "the target (each resident once); topics put to a vote are refused."
    )
    async def merge_proposals(
        self, info: Info, target_id: uuid.UUID, source_ids: list[uuid.UUID]
    ) -> ProposalChangeResult:
        async def work(session: AsyncSession) -> Proposal:
            return Proposal.of(
                await merge.merge_proposals(session, info.context.principal, target_id, source_ids)
            )

        return await in_transaction(info, work)

    @strawberry.mutation(description="Decline a submitted or accepted topic, with a reason.")
    async def decline_proposal(
        self, info: Info, id: uuid.UUID, reason: str
    ) -> ProposalChangeResult:
        async def work(session: AsyncSession) -> Proposal:
            return Proposal.of(
                await proposals.decline_proposal(session, info.context.principal, id, reason)
            )

        return await in_transaction(info, work)

    @strawberry.mutation(description="The raiser (or the admin) withdraws a topic.")
    async def withdraw_proposal(
        self, info: Info, id: uuid.UUID, reason: str | None = None
    ) -> ProposalChangeResult:
        async def work(session: AsyncSession) -> Proposal:
            return Proposal.of(
                await proposals.withdraw_proposal(session, info.context.principal, id, reason)
            )

        return await in_transaction(info, work)
