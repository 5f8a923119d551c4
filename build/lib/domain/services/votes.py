"""Putting a topic (议题) to a vote under a stated rule, and reading votes back.

The rule is frozen when the vote is created: the electorate's size is counted then, and the
first entry of the vote's hash-chained log records the whole rule, so that nobody can move a
quorum or a deadline afterwards without ``verifyTally`` noticing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import ballot_log
from domain.electorate import Eligibility, electorate_size, eligibility, load_facts
from domain.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from domain.i18n import N_, word
from domain.models import (
    Ballot,
    BallotLogEntry,
    Choice,
    Electorate,
    GridPost,
    Panel,
    PostRole,
    Proposal,
    ProposalStatus,
    Threshold,
    Vote,
    VoterRecord,
)
from domain.models.base import utcnow
from domain.permissions import require_login, require_staff
from domain.principal import Principal
from domain.services.grids import community_grids, get_grid, subtree_ids
from domain.tally import Tally, TallyRule, count

VOTABLE = frozenset({ProposalStatus.ACCEPTED, ProposalStatus.DELIBERATED})
"""A topic goes to a vote once it is on an agenda or a resolution is being agreed."""

DEAD = frozenset({ProposalStatus.MERGED, ProposalStatus.WITHDRAWN, ProposalStatus.DECLINED})
"""A topic in one of these states takes no more ballots, even if its vote is still open."""

CALLERS = frozenset({PostRole.CADRE, PostRole.GRID_CHIEF})
"""Besides the admin, the grid's cadre and chief may call a vote for a topic in their grid."""

QUORUM_BALLOTS_MAX = 1_000_000
OFFLINE_GRACE_MAX = timedelta(days=7)


class VoteNotOpen(DomainError):
    code = "VOTE_NOT_OPEN"


class VoteClosed(DomainError):
    code = "VOTE_CLOSED"


class VoteStillOpen(DomainError):
    code = "VOTE_STILL_OPEN"


class NotEligible(DomainError):
    code = "NOT_ELIGIBLE"


class AlreadyVoted(DomainError):
    code = "ALREADY_VOTED"

    def __init__(
        self, message: str = N_("a ballot is already counted for this voter"), **params: Any
    ) -> None:
        super().__init__(message, **params)


class BallotTooLate(DomainError):
    """A ballot recorded offline reached the server after the vote's grace window."""

    code = "BALLOT_TOO_LATE"


class ClockSkew(DomainError):
    """The phone's clock is too far from the server's (or unknown): its cast time is not
    trusted."""

    code = "CLOCK_SKEW"


class BallotSuperseded(DomainError):
    """A ballot of the same voter cast later already counts (changes allowed: latest wins)."""

    code = "BALLOT_SUPERSEDED"


class InvalidChangeToken(DomainError):
    code = "INVALID_CHANGE_TOKEN"

    def __init__(self) -> None:
        super().__init__(N_("this change token does not belong to your ballot"))


class ProposalNotVotable(DomainError):
    code = "PROPOSAL_NOT_VOTABLE"


class ResultsHidden(DomainError):
    code = "RESULTS_HIDDEN"


class VoteStatus(StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class VoteRule:
    electorate: Electorate
    closes_at: datetime
    threshold: Threshold
    secret: bool
    opens_at: datetime | None = None
    grid_id: uuid.UUID | None = None
    panel_id: uuid.UUID | None = None
    quorum_ballots: int = 0
    quorum_percent: int = 0
    allow_change: bool = False
    hide_results_until_close: bool = False
    offline_grace: timedelta = timedelta(0)
    """Ballots recorded offline before ``closes_at`` may arrive this long after it; the
    result is fixed once it has passed (never earlier: a lone late ballot added to a
    published result would show how its voter voted)."""


def final_at(vote: Vote) -> datetime:
    """When the result may be fixed: the close plus the grace for ballots recorded offline."""
    return vote.closes_at + timedelta(seconds=vote.offline_grace_seconds or 0)


def status_of(vote: Vote, now: datetime) -> VoteStatus:
    if vote.closed_at is not None or now >= vote.closes_at:
        return VoteStatus.CLOSED
    if now < vote.opens_at:
        return VoteStatus.SCHEDULED
    return VoteStatus.OPEN


def is_due(vote: Vote, now: datetime) -> bool:
    """Past its closing time (and the offline grace) but not yet finalized: the next read or
    write fixes its result."""
    return vote.closed_at is None and now >= final_at(vote)


def tally_rule(vote: Vote) -> TallyRule:
    return TallyRule(
        electorate_size=vote.electorate_size,
        quorum_ballots=vote.quorum_ballots,
        quorum_percent=vote.quorum_percent,
        threshold=vote.threshold,
    )


def rule_payload(vote: Vote) -> dict[str, Any]:
    """The rule as the log's first entry records it (and ``verifyTally`` compares it)."""
    payload: dict[str, Any] = {
        "vote": str(vote.id),
        "proposal": str(vote.proposal_id),
        "electorate": vote.electorate.value,
        "grid": str(vote.grid_id) if vote.grid_id else None,
        "panel": str(vote.panel_id) if vote.panel_id else None,
        "electorate_size": vote.electorate_size,
        "opens_at": vote.opens_at.astimezone(UTC).isoformat(),
        "closes_at": vote.closes_at.astimezone(UTC).isoformat(),
        "quorum_ballots": vote.quorum_ballots,
        "quorum_percent": vote.quorum_percent,
        "threshold": vote.threshold.value,
        "secret": vote.secret,
        "allow_change": vote.allow_change,
        "hide_results_until_close": vote.hide_results_until_close,
    }
    if vote.offline_grace_seconds:
        payload["offline_grace_seconds"] = vote.offline_grace_seconds
    return payload


async def append_log(
    session: AsyncSession, vote: Vote, entries: list[tuple[str, dict[str, Any]]]
) -> None:
    """Add links to the vote's chain; callers hold the vote's row lock (see ``lock_vote``).

    The previous link is read once, so closing a vote of any size costs one read here.
    """
    last = await session.scalar(
        select(BallotLogEntry)
        .where(BallotLogEntry.vote_id == vote.id)
        .order_by(BallotLogEntry.seq.desc())
        .limit(1)
    )
    link = (
        ballot_log.LogLink(last.seq, last.kind, last.payload, last.prev_hash, last.entry_hash)
        if last is not None
        else None
    )
    for kind, payload in entries:
        link = ballot_log.next_link(link, kind, payload)
        session.add(
            BallotLogEntry(
                community_id=vote.community_id,
                vote_id=vote.id,
                seq=link.seq,
                kind=link.kind,
                payload=link.payload,
                prev_hash=link.prev_hash,
                entry_hash=link.entry_hash,
            )
        )


async def get_vote(session: AsyncSession, principal: Principal | None, vote_id: uuid.UUID) -> Vote:
    who = require_login(principal)
    vote = await session.scalar(
        select(Vote).where(Vote.id == vote_id, Vote.community_id == who.community_id)
    )
    if vote is None:
        raise NotFound(N_("vote"), vote_id)
    return vote


async def lock_vote(session: AsyncSession, principal: Principal, vote_id: uuid.UUID) -> Vote:
    """The vote, row-locked until commit: every ballot event of one vote runs one at a time.

    The lock orders the log's appends (two casts must not both claim the next ``seq``) and
    lets a cast that waited see the ballot its twin just committed. On SQLite writers are
    already serialized by ``BEGIN IMMEDIATE`` and ``FOR UPDATE`` compiles to nothing.
    """
    vote = await session.scalar(
        select(Vote)
        .where(Vote.id == vote_id, Vote.community_id == principal.community_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if vote is None:
        raise NotFound(N_("vote"), vote_id)
    return vote


async def list_votes(
    session: AsyncSession,
    principal: Principal | None,
    *,
    proposal_id: uuid.UUID | None = None,
    open_only: bool = False,
    limit: int = 200,
) -> list[Vote]:
    who = require_login(principal)
    statement = select(Vote).where(Vote.community_id == who.community_id)
    if proposal_id is not None:
        statement = statement.where(Vote.proposal_id == proposal_id)
    if open_only:
        now = utcnow()
        statement = statement.where(
            Vote.closed_at.is_(None), Vote.opens_at <= now, Vote.closes_at > now
        )
    rows = await session.scalars(statement.order_by(Vote.closes_at.desc(), Vote.id).limit(limit))
    return list(rows)


async def live_counts(
    session: AsyncSession, vote_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Choice]]:
    """The counted choices of many votes in one grouped query (never one query per vote)."""
    counted: dict[uuid.UUID, list[Choice]] = {vote_id: [] for vote_id in vote_ids}
    if not vote_ids:
        return counted
    rows = await session.execute(
        select(Ballot.vote_id, Ballot.choice, func.count())
        .where(Ballot.vote_id.in_(vote_ids), Ballot.superseded.is_(False))
        .group_by(Ballot.vote_id, Ballot.choice)
    )
    for vote_id, choice, number in rows:
        counted[vote_id].extend([Choice(choice)] * int(number))
    return counted


@dataclass(frozen=True)
class PublishedTally:
    """What may be shown now: while a secret vote is open only turnout, never the counts.

    Counts that move after one cast tell whoever watches them how that voter voted (the
    one "for" that appeared when a neighbour voted), so a secret vote shows them at close.
    ``hide_results_until_close`` does the same on any vote.
    """

    tally: Tally
    counts_hidden: bool
    final: bool
    hidden_reason: str | None


def publish_tally(vote: Vote, choices: list[Choice], now: datetime) -> PublishedTally:
    if vote.closed_at is not None and vote.result is not None:
        return PublishedTally(Tally.from_dict(vote.result), False, True, None)
    tally = count(choices, tally_rule(vote))
    if vote.hide_results_until_close:
        return PublishedTally(tally, True, False, N_("results are hidden until the vote closes"))
    if vote.secret:
        return PublishedTally(
            tally, True, False, N_("a secret vote shows only turnout until it closes")
        )
    return PublishedTally(tally, False, False, None)


async def _may_call_vote(
    session: AsyncSession, who: Principal, proposal: Proposal, rule: VoteRule
) -> None:
    if who.is_admin:
        return
    grids = await community_grids(session, who.community_id)
    posts = await session.scalars(
        select(GridPost.grid_id).where(
            GridPost.account_id == who.account_id,
            GridPost.role.in_(CALLERS),
            GridPost.deleted.is_(False),
        )
    )
    covered = subtree_ids(grids, list(posts))
    if proposal.grid_id is None or proposal.grid_id not in covered:
        raise PermissionDenied(N_("only the admin, or the cadre or chief of its grid, may call it"))
    if rule.grid_id is None or rule.grid_id not in covered:
        raise PermissionDenied(N_("a grid's chief may call a vote only within their own grid"))


def _check_rule(rule: VoteRule, opens_at: datetime, now: datetime) -> None:
    for name, moment in (("opensAt", opens_at), ("closesAt", rule.closes_at)):
        if moment.tzinfo is None:
            raise InvalidInput(name, N_("give the time with its time zone"))
    if rule.closes_at <= opens_at:
        raise InvalidInput("closesAt", N_("must be after the opening time"))
    if rule.closes_at <= now:
        raise InvalidInput("closesAt", N_("must be in the future"))
    if not 0 <= rule.quorum_percent <= 100:
        raise InvalidInput("quorumPercent", N_("must be between 0 and 100"))
    if not timedelta(0) <= rule.offline_grace <= OFFLINE_GRACE_MAX:
        raise InvalidInput(
            "offlineGrace", N_("must be between 0 and {maximum}"), maximum=str(OFFLINE_GRACE_MAX)
        )
    if not 0 <= rule.quorum_ballots <= QUORUM_BALLOTS_MAX:
        raise InvalidInput(
            "quorumBallots", N_("must be between 0 and {maximum}"), maximum=QUORUM_BALLOTS_MAX
        )
    panel = rule.electorate is Electorate.PANEL
    if rule.threshold is Threshold.UNANIMITY and not panel:
        raise InvalidInput("threshold", N_("unanimity is a rule for a panel's votes only"))
    if panel and rule.panel_id is None:
        raise InvalidInput("panelId", N_("a panel vote names its panel"))
    if not panel and rule.panel_id is not None:
        raise InvalidInput("panelId", N_("only a panel vote names a panel"))
    if panel and rule.grid_id is not None:
        raise InvalidInput("gridId", N_("a panel vote is not limited to a grid"))


async def put_to_vote(
    session: AsyncSession, principal: Principal | None, proposal_id: uuid.UUID, rule: VoteRule
) -> Vote:
    who = require_staff(principal)
    proposal = await session.scalar(
        select(Proposal).where(
            Proposal.id == proposal_id,
            Proposal.community_id == who.community_id,
            Proposal.deleted.is_(False),
        )
    )
    if proposal is None:
        raise NotFound(N_("proposal"), proposal_id)
    now = utcnow()
    opens_at = rule.opens_at or now
    _check_rule(rule, opens_at, now)
    await _may_call_vote(session, who, proposal, rule)
    if proposal.status not in VOTABLE:
        raise ProposalNotVotable(
            N_("a topic that is {status} cannot be put to a vote; accept it onto an agenda first"),
            status=word(proposal.status.value),
        )
    if await session.scalar(select(Vote.id).where(Vote.proposal_id == proposal.id)) is not None:
        raise Conflict(N_("this topic has already been put to a vote"))
    grid_ids: frozenset[uuid.UUID] | None = None
    if rule.grid_id is not None:
        await get_grid(session, who, rule.grid_id)
        grid_ids = subtree_ids(await community_grids(session, who.community_id), [rule.grid_id])
    if rule.panel_id is not None:
        panel = await session.get(Panel, rule.panel_id)
        if panel is None or panel.community_id != who.community_id:
            raise NotFound(N_("panel"), rule.panel_id)
    size = await electorate_size(
        session,
        who.community_id,
        rule.electorate,
        opens_at,
        grid_ids=grid_ids,
        panel_id=rule.panel_id,
    )
    if size == 0:
        raise InvalidInput("electorate", N_("nobody is eligible under this rule"))
    vote = Vote(
        id=uuid.uuid4(),
        community_id=who.community_id,
        proposal_id=proposal.id,
        electorate=rule.electorate,
        grid_id=rule.grid_id,
        panel_id=rule.panel_id,
        electorate_size=size,
        opens_at=opens_at,
        closes_at=rule.closes_at,
        quorum_ballots=rule.quorum_ballots,
        quorum_percent=rule.quorum_percent,
        threshold=rule.threshold,
        secret=rule.secret,
        allow_change=rule.allow_change,
        hide_results_until_close=rule.hide_results_until_close,
        offline_grace_seconds=int(rule.offline_grace.total_seconds()),
        created_by_id=who.account_id,
        created_at=now,
    )
    session.add(vote)
    await session.flush()
    await append_log(session, vote, [("open", rule_payload(vote))])
    await session.flush()
    return vote


@dataclass(frozen=True)
class VoterStatus:
    """What a voter may check about themself: eligible, has voted, their receipt.

    The receipt is shown only to the account that cast the ballot (a housemate sees that the
    household has voted, not the receipt).
    """

    eligible: bool
    reason: str
    has_voted: bool
    receipt: str | None
    can_change: bool


async def voter_statuses(
    session: AsyncSession, principal: Principal | None, votes: list[Vote]
) -> dict[uuid.UUID, VoterStatus]:
    """The viewer's status on many votes in three queries for the facts and one for records."""
    who = require_login(principal)
    facts = await load_facts(session, who.community_id, account_id=who.account_id)
    keys: dict[uuid.UUID, Eligibility] = {
        vote.id: eligibility(vote, facts) if facts else Eligibility(None, N_("unknown account"))
        for vote in votes
    }
    wanted = {e.voter_key for e in keys.values() if e.voter_key is not None}
    records: dict[tuple[uuid.UUID, str], VoterRecord] = {}
    if wanted:
        rows = await session.scalars(
            select(VoterRecord).where(
                VoterRecord.vote_id.in_(list(keys)), VoterRecord.voter_key.in_(wanted)
            )
        )
        records = {(row.vote_id, row.voter_key): row for row in rows}
    now = utcnow()
    statuses: dict[uuid.UUID, VoterStatus] = {}
    for vote in votes:
        found = keys[vote.id]
        record = records.get((vote.id, found.voter_key)) if found.voter_key else None
        mine = record is not None and record.account_id == who.account_id
        statuses[vote.id] = VoterStatus(
            eligible=found.eligible,
            reason=found.reason,
            has_voted=record is not None,
            receipt=record.receipt if record is not None and mine else None,
            can_change=mine and vote.allow_change and status_of(vote, now) is VoteStatus.OPEN,
        )
    return statuses
