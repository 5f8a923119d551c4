"""Casting, changing and recording ballots, and closing a vote for good.

The secret ballot. The server mints a random secret for the voter on their first cast and
hands it back exactly once (``change_token``); it stores only two different hashes of it:

- ``VoterRecord.receipt = H("receipt" | secret)``, beside the voter ("has voted");
- ``Ballot.change_key_hash = H("change" | secret)``, beside the choice, with no voter column,
  no timestamp and a random id.

Without the secret the two hashes cannot be matched, so neither the database nor any API
pairs a voter with a choice; with it, the voter (and only they) can replace their ballot. The
log records a secret vote's casts by receipt only; the choices enter the log at close, sorted
by random ballot id, never in casting order.

Every ballot event runs under the vote's row lock (``lock_vote``), and the database's unique
indexes (one voter record per key, one counted ballot per change key and per open voter) are
the last word: a lost race becomes ``ALREADY_VOTED``, never a second counted ballot.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.electorate import VoterFacts, eligibility, load_facts
from domain.errors import InvalidInput, NotFound
from domain.i18n import N_, word
from domain.models import (
    Account,
    AccountKind,
    Ballot,
    Channel,
    Choice,
    OfflineBallot,
    OfflineBallotStatus,
    Proposal,
    Resident,
    Vote,
    VoterRecord,
)
from domain.models.base import utcnow
from domain.permissions import require_admin, require_login, require_staff
from domain.principal import Principal
from domain.services.votes import (
    DEAD,
    AlreadyVoted,
    BallotSuperseded,
    BallotTooLate,
    ClockSkew,
    InvalidChangeToken,
    NotEligible,
    ProposalNotVotable,
    VoteClosed,
    VoteNotOpen,
    VoteStillOpen,
    append_log,
    final_at,
    lock_vote,
    tally_rule,
)
from domain.tally import count

TOKEN_MAX = 100


def new_voter_secret() -> str:
    return secrets.token_urlsafe(32)


def _digest(purpose: str, secret: str) -> str:
    return hashlib.sha256(f"changlang:{purpose}:{secret}".encode()).hexdigest()


def receipt_of(secret: str) -> str:
    return _digest("receipt", secret)


def change_key_of(secret: str) -> str:
    return _digest("change", secret)


def open_change_key(vote_id: uuid.UUID, voter_key: str) -> str:
    """An open ballot names its voter anyway; its change key just makes the index unique."""
    return _digest("open", f"{vote_id}:{voter_key}")


@dataclass(frozen=True)
class CastReceipt:
    """What the voter gets back: the receipt to find in the published list, and on a secret
    vote the change token (shown once; the server keeps only hashes of it)."""

    vote_id: uuid.UUID
    receipt: str
    change_token: str | None
    changed: bool
    channel: Channel


async def _check_open(session: AsyncSession, vote: Vote, now: datetime) -> None:
    if vote.closed_at is not None or now >= vote.closes_at:
        raise VoteClosed(N_("this vote has closed; its result is fixed"))
    if now < vote.opens_at:
        raise VoteNotOpen(N_("this vote opens at {opens_at}"), opens_at=vote.opens_at.isoformat())
    await _check_votable(session, vote)


async def _check_votable(session: AsyncSession, vote: Vote) -> None:
    status = await session.scalar(
        select(Proposal.status).where(Proposal.id == vote.proposal_id, Proposal.deleted.is_(False))
    )
    if status is None or status in DEAD:
        what = status.value if status is not None else N_("removed")
        raise ProposalNotVotable(
            N_("the topic was {status}; its vote takes no more ballots"), status=word(what)
        )


async def _change(
    session: AsyncSession,
    vote: Vote,
    record: VoterRecord,
    account_id: uuid.UUID,
    choice: Choice,
    token: str | None,
    channel: Channel,
) -> CastReceipt:
    if not vote.allow_change:
        raise AlreadyVoted(
            N_("a ballot is already counted for this voter; this vote allows no change")
        )
    if record.account_id != account_id:
        raise AlreadyVoted(N_("another member of the household has already cast its ballot"))
    if vote.secret:
        if token is None:
            raise AlreadyVoted(
                N_("you have voted; present your change token to change your ballot")
            )
        if len(token) > TOKEN_MAX or receipt_of(token) != record.receipt:
            raise InvalidChangeToken()
        key = change_key_of(token)
        old = Ballot.change_key_hash == key
    else:
        key = open_change_key(vote.id, record.voter_key)
        old = Ballot.voter_key == record.voter_key
    replaced = await session.execute(
        update(Ballot)
        .where(Ballot.vote_id == vote.id, old, Ballot.superseded.is_(False))
        .values(superseded=True)
    )
    if replaced.rowcount != 1:  # type: ignore[attr-defined]
        raise AlreadyVoted(N_("your ballot was changed at the same moment; look again and retry"))
    record.updated_at = utcnow()  # when the voter's counted ballot was last cast
    for earlier in await session.scalars(
        select(OfflineBallot).where(
            OfflineBallot.vote_id == vote.id,
            OfflineBallot.voter_key == record.voter_key,
            OfflineBallot.status == OfflineBallotStatus.COUNTED,
        )
    ):
        earlier.status = OfflineBallotStatus.SUPERSEDED
    session.add(
        Ballot(
            id=uuid.uuid4(),
            community_id=vote.community_id,
            vote_id=vote.id,
            choice=choice,
            change_key_hash=key,
            voter_key=None if vote.secret else record.voter_key,
        )
    )
    entry = {"receipt": record.receipt}
    if not vote.secret:
        entry = {"voter": record.voter_key, "choice": choice.value}
    await _flush_ballot(session)
    await append_log(session, vote, [("recast", entry)])
    await session.flush()
    return CastReceipt(vote.id, record.receipt, token if vote.secret else None, True, channel)


async def _flush_ballot(session: AsyncSession) -> None:
    try:
        await session.flush()
    except IntegrityError as error:
        raise AlreadyVoted() from error


async def _cast(
    session: AsyncSession,
    vote: Vote,
    voter_key: str,
    account_id: uuid.UUID,
    choice: Choice,
    token: str | None,
    channel: Channel,
    recorded_by: uuid.UUID | None,
    secret: str | None = None,
) -> CastReceipt:
    record = await session.scalar(
        select(VoterRecord).where(
            VoterRecord.vote_id == vote.id, VoterRecord.voter_key == voter_key
        )
    )
    if record is not None:
        return await _change(session, vote, record, account_id, choice, token, channel)
    if token is not None:
        raise InvalidChangeToken()
    secret = secret or new_voter_secret()
    receipt = receipt_of(secret)
    session.add(
        VoterRecord(
            id=uuid.uuid4(),
            community_id=vote.community_id,
            vote_id=vote.id,
            voter_key=voter_key,
            account_id=account_id,
            channel=channel,
            recorded_by_id=recorded_by,
            receipt=receipt,
        )
    )
    session.add(
        Ballot(
            id=uuid.uuid4(),
            community_id=vote.community_id,
            vote_id=vote.id,
            choice=choice,
            change_key_hash=change_key_of(secret)
            if vote.secret
            else open_change_key(vote.id, voter_key),
            voter_key=None if vote.secret else voter_key,
        )
    )
    await _flush_ballot(session)
    entry = {"receipt": receipt}
    if not vote.secret:
        entry = {"voter": voter_key, "choice": choice.value, "receipt": receipt}
    await append_log(session, vote, [("cast", entry)])
    await session.flush()
    return CastReceipt(vote.id, receipt, secret if vote.secret else None, False, channel)


def _eligible_key(vote: Vote, facts: VoterFacts | None) -> str:
    if facts is None:
        raise NotEligible(N_("only members of the community may vote"))
    found = eligibility(vote, facts)
    if found.voter_key is None:
        raise NotEligible(found.reason)
    return found.voter_key


async def cast(
    session: AsyncSession,
    principal: Principal | None,
    vote_id: uuid.UUID,
    choice: Choice,
    *,
    change_token: str | None = None,
    channel: Channel = Channel.WEB,
) -> CastReceipt:
    """The voter's own ballot, on the web or in the app; with ``change_token``, a change."""
    who = require_login(principal)
    if channel is Channel.IN_PERSON:
        raise InvalidInput("channel", N_("in-person ballots are recorded by staff at the meeting"))
    vote = await lock_vote(session, who, vote_id)
    await _check_open(session, vote, utcnow())
    facts = await load_facts(session, who.community_id, account_id=who.account_id)
    key = _eligible_key(vote, facts)
    return await _cast(session, vote, key, who.account_id, choice, change_token, channel, None)


async def _account_of(session: AsyncSession, facts: VoterFacts) -> uuid.UUID:
    """The voter's account; a resident without one gets it now (as at their first login),
    so that the voter record names the voter and never the staff member who recorded it."""
    if facts.account_id is not None:
        return facts.account_id
    resident = await session.get(Resident, facts.resident_id)
    if resident is None:
        raise NotFound(N_("resident"), facts.resident_id)
    account = Account(
        id=uuid.uuid4(),
        community_id=resident.community_id,
        kind=AccountKind.RESIDENT,
        display_name=resident.name,
        resident_id=resident.id,
    )
    session.add(account)
    await session.flush()
    return account.id


async def record_in_person(
    session: AsyncSession,
    principal: Principal | None,
    vote_id: uuid.UUID,
    choice: Choice,
    *,
    resident_id: uuid.UUID | None = None,
    account_id: uuid.UUID | None = None,
    change_token: str | None = None,
) -> CastReceipt:
    """A ballot given in person at a meeting, recorded by a staff member who covers the voter.

    The staff member is stored as the recorder. They learn this voter's receipt and change
    token (to hand over on a slip) and nothing about anyone else's ballot.
    """
    who = require_staff(principal)
    vote = await lock_vote(session, who, vote_id)
    await _check_open(session, vote, utcnow())
    key, voter_account = await _voter_in_person(session, who, vote, resident_id, account_id)
    return await _cast(
        session,
        vote,
        key,
        voter_account,
        choice,
        change_token,
        Channel.IN_PERSON,
        who.account_id,
    )


async def _voter_in_person(
    session: AsyncSession,
    who: Principal,
    vote: Vote,
    resident_id: uuid.UUID | None,
    account_id: uuid.UUID | None,
) -> tuple[str, uuid.UUID]:
    """The voter's key under the vote's electorate and their account, if the staff member
    covers them (someone they do not cover is unknown to them)."""
    if (resident_id is None) == (account_id is None):
        raise InvalidInput("residentId", N_("name either the resident or the account who votes"))
    facts = await load_facts(
        session, who.community_id, account_id=account_id, resident_id=resident_id
    )
    voter_id = resident_id or account_id
    if facts is None:
        raise NotFound(N_("resident") if resident_id else N_("account"), voter_id)
    if not who.is_admin and (
        facts.household_grid_id is None or not who.covers(facts.household_grid_id)
    ):
        raise NotFound(N_("resident") if resident_id else N_("account"), voter_id)
    key = _eligible_key(vote, facts)
    return key, await _account_of(session, facts)


_PHONE_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,100}$")


@dataclass(frozen=True)
class OfflineCast:
    """A ballot as a staff member's phone recorded it at a meeting, maybe offline.

    ``cast_at`` and ``device_now`` are the phone's clock (when the ballot was given, and as
    it synced); ``change_token`` is the voter's secret if the phone minted one (it hands it
    over on a slip, and needs it to change a secret ballot later). Nothing here is stored.
    """

    ballot_id: uuid.UUID
    vote_id: uuid.UUID
    choice: Choice
    cast_at: datetime
    device_now: datetime | None
    max_skew: timedelta
    resident_id: uuid.UUID | None = None
    account_id: uuid.UUID | None = None
    change_token: str | None = None


def _check_offline_times(vote: Vote, cast: OfflineCast, now: datetime) -> int:
    """The phone clock's skew (ms) if the cast time may be trusted and counts."""
    if cast.device_now is None:
        raise ClockSkew(
            N_("send the phone's clock (X-Device-Time) so its cast time can be checked")
        )
    skew = cast.device_now - now
    if abs(skew) > cast.max_skew:
        raise ClockSkew(
            N_(
                "the phone's clock is {skew} s off the server's (at most {allowed} s); "
                "set its time and sync again"
            ),
            skew=f"{abs(skew.total_seconds()):.0f}",
            allowed=f"{cast.max_skew.total_seconds():.0f}",
        )
    if cast.cast_at > cast.device_now:
        raise InvalidInput("castAt", N_("is later than the phone's own clock"))
    if cast.cast_at < vote.opens_at:
        raise VoteNotOpen(
            N_("cast before the vote opened ({opens_at})"), opens_at=vote.opens_at.isoformat()
        )
    if cast.cast_at >= vote.closes_at:
        raise VoteClosed(N_("cast after the vote closed"))
    if vote.closed_at is not None or now >= final_at(vote):
        raise BallotTooLate(
            N_(
                "arrived after {final_at}, the end of the grace for ballots recorded offline; "
                "the result is fixed"
            ),
            final_at=final_at(vote).isoformat(),
        )
    return round(skew.total_seconds() * 1000)


async def _counted_at(session: AsyncSession, vote: Vote, record: VoterRecord) -> datetime:
    """When the voter's counted ballot was cast: the phone's time for one recorded offline,
    the server's otherwise."""
    offline = await session.scalar(
        select(OfflineBallot.cast_at).where(
            OfflineBallot.vote_id == vote.id,
            OfflineBallot.voter_key == record.voter_key,
            OfflineBallot.status == OfflineBallotStatus.COUNTED,
        )
    )
    return offline or record.updated_at or record.created_at


async def record_offline(
    session: AsyncSession, principal: Principal | None, cast: OfflineCast
) -> OfflineBallot:
    """An in-person ballot synced from a staff member's phone, counted by the vote's rules.

    It counts if cast (by the phone's clock, whose skew is checked now) before the close and
    received before the grace ends. A second ballot of the same voter follows the vote's
    rule: where changes are allowed the later cast wins (on a secret vote only with the
    voter's change token: nothing else can find their ballot), otherwise the first counted
    stands. Same lock, same log, same unique indexes as every other ballot.
    """
    who = require_staff(principal)
    vote = await lock_vote(session, who, cast.vote_id)
    if await session.scalar(select(OfflineBallot.id).where(OfflineBallot.id == cast.ballot_id)):
        raise AlreadyVoted(N_("this ballot was recorded already"))  # a concurrent copy of the push
    now = utcnow()
    skew = _check_offline_times(vote, cast, now)
    await _check_votable(session, vote)
    key, voter = await _voter_in_person(session, who, vote, cast.resident_id, cast.account_id)
    token = cast.change_token
    if token is not None and not _PHONE_TOKEN.match(token):
        raise InvalidInput(
            "changeToken", N_("mint it as 32 random bytes, base64url (43 characters)")
        )
    record = await session.scalar(
        select(VoterRecord).where(VoterRecord.vote_id == vote.id, VoterRecord.voter_key == key)
    )
    if record is None:
        await _cast(
            session, vote, key, voter, cast.choice, None, Channel.IN_PERSON, who.account_id, token
        )
    else:
        if not vote.allow_change:
            raise AlreadyVoted(
                N_("this voter's first counted ballot stands; the vote allows no change")
            )
        if cast.cast_at <= await _counted_at(session, vote, record):
            raise BallotSuperseded(N_("a ballot this voter cast later already counts"))
        await _change(session, vote, record, voter, cast.choice, token, Channel.IN_PERSON)
    ballot = OfflineBallot(
        id=cast.ballot_id,
        community_id=vote.community_id,
        vote_id=vote.id,
        resident_id=cast.resident_id,
        account_id=cast.account_id,
        voter_key=key,
        choice=None if vote.secret else cast.choice,
        cast_at=cast.cast_at,
        received_at=now,
        clock_skew_ms=skew,
        recorded_by_id=who.account_id,
        status=OfflineBallotStatus.COUNTED,
    )
    session.add(ballot)
    await _flush_ballot(session)
    return ballot


async def finalize(
    session: AsyncSession, community_id: uuid.UUID, vote_id: uuid.UUID, now: datetime
) -> Vote | None:
    """Fix the result of a vote whose closing time has passed; a no-op if done already.

    On a secret vote the counted choices enter the log now, one entry per ballot in the order
    of their random ids (never casting order), so the tally can be recomputed from the log
    without any entry naming a voter. The "close" entry records the result.
    """
    vote = await session.scalar(
        select(Vote)
        .where(Vote.id == vote_id, Vote.community_id == community_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if vote is None or vote.closed_at is not None or now < final_at(vote):
        return vote
    rows = await session.execute(
        select(Ballot.id, Ballot.choice).where(
            Ballot.vote_id == vote.id, Ballot.superseded.is_(False)
        )
    )
    counted = sorted(((str(ballot_id), Choice(choice)) for ballot_id, choice in rows))
    tally = count((choice for _, choice in counted), tally_rule(vote))
    entries: list[tuple[str, dict[str, Any]]] = []
    if vote.secret:
        entries = [("choice", {"ballot": b, "choice": c.value}) for b, c in counted]
    entries.append(("close", {"result": tally.as_dict()}))
    await append_log(session, vote, entries)
    vote.closed_at = now
    vote.result = tally.as_dict()
    await session.flush()
    return vote


async def close_vote(
    session: AsyncSession, principal: Principal | None, vote_id: uuid.UUID
) -> Vote:
    """The admin closes a vote at or after its stated closing time, never before it."""
    who = require_admin(principal)
    vote = await lock_vote(session, who, vote_id)
    if vote.closed_at is not None:
        return vote
    now = utcnow()
    if now < final_at(vote):
        raise VoteStillOpen(
            N_(
                "this vote's result is fixed at {final_at} (its close plus the grace for "
                "ballots recorded offline), not before"
            ),
            final_at=final_at(vote).isoformat(),
        )
    closed = await finalize(session, who.community_id, vote.id, now)
    assert closed is not None
    return closed
