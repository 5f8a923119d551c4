"""Read side of votes: rules and tallies, your own status, the published lists, the check."""

from __future__ import annotations

import uuid

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from domain import models
from domain.errors import DomainError
from domain.principal import Principal
from domain.services import ballot_audit, panels, votes
from schema.context import Info
from schema.errors import result_union, to_graphql_error
from schema.votes.reading import read_settled, read_votes
from schema.votes.types import (
    ChoiceList,
    Panel,
    PublishedChoice,
    ReceiptList,
    VerifyResult,
    Vote,
    VoterStatus,
)

VoteResult = result_union("VoteResult", Vote)
VoterStatusResult = result_union("VoterStatusResult", VoterStatus)
ReceiptListResult = result_union("ReceiptListResult", ReceiptList)
ChoiceListResult = result_union("ChoiceListResult", ChoiceList)
VerifyTallyResult = result_union("VerifyTallyResult", VerifyResult)


@strawberry.type
class VoteQueryFields:
    @strawberry.field(description="One vote: its rule, status, tally (as far as shown) and you.")
    async def vote(self, info: Info, id: uuid.UUID) -> VoteResult:
        async def fetch(session: AsyncSession, who: Principal) -> list[models.Vote]:
            return [await votes.get_vote(session, who, id)]

        try:
            return (await read_votes(info, fetch))[0]
        except DomainError as error:
            return to_graphql_error(error)

    @strawberry.field(description="The community's votes, latest closing first (at most 200).")
    async def votes(
        self, info: Info, proposal_id: uuid.UUID | None = None, open_only: bool = False
    ) -> list[Vote]:
        async def fetch(session: AsyncSession, who: Principal) -> list[models.Vote]:
            return await votes.list_votes(
                session, who, proposal_id=proposal_id, open_only=open_only
            )

        return await read_votes(info, fetch)

    @strawberry.field(description="Whether you may vote, whether you have, and your receipt.")
    async def my_vote_status(self, info: Info, vote_id: uuid.UUID) -> VoterStatusResult:
        async def read(session: AsyncSession, who: Principal | None) -> VoterStatus:
            vote = await votes.get_vote(session, who, vote_id)
            status = (await votes.voter_statuses(session, who, [vote]))[vote.id]
            return VoterStatus.of(vote.id, status)

        return await read_settled(info, vote_id, read)

    @strawberry.field(
        description="Every receipt of the vote, sorted by value: find yours to see that your "
        "ballot is counted. For staff and for those eligible."
    )
    async def vote_receipts(self, info: Info, vote_id: uuid.UUID) -> ReceiptListResult:
        async def read(session: AsyncSession, who: Principal | None) -> ReceiptList:
            receipts = await ballot_audit.published_receipts(session, who, vote_id)
            return ReceiptList(vote_id=vote_id, receipts=receipts)

        return await read_settled(info, vote_id, read)

    @strawberry.field(
        description="The counted choices. A secret vote's appear only after it closes, by "
        "random ballot id with no voter, time or order; they cannot be matched to receipts. "
        "An open vote's show each voter's masked name with their choice."
    )
    async def vote_choices(self, info: Info, vote_id: uuid.UUID) -> ChoiceListResult:
        async def read(session: AsyncSession, who: Principal | None) -> ChoiceList:
            vote = await votes.get_vote(session, who, vote_id)
            found = await ballot_audit.published_choices(session, who, vote_id)
            return ChoiceList(
                vote_id=vote_id,
                secret=vote.secret,
                choices=[
                    PublishedChoice(choice=c.choice, ballot_id=c.ballot_id, voter=c.voter)
                    for c in found
                ],
            )

        return await read_settled(info, vote_id, read)

    @strawberry.field(
        description="Recompute the hash chain and the tally from the ballot log and compare "
        "them with the receipts, the counted ballots and the stored result."
    )
    async def verify_tally(self, info: Info, vote_id: uuid.UUID) -> VerifyTallyResult:
        async def read(session: AsyncSession, who: Principal | None) -> VerifyResult:
            return VerifyResult.of(vote_id, await ballot_audit.verify_tally(session, who, vote_id))

        return await read_settled(info, vote_id, read)

    @strawberry.field(description="The community's panels (e.g. 五方协商小组) and their members.")
    async def panels(self, info: Info) -> list[Panel]:
        async with info.context.db.read() as session:
            found = await panels.list_panels(session, info.context.principal)
        return [Panel.of(view) for view in found]
