"""GraphQL types of votes: the rule, the (possibly partly hidden) tally, receipts, checks."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum

import strawberry

from domain import models
from domain.i18n import reader_language, translate
from domain.services import ballot_audit, ballots, panels, votes
from domain.tally import Tally as DomainTally

Electorate = strawberry.enum(
    models.Electorate,
    description="Who votes: adult residents (of a grid subtree if given), one ballot per "
    "household (cast by its delegate), or a named panel such as 五方协商小组.",
)
Threshold = strawberry.enum(
    models.Threshold,
    description="simple majority (more for than against), two thirds of the ballots cast, "
    "or unanimity of the whole panel",
)
Choice = strawberry.enum(models.Choice, description="for (赞成), against (反对), abstain (弃权)")
BallotChannel = strawberry.enum(
    models.Channel, description="web, the mobile app, or in person at a meeting"
)
VoteStatus = strawberry.enum(
    votes.VoteStatus,
    description="SCHEDULED before `opensAt`; OPEN until `closesAt`, taking ballots; COUNTING "
    "(计票中) from `closesAt` to `countingEndsAt`: closed to new ballots (casting and "
    "recordInPersonBallot answer VOTE_CLOSED, closeVote VOTE_COUNTING), still counting the "
    "in-person ballots phones recorded offline before the close, counts of secret or hidden "
    "votes still hidden; CLOSED once the result is fixed (`final`).",
)


@strawberry.enum(description="How a voter casts their own ballot (in person goes via staff).")
class OnlineChannel(Enum):
    WEB = "web"
    APP = "app"


@strawberry.type(
    description="The count of a vote under its rule. While a secret vote is open only turnout "
    "is shown (`countsHidden`): counts that move right after one neighbour votes would tell "
    "whoever watches them how that neighbour voted. `hideResultsUntilClose` hides the counts "
    "of any vote until it closes; both stay hidden while the vote is COUNTING ballots "
    "recorded offline. Once the result is fixed (`final`) everything is shown."
)
class Tally:
    ballots: int
    electorate_size: int
    turnout: float
    quorum_met: bool
    for_: int | None = strawberry.field(name="for")
    against: int | None
    abstain: int | None
    passed: bool | None
    counts_hidden: bool
    hidden_reason: str | None
    final: bool
    status: VoteStatus = strawberry.field(description="the vote's state as this was counted")

    @staticmethod
    def of(published: votes.PublishedTally) -> Tally:
        tally, hidden = published.tally, published.counts_hidden
        return Tally(
            ballots=tally.ballots,
            electorate_size=tally.electorate_size,
            turnout=tally.turnout,
            quorum_met=tally.quorum_met,
            for_=None if hidden else tally.for_,
            against=None if hidden else tally.against,
            abstain=None if hidden else tally.abstain,
            passed=None if hidden else tally.passed,
            counts_hidden=hidden,
            hidden_reason=(
                translate(published.hidden_reason, reader_language())
                if published.hidden_reason
                else None
            ),
            final=published.final,
            status=published.status,
        )


@strawberry.type(
    description="What you may check about yourself: whether you may vote (and if not, why), "
    "whether your ballot (or your household's) is in, and your receipt."
)
class VoterStatus:
    vote_id: uuid.UUID
    eligible: bool
    reason: str | None
    has_voted: bool
    receipt: str | None
    commitment_salt: str | None = strawberry.field(
        description="Yours only: with `receipt` it gives your commitment in `voteCommitments`."
    )
    commitment: str | None
    can_change: bool
    choice: Choice | None = strawberry.field(
        default=None,
        description="Yours only, on a vote that is not secret: the choice counted for you.",
    )
    cast_by_name: str | None = strawberry.field(
        default=None,
        description="On a household vote (每户一票) whose ballot another member of your "
        "household cast (户代表): who. Shown to the household's members only.",
    )

    @staticmethod
    def of(vote_id: uuid.UUID, status: votes.VoterStatus) -> VoterStatus:
        return VoterStatus(
            vote_id=vote_id,
            eligible=status.eligible,
            reason=translate(status.reason, reader_language()) if status.reason else None,
            has_voted=status.has_voted,
            receipt=status.receipt,
            commitment_salt=status.commitment_salt,
            commitment=status.commitment,
            can_change=status.can_change,
            choice=status.choice,
            cast_by_name=status.cast_by,
        )


@strawberry.type(description="A topic put to a vote under a stated rule (表决).")
class Vote:
    id: uuid.UUID
    proposal_id: uuid.UUID
    electorate: Electorate
    grid_id: uuid.UUID | None
    panel_id: uuid.UUID | None
    electorate_size: int = strawberry.field(description="counted when the vote was called")
    opens_at: datetime
    closes_at: datetime
    final_at: datetime = strawberry.field(
        description="when the result is fixed: the close plus the counting window for ballots "
        "recorded offline at meetings (cast before the close, synced after it)"
    )
    counting_ends_at: datetime | None = strawberry.field(
        description="the end of the counting window (status COUNTING from `closesAt` until "
        "then); null for a vote without one (no grace for offline ballots)"
    )
    quorum_ballots: int
    quorum_percent: int
    threshold: Threshold
    secret: bool
    allow_change: bool
    hide_results_until_close: bool
    status: VoteStatus
    closed_at: datetime | None
    tally: Tally
    viewer_status: VoterStatus = strawberry.field(description="you, on this vote")

    @staticmethod
    def of(
        row: models.Vote,
        status: votes.VoteStatus,
        tally: votes.PublishedTally,
        viewer: votes.VoterStatus,
    ) -> Vote:
        return Vote(
            id=row.id,
            proposal_id=row.proposal_id,
            electorate=row.electorate,
            grid_id=row.grid_id,
            panel_id=row.panel_id,
            electorate_size=row.electorate_size,
            opens_at=row.opens_at,
            closes_at=row.closes_at,
            final_at=votes.final_at(row),
            counting_ends_at=votes.counting_ends_at(row),
            quorum_ballots=row.quorum_ballots,
            quorum_percent=row.quorum_percent,
            threshold=row.threshold,
            secret=row.secret,
            allow_change=row.allow_change,
            hide_results_until_close=row.hide_results_until_close,
            status=status,
            closed_at=row.closed_at,
            tally=Tally.of(tally),
            viewer_status=VoterStatus.of(row.id, viewer),
        )


@strawberry.type(
    description="Proof that your ballot is counted: once the choices are published, find your "
    'commitment, sha256("changlang:commitment:" + commitmentSalt + ":" + receipt), in '
    "`voteCommitments`. It tells nobody how you voted. `commitmentSalt` is shown only to the "
    "voter (for a ballot given in person, in their own `myVoteStatus`), never to a recorder. "
    "`changeToken` (secret votes cast online, and every ballot given in person, for the "
    "voter's slip) is shown this once: keep it to change your ballot; the server keeps only "
    "hashes of it."
)
class BallotReceipt:
    vote_id: uuid.UUID
    receipt: str
    change_token: str | None
    changed: bool
    channel: BallotChannel
    commitment_salt: str | None

    @staticmethod
    def of(cast: ballots.CastReceipt) -> BallotReceipt:
        return BallotReceipt(
            vote_id=cast.vote_id,
            receipt=cast.receipt,
            change_token=cast.change_token,
            changed=cast.changed,
            channel=cast.channel,
            commitment_salt=cast.commitment_salt,
        )


@strawberry.type(
    description="Every voter's commitment (a salted hash of their receipt, the salt known only "
    "to the voter), sorted by value: no order, time, link or receipt in it. Published with "
    "the choices (a secret vote's when it closes)."
)
class CommitmentList:
    vote_id: uuid.UUID
    commitments: list[str]


@strawberry.type(
    description="One meeting's in-person ballots of a vote by one recorder (admin only): "
    "`counted`, and `setAside`, ballots recorded for a voter who had voted already (not "
    "counted; the recorder was answered as for any ballot)."
)
class PollingSession:
    meeting_id: uuid.UUID
    meeting_title: str
    starts_at: datetime
    recorded_by_id: uuid.UUID
    recorded_by: str
    counted: int
    set_aside: int


@strawberry.type(description="The in-person ballots of a vote per meeting and recorder.")
class PollingSessionList:
    vote_id: uuid.UUID
    sessions: list[PollingSession]


@strawberry.type(
    description="One counted choice. Secret vote: the random ballot id and the choice, nothing "
    "else. Open vote: the voter's name as a public notice prints it (张*) and the choice."
)
class PublishedChoice:
    choice: Choice
    ballot_id: uuid.UUID | None
    voter: str | None


@strawberry.type(
    description="The counted choices: a secret vote's only after it closes, sorted by ballot id."
)
class ChoiceList:
    vote_id: uuid.UUID
    secret: bool
    choices: list[PublishedChoice]


@strawberry.type(
    description="verifyTally: the hash chain recomputed, receipts against ballots, the tally "
    "recomputed from the log against the stored result, the published commitments and "
    "choices against the digest sealed at close. `digest` is the sha256 of the published "
    "sets (no order in it); note `sealedDigest` to detect a rewrite of the log later."
)
class VerifyResult:
    vote_id: uuid.UUID
    ok: bool
    problems: list[str]
    log_entries: int
    receipts: int
    counted_ballots: int
    digest: str | None
    sealed_digest: str | None
    recount: Tally | None

    @staticmethod
    def of(vote_id: uuid.UUID, found: ballot_audit.Verification) -> VerifyResult:
        recount = (
            Tally.of(votes.PublishedTally(found.recount, False, True, None))
            if isinstance(found.recount, DomainTally)
            else None
        )
        return VerifyResult(
            vote_id=vote_id,
            ok=found.ok,
            problems=[problem.render(reader_language()) for problem in found.problems],
            log_entries=found.log_entries,
            receipts=found.receipts,
            counted_ballots=found.counted_ballots,
            digest=found.digest,
            sealed_digest=found.sealed_digest,
            recount=recount,
        )


@strawberry.type(description="A member of a panel, with their role (居民代表, 物业公司, ...).")
class PanelMember:
    account_id: uuid.UUID
    display_name: str
    role: str


@strawberry.type(description="A fixed electorate such as the five-party group 五方协商小组.")
class Panel:
    id: uuid.UUID
    name: str
    members: list[PanelMember]

    @staticmethod
    def of(view: panels.PanelView) -> Panel:
        return Panel(
            id=view.panel.id,
            name=view.panel.name,
            members=[
                PanelMember(account_id=m.account_id, display_name=name, role=m.role)
                for m, name in view.members
            ],
        )
