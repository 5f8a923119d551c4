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
from domain.electorate import Eligibility, eligibility, load_facts
from domain.errors import DomainError, NotFound
from domain.i18n import N_
from domain.models import (
    Ballot,
    BallotLogEntry,
    Channel,
    Choice,
    ProposalStatus,
    Vote,
    VoterRecord,
)
from domain.models.base import utcnow
from domain.permissions import require_login
from domain.principal import Principal
from domain.services import vote_viewer
from domain.services.ballot_keys import commitment_of
from domain.tally import Tally, TallyRule, count

DEAD = frozenset({ProposalStatus.MERGED, ProposalStatus.WITHDRAWN, ProposalStatus.DECLINED})
"""A topic in one of these states takes no more ballots, even if its vote is still open."""


class VoteNotOpen(DomainError):
    code = "VOTE_NOT_OPEN"


class VoteClosed(DomainError):
    code = "VOTE_CLOSED"


class VoteStillOpen(DomainError):
    code = "VOTE_STILL_OPEN"


class VoteCounting(DomainError):
    """Closed to new ballots, still counting those recorded offline before the close."""

    code = "VOTE_COUNTING"


class NotEligible(DomainError):
    code = "NOT_ELIGIBLE"


class AlreadyVoted(DomainError):
    code = "ALREADY_VOTED"

    def __init__(
        self, message: str = "a ballot is already counted for this voter", **params: Any
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

    def __init__(
        self, message: str = "this change token does not belong to your ballot", **params: Any
    ) -> None:
        super().__init__(message, **params)


class ProposalNotVotable(DomainError):
    code = "PROPOSAL_NOT_VOTABLE"


class ResultsHidden(DomainError):
    code = "RESULTS_HIDDEN"


class VoteStatus(StrEnum):
    """Where a vote stands; every answer about a vote (casting, closing, tallies, the
    published lists) follows from this one state.

    ``COUNTING`` is the offline grace window (计票中): closed to new ballots since
    ``closes_at``, still counting the in-person ballots that phones recorded offline before
    the close, until ``counting_ends_at``; only then is the result fixed and shown.
    """

    SCHEDULED = "scheduled"
    OPEN = "open"
    COUNTING = "counting"
    CLOSED = "closed"


def final_at(vote: Vote) -> datetime:
    """When the result may be fixed: the close plus the grace for ballots recorded offline."""
    return vote.closes_at + timedelta(seconds=vote.offline_grace_seconds or 0)


def counting_ends_at(vote: Vote) -> datetime | None:
    """The end of the counting window, or None for a vote without one (no offline grace)."""
    return final_at(vote) if vote.offline_grace_seconds else None


def status_of(vote: Vote, now: datetime) -> VoteStatus:
    """A vote past ``final_at`` but not yet finalized is CLOSED: the next read fixes it."""
    if vote.closed_at is not None:
        return VoteStatus.CLOSED
    if now < vote.opens_at:
        return VoteStatus.SCHEDULED
    if now < vote.closes_at:
        return VoteStatus.OPEN
    if now < final_at(vote):
        return VoteStatus.COUNTING
    return VoteStatus.CLOSED


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
    one "for" that appeared when a neighbour voted), so a secret vote shows them once its
    result is fixed: after the close and the counting window (a lone offline ballot added to
    counts already shown would give its voter away just the same).
    ``hide_results_until_close`` does the same on any vote.
    """

    tally: Tally
    counts_hidden: bool
    final: bool
    hidden_reason: str | None
    status: VoteStatus = VoteStatus.CLOSED


HIDDEN_WHILE_COUNTING = N_(
    "the vote has closed and is counting the ballots recorded offline before its close; "
    "the counts are shown when counting ends (countingEndsAt)"
)


def publish_tally(vote: Vote, choices: list[Choice], now: datetime) -> PublishedTally:
    status = status_of(vote, now)
    if vote.closed_at is not None and vote.result is not None:
        return PublishedTally(Tally.from_dict(vote.result), False, True, None, status)
    tally = count(choices, tally_rule(vote))
    if not (vote.hide_results_until_close or vote.secret):
        return PublishedTally(tally, False, False, None, status)
    if status is VoteStatus.COUNTING:
        return PublishedTally(tally, True, False, HIDDEN_WHILE_COUNTING, status)
    if vote.hide_results_until_close:
        reason = N_("results are hidden until the vote closes")
        return PublishedTally(tally, True, False, reason, status)
    reason = N_("a secret vote shows only turnout until it closes")
    return PublishedTally(tally, True, False, reason, status)


def check_taking_ballots(vote: Vote, now: datetime) -> None:
    """A ballot given now (online, or recorded in person now) counts only while OPEN."""
    status = status_of(vote, now)
    if status is VoteStatus.SCHEDULED:
        raise VoteNotOpen(N_("this vote opens at {opens_at}"), opens_at=vote.opens_at.isoformat())
    if status is VoteStatus.COUNTING:
        raise VoteClosed(
            N_(
                "this vote closed at {closes_at} and takes no more ballots; it is counting "
                "those recorded offline before the close until {counting_ends_at}, then its "
                "result is fixed"
            ),
            closes_at=vote.closes_at.isoformat(),
            counting_ends_at=final_at(vote).isoformat(),
        )
    if status is VoteStatus.CLOSED:
        raise VoteClosed(N_("this vote has closed; its result is fixed"))


def check_closable(vote: Vote, now: datetime) -> None:
    """``closeVote`` fixes the result once the vote is closed and counted, never before."""
    status = status_of(vote, now)
    if status is VoteStatus.COUNTING:
        raise VoteCounting(
            N_(
                "this vote closed at {closes_at} and is counting the ballots recorded offline "
                "before its close; its result is fixed at {counting_ends_at}, not before"
            ),
            closes_at=vote.closes_at.isoformat(),
            counting_ends_at=final_at(vote).isoformat(),
        )
    if status in (VoteStatus.SCHEDULED, VoteStatus.OPEN):
        raise VoteStillOpen(
            N_("this vote is open until {closes_at}; its result is fixed after that"),
            closes_at=vote.closes_at.isoformat(),
        )


@dataclass(frozen=True)
class VoterStatus:
    """What a voter may check about themself: eligible, has voted, their receipt.

    The receipt, its commitment and the commitment's salt are shown only to the account that
    cast the ballot (a housemate sees that the household has voted, not the receipt).
    """

    eligible: bool
    reason: str
    has_voted: bool
    receipt: str | None
    can_change: bool
    commitment_salt: str | None = None
    commitment: str | None = None
    choice: Choice | None = None  # an open vote's counted choice, to its own voter only
    cast_by: str | None = None  # a household vote's ballot, cast by another member: who


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
    casters = await vote_viewer.household_casters(session, votes, facts)
    ours = {
        vote_id: record.voter_key
        for (vote_id, _key), record in records.items()
        if record.account_id == who.account_id
    }
    choices = await vote_viewer.own_choices(
        session, ours, {vote.id for vote in votes if vote.secret}
    )
    now = utcnow()
    statuses: dict[uuid.UUID, VoterStatus] = {}
    for vote in votes:
        found = keys[vote.id]
        record = records.get((vote.id, found.voter_key)) if found.voter_key else None
        mine = record is not None and record.account_id == who.account_id
        caster = casters.get(vote.id)
        statuses[vote.id] = VoterStatus(
            eligible=found.eligible,
            reason=found.reason,
            has_voted=record is not None or caster is not None,
            choice=choices.get(vote.id) if mine else None,
            cast_by=caster[1] if caster is not None and caster[0] != who.account_id else None,
            receipt=record.receipt if record is not None and mine else None,
            commitment_salt=record.commitment_salt if record is not None and mine else None,
            commitment=commitment_of(record.commitment_salt, record.receipt)
            if record is not None and mine
            else None,
            can_change=mine
            and record is not None
            and record.channel in (Channel.WEB, Channel.APP)  # in person: changed in person
            and vote.allow_change
            and status_of(vote, now) is VoteStatus.OPEN,
        )
    return statuses
