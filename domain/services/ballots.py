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

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
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
    ProposalStatus,
    Resident,
    Vote,
    VoterRecord,
)
from domain.models.base import utcnow
from domain.permissions import require_login, require_staff
from domain.principal import Principal
from domain.services import first_ballot
from domain.services.ballot_changes import (
    CountedVia,
    check_own_change,
    check_recorded_change,
    final_refusal,
    flush_ballot,
    replace,
)
from domain.services.ballot_keys import (
    change_key_of,
    holds_secret,
    new_commitment_salt,
    new_voter_secret,
    open_change_key,
    receipt_of,
)
from domain.services.in_person import attend, open_meeting, set_aside, slip_set_aside
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
    append_log,
    check_taking_ballots,
    final_at,
    lock_vote,
)

__all__ = ["change_key_of", "open_change_key", "receipt_of"]


@dataclass(frozen=True)
class CastReceipt:
    """What the voter gets back: the receipt to find in the published list, and on a secret
    vote the change token (shown once; the server keeps only hashes of it)."""

    vote_id: uuid.UUID
    receipt: str
    change_token: str | None
    changed: bool
    channel: Channel
    commitment_salt: str | None = None
    """Only for the voter's own cast (never to a recorder): with the receipt it gives the
    commitment to look for in the published list."""


async def _check_open(session: AsyncSession, vote: Vote, now: datetime) -> None:
    check_taking_ballots(vote, now)
    await _check_votable(session, vote)


async def _check_votable(session: AsyncSession, vote: Vote) -> None:
    _check_status(
        await session.scalar(
            select(Proposal.status).where(
                Proposal.id == vote.proposal_id, Proposal.deleted.is_(False)
            )
        )
    )


def _check_status(status: ProposalStatus | None) -> None:
    """``status`` None: the topic was removed."""
    if status is None or status in DEAD:
        what = status.value if status is not None else N_("removed")
        raise ProposalNotVotable(
            N_("the topic was {status}; its vote takes no more ballots"), status=word(what)
        )


async def _record_of(session: AsyncSession, vote: Vote, voter_key: str) -> VoterRecord | None:
    return await session.scalar(
        select(VoterRecord).where(
            VoterRecord.vote_id == vote.id, VoterRecord.voter_key == voter_key
        )
    )


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
    meeting_id: uuid.UUID | None = None,
) -> CastReceipt:
    record = await _record_of(session, vote, voter_key)
    in_person = channel is Channel.IN_PERSON
    if record is not None:
        assert not in_person, "in-person ballots decide a second ballot in _in_person_again"
        await check_own_change(session, vote, record, account_id, token)
        await replace(session, vote, record, choice, token)
        kept = token if vote.secret else None
        return CastReceipt(vote.id, record.receipt, kept, True, channel, record.commitment_salt)
    if token is not None:
        raise InvalidChangeToken()
    secret = secret or new_voter_secret()
    receipt = receipt_of(secret)
    salt = new_commitment_salt()
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
            commitment_salt=salt,
            meeting_id=meeting_id,
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
    await flush_ballot(session)
    entry = {"receipt": receipt}
    if not vote.secret:
        entry = {"voter": voter_key, "choice": choice.value, "receipt": receipt}
    await append_log(session, vote, [("cast", entry)])
    await session.flush()
    slip = secret if vote.secret or in_person else None  # in person: printed on the slip
    return CastReceipt(vote.id, receipt, slip, False, channel, None if in_person else salt)


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
    """The voter's own ballot, on the web or in the app; with ``change_token``, a change.

    A first ballot is read and written in a fixed few statements (``first_ballot``); a
    voter who has a record (a change, or a second try) goes the general way (``_cast``).
    """
    who = require_login(principal)
    if channel is Channel.IN_PERSON:
        raise InvalidInput("channel", N_("in-person ballots are recorded by staff at the meeting"))
    vote = await lock_vote(session, who, vote_id)
    check_taking_ballots(vote, utcnow())
    found = await first_ballot.read(session, vote, who.community_id, who.account_id)
    _check_status(found.status)
    key = _eligible_key(vote, found.facts)
    if change_token is None:
        written = await first_ballot.write(
            session,
            vote,
            found.head,
            voter_key=key,
            account_id=who.account_id,
            choice=choice,
            channel=channel,
        )
        if written is not None:
            kept = written.secret if vote.secret else None
            return CastReceipt(vote.id, written.receipt, kept, False, channel, written.salt)
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
    meeting_id: uuid.UUID | None = None,
    resident_id: uuid.UUID | None = None,
    account_id: uuid.UUID | None = None,
    change_token: str | None = None,
) -> CastReceipt:
    """A ballot given in person at an open meeting (``domain.services.in_person``), recorded
    by a staff member who runs the meeting and covers the voter; the voter's attendance there
    is on record, or recorded now.

    The staff member is stored as the recorder. They learn this voter's receipt and change
    token (to hand over on a slip, on open and secret votes alike) and nothing about anyone
    else's ballot, nor whether this voter had voted: a second ballot is set aside looking
    like a first (see ``in_person``). A voter's in-person ballot is changed only as
    ``ballot_changes`` allows, with the token from the voter's slip.
    """
    who = require_staff(principal)
    vote = await lock_vote(session, who, vote_id)
    now = utcnow()
    await _check_open(session, vote, now)
    meeting = await open_meeting(session, who, meeting_id, now)
    key, voter_account, facts = await _voter_in_person(session, who, vote, resident_id, account_id)
    await attend(session, who, meeting, facts)
    record = await _record_of(session, vote, key)
    if record is None:
        if change_token is not None:
            raise InvalidChangeToken(NO_SLIP)
        return await _cast(
            session,
            vote,
            key,
            voter_account,
            choice,
            None,
            Channel.IN_PERSON,
            who.account_id,
            meeting_id=meeting.id,
        )
    if _slip_opens(record, change_token):
        await check_recorded_change(session, vote, record, voter_account, change_token)
        await replace(session, vote, record, choice, change_token)
        return CastReceipt(vote.id, record.receipt, change_token, True, Channel.IN_PERSON)
    if change_token is not None and not await slip_set_aside(session, vote, key, change_token):
        raise InvalidChangeToken(NO_SLIP)
    if change_token is not None and not vote.allow_change:
        raise final_refusal(CountedVia.IN_PERSON)
    aside = set_aside(session, who, vote, meeting, key, change_token)
    await session.flush()
    return CastReceipt(
        vote.id, aside.receipt, aside.token, change_token is not None, Channel.IN_PERSON
    )


NO_SLIP = N_("this change token opens no in-person ballot of this voter")


def _slip_opens(record: VoterRecord, token: str | None) -> bool:
    """The voter's slip from their own in-person ballot: the one thing that opens a change."""
    return record.channel is Channel.IN_PERSON and holds_secret(token, record.receipt)


async def _voter_in_person(
    session: AsyncSession,
    who: Principal,
    vote: Vote,
    resident_id: uuid.UUID | None,
    account_id: uuid.UUID | None,
) -> tuple[str, uuid.UUID, VoterFacts]:
    """The voter's key under the vote's electorate, their account and facts, if the staff
    member covers them (someone they do not cover is unknown to them)."""
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
    return key, await _account_of(session, facts), facts


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
    meeting_id: uuid.UUID | None = None


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
                "arrived after {final_at}, the end of the counting window for ballots "
                "recorded offline; the result is fixed"
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

    It counts if cast (by the phone's clock, whose skew is checked now) before the close, at
    a meeting open at that time, and received before the counting window ends. A second
    ballot of the same voter changes their in-person one only with the voter's change token
    (the one the phone minted for their slip), where changes are allowed, and then the later
    cast wins; any other is set aside and answered as counted (``domain.services.in_person``),
    never over an online ballot. Same lock, same log, same unique indexes as every ballot.
    """
    who = require_staff(principal)
    vote = await lock_vote(session, who, cast.vote_id)
    if await session.scalar(select(OfflineBallot.id).where(OfflineBallot.id == cast.ballot_id)):
        raise AlreadyVoted(N_("this ballot was recorded already"))  # a concurrent copy of the push
    now = utcnow()
    skew = _check_offline_times(vote, cast, now)
    await _check_votable(session, vote)
    meeting = await open_meeting(session, who, cast.meeting_id, cast.cast_at)
    key, voter, facts = await _voter_in_person(
        session, who, vote, cast.resident_id, cast.account_id
    )
    token = cast.change_token
    if token is not None and not _PHONE_TOKEN.match(token):
        raise InvalidInput(
            "changeToken", N_("mint it as 32 random bytes, base64url (43 characters)")
        )
    await attend(session, who, meeting, facts)
    record = await _record_of(session, vote, key)
    status = OfflineBallotStatus.COUNTED
    if record is None:
        await _cast(
            session,
            vote,
            key,
            voter,
            cast.choice,
            None,
            Channel.IN_PERSON,
            who.account_id,
            token,
            meeting_id=meeting.id,
        )
    elif _slip_opens(record, token):
        await check_recorded_change(session, vote, record, voter, token)
        if cast.cast_at <= await _counted_at(session, vote, record):
            raise BallotSuperseded(N_("a ballot this voter cast later already counts"))
        await replace(session, vote, record, cast.choice, token)
    else:
        if not vote.allow_change and await slip_set_aside(session, vote, key, token):
            raise final_refusal(CountedVia.OFFLINE_SYNC)
        set_aside(session, who, vote, meeting, key, token)
        status = OfflineBallotStatus.SET_ASIDE
    ballot = OfflineBallot(
        id=cast.ballot_id,
        community_id=vote.community_id,
        vote_id=vote.id,
        resident_id=cast.resident_id,
        account_id=cast.account_id,
        voter_key=key,
        meeting_id=meeting.id,
        choice=None if vote.secret else cast.choice,
        cast_at=cast.cast_at,
        received_at=now,
        clock_skew_ms=skew,
        recorded_by_id=who.account_id,
        status=status,
    )
    session.add(ballot)
    await flush_ballot(session)
    return ballot
