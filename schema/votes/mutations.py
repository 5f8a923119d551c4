"""Write side of votes: call a vote, cast or record a ballot, close a vote.

Each mutation is one transaction; after a ballot commits, subscribers of the vote's tally
channel are told to re-read it (the event names the vote, never a voter or a choice).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from domain import models
from domain.services import ballots, vote_calls, vote_results
from domain.services.votes import VoteClosed
from schema.context import Info
from schema.errors import result_union
from schema.mutations.transaction import in_transaction
from schema.votes.reading import present, publish_tally, settle
from schema.votes.types import (
    BallotReceipt,
    Choice,
    Electorate,
    OnlineChannel,
    Threshold,
    Vote,
)

PutToVoteResult = result_union("PutToVoteResult", Vote)
CastBallotResult = result_union("CastBallotResult", BallotReceipt)
CloseVoteResult = result_union("CloseVoteResult", Vote)


@strawberry.input(description="The rule a topic is put to a vote under; fixed once called.")
class VoteRuleInput:
    electorate: Electorate
    closes_at: datetime = strawberry.field(description="with a time zone; in the future")
    threshold: Threshold
    secret: bool
    opens_at: datetime | None = strawberry.field(default=None, description="default: now")
    grid_id: uuid.UUID | None = strawberry.field(
        default=None, description="residents or households of this node and below only"
    )
    panel_id: uuid.UUID | None = None
    quorum_ballots: int = 0
    quorum_percent: int = strawberry.field(default=0, description="share of the electorate, %")
    allow_change: bool = strawberry.field(
        default=False, description="a voter may change their ballot until close"
    )
    hide_results_until_close: bool = False

    def to_rule(self, offline_grace: timedelta = timedelta(0)) -> vote_calls.VoteRule:
        return vote_calls.VoteRule(
            electorate=models.Electorate(self.electorate),
            closes_at=self.closes_at,
            threshold=models.Threshold(self.threshold),
            secret=self.secret,
            opens_at=self.opens_at,
            grid_id=self.grid_id,
            panel_id=self.panel_id,
            quorum_ballots=self.quorum_ballots,
            quorum_percent=self.quorum_percent,
            allow_change=self.allow_change,
            hide_results_until_close=self.hide_results_until_close,
            offline_grace=offline_grace,
        )


async def _cast(
    info: Info, vote_id: uuid.UUID, work: Callable[[AsyncSession], Awaitable[BallotReceipt]]
) -> CastBallotResult:
    """A ballot for a vote past its time is refused (``VOTE_CLOSED``) by the cast itself,
    under the vote's lock; only then is the vote settled (its result fixed if due), so an
    open vote's ballot costs no read of the vote before its transaction."""
    result = await in_transaction(info, work)
    if isinstance(result, BallotReceipt):
        await publish_tally(info, vote_id)
    elif getattr(result, "code", None) == VoteClosed.code:
        await settle(info, vote_id)
    return result


@strawberry.type
class VoteMutationFields:
    @strawberry.mutation(
        description="Put an accepted or deliberated topic to a vote (admin; or the cadre or "
        "chief of the topic's grid, for a vote within it). One vote runs at a time (CONFLICT "
        "otherwise); after a failed vote the topic, back in deliberation, may be put to a new "
        "vote, after a passed one not. When the result is fixed it reaches the topic: passed, "
        "a deliberated topic goes into follow-up (IN_PROGRESS); failed, back to ACCEPTED; "
        "either way the result is in the topic's history."
    )
    async def put_to_vote(
        self, info: Info, proposal_id: uuid.UUID, rule: VoteRuleInput
    ) -> PutToVoteResult:
        async def work(session: AsyncSession) -> Vote:
            vote = await vote_calls.put_to_vote(
                session,
                info.context.principal,
                proposal_id,
                rule.to_rule(info.context.config.offline_ballot_grace),
            )
            assert info.context.principal is not None
            return (await present(session, info.context.principal, [vote]))[0]

        return await in_transaction(info, work)

    @strawberry.mutation(
        description="Cast your ballot (web or app) while the vote is OPEN. On a secret vote "
        "the first cast returns a `changeToken` once; to change your ballot (if the rule "
        "allows) send it back. A ballot given in person is changed only in person: casting "
        "online after it answers ALREADY_VOTED."
    )
    async def cast_ballot(
        self,
        info: Info,
        vote_id: uuid.UUID,
        choice: Choice,
        change_token: str | None = None,
        channel: OnlineChannel = OnlineChannel.WEB,
    ) -> CastBallotResult:
        async def work(session: AsyncSession) -> BallotReceipt:
            cast = await ballots.cast(
                session,
                info.context.principal,
                vote_id,
                models.Choice(choice),
                change_token=change_token,
                channel=models.Channel(channel.value),
            )
            return BallotReceipt.of(cast)

        return await _cast(info, vote_id, work)

    @strawberry.mutation(
        description="Record a ballot given in person at a meeting (staff who run the meeting "
        "and cover the voter's household; admin for anyone) while the vote is OPEN and the "
        "meeting is under way (MEETING_NOT_OPEN otherwise). Name the meeting and the resident, "
        "or the account of a panel member; the voter's attendance at the meeting is recorded "
        "if it is not yet. The receipt's `changeToken` goes on the voter's slip. A ballot for "
        "a voter who has voted already is answered the same way and set aside, not counted "
        "(the admin sees it in `inPersonSessions`); an in-person ballot is changed, where the "
        "vote allows it, only with the `changeToken` from the voter's slip."
    )
    async def record_in_person_ballot(
        self,
        info: Info,
        vote_id: uuid.UUID,
        choice: Choice,
        meeting_id: uuid.UUID,
        resident_id: uuid.UUID | None = None,
        account_id: uuid.UUID | None = None,
        change_token: str | None = None,
    ) -> CastBallotResult:
        async def work(session: AsyncSession) -> BallotReceipt:
            cast = await ballots.record_in_person(
                session,
                info.context.principal,
                vote_id,
                models.Choice(choice),
                meeting_id=meeting_id,
                resident_id=resident_id,
                account_id=account_id,
                change_token=change_token,
            )
            return BallotReceipt.of(cast)

        return await _cast(info, vote_id, work)

    @strawberry.mutation(
        description="Fix a vote's result (admin) once it is closed and counted: "
        "VOTE_STILL_OPEN before `closesAt`, VOTE_COUNTING until `countingEndsAt`. Reads fix "
        "a vote past its time anyway; this never fixes one early."
    )
    async def close_vote(self, info: Info, vote_id: uuid.UUID) -> CloseVoteResult:
        async def work(session: AsyncSession) -> Vote:
            vote = await vote_results.close_vote(session, info.context.principal, vote_id)
            assert info.context.principal is not None
            return (await present(session, info.context.principal, [vote]))[0]

        result = await in_transaction(info, work)
        if isinstance(result, Vote):
            await publish_tally(info, vote_id)
        return result
