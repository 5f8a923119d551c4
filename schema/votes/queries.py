"""Read side of votes: rules and tallies, your own status, the published lists, the check."""

from __future__ import annotations

import uuid

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from domain import models
from domain.errors import DomainError
from domain.principal import Principal
from domain.services import ballot_audit, in_person, panels, votes
from schema.context import Info
from schema.errors import result_union, to_graphql_error
from schema.votes.reading import read_settled, read_votes
from schema.votes.types import (
    ChoiceList,
    CommitmentList,
    Panel,
    PollingSession,
    PollingSessionList,
    PublishedChoice,
    VerifyResult,
    Vote,
    VoterStatus,
)

VoteResult = result_union("VoteResult", Vote)
VoterStatusResult = result_union("VoterStatusResult", VoterStatus)
CommitmentListResult = result_union("CommitmentListResult", CommitmentList)
PollingSessionsResult = result_union("PollingSessionsResult", PollingSessionList)
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
        description="Every voter's commitment, sorted by value, published with the choices (a "
        "secret vote's when its result is fixed): find yours (see `BallotReceipt`) to see that "
        "your ballot is counted. For staff and for those eligible."
    )
    async def vote_commitments(self, info: Info, vote_id: uuid.UUID) -> CommitmentListResult:
        async def read(session: AsyncSession, who: Principal | None) -> CommitmentList:
            found = await ballot_audit.published_commitments(session, who, vote_id)
            return CommitmentList(vote_id=vote_id, commitments=found)

        return await read_settled(info, vote_id, read)

    @strawberry.field(
        description="Admin: per meeting and recorder, how many in-person ballots of the vote "
        "were recorded, and how many were set aside (the voter had voted already)."
    )
    async def in_person_sessions(self, info: Info, vote_id: uuid.UUID) -> PollingSessionsResult:
        async def read(session: AsyncSession, who: Principal | None) -> PollingSessionList:
            found = await in_person.sessions_of(session, who, vote_id)
            return PollingSessionList(
                vote_id=vote_id,
                sessions=[
                    PollingSession(
                        meeting_id=s.meeting_id,
                        meeting_title=s.meeting_title,
                        starts_at=s.starts_at,
                        recorded_by_id=s.recorded_by_id,
                        recorded_by=s.recorded_by,
                        counted=s.counted,
                        set_aside=s.set_aside,
                    )
                    for s in found
                ],
            )

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
        "them with the receipts, the counted ballots and the stored result, and the published "
        "commitments and choices with the digest sealed at close."
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
