"""Who may change a counted ballot (改票), and how it is replaced.

A voter's ballot belongs to the voter. The rule, by how the counted ballot was given:

- online (web or app): only the voter changes it, online, where the vote allows changes.
  An in-person ballot recorded for them (at a meeting or synced from a phone) is set aside
  and never counted; the recorder is answered as for a first ballot
  (``domain.services.in_person``), so staff never learn that the resident voted online.
- in person (recorded at a meeting by staff, online or on a phone synced later): it is final
  for the voter, unless the voter changes it in person again: staff record the new choice,
  on a vote that allows changes, while it is open, with the change token printed on the
  voter's slip at their first in-person ballot (on open votes as on secret ones). The slip is
  how the voter shows they are there and asking; a staff member without it cannot change
  the ballot. An online cast after an in-person ballot is refused.

Refusals to the voter say through which channel the counted ballot came (``channel``:
online, in person, offline sync), never its choice. Staff hear of a counted ballot only
when they hold the voter's slip, which already tells them the voter gave one in person.
"""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.i18n import N_
from domain.models import (
    Ballot,
    Channel,
    Choice,
    OfflineBallot,
    OfflineBallotStatus,
    Vote,
    VoterRecord,
)
from domain.models.base import utcnow
from domain.services.ballot_keys import change_key_of, holds_secret, open_change_key
from domain.services.votes import AlreadyVoted, InvalidChangeToken, append_log


class CountedVia(StrEnum):
    """Through which channel a voter's counted ballot came."""

    ONLINE = "online"
    IN_PERSON = "in_person"
    OFFLINE_SYNC = "offline_sync"


async def counted_via(session: AsyncSession, vote: Vote, record: VoterRecord) -> CountedVia:
    if record.channel in (Channel.WEB, Channel.APP):
        return CountedVia.ONLINE
    synced = await session.scalar(
        select(OfflineBallot.id).where(
            OfflineBallot.vote_id == vote.id,
            OfflineBallot.voter_key == record.voter_key,
            OfflineBallot.status == OfflineBallotStatus.COUNTED,
        )
    )
    return CountedVia.OFFLINE_SYNC if synced is not None else CountedVia.IN_PERSON


def _refused(via: CountedVia, message: str) -> AlreadyVoted:
    error = AlreadyVoted(message)
    error.params["channel"] = via.value
    return error


_FINAL = {
    CountedVia.IN_PERSON: N_(
        "a ballot is already counted for this voter, given in person; this vote allows no change"
    ),
    CountedVia.OFFLINE_SYNC: N_(
        "a ballot is already counted for this voter, recorded offline and synced; "
        "this vote allows no change"
    ),
}
_NEEDS_SLIP = {
    CountedVia.IN_PERSON: N_(
        "a ballot is already counted for this voter, given in person; it changes only with "
        "the change token on the voter's slip"
    ),
    CountedVia.OFFLINE_SYNC: N_(
        "a ballot is already counted for this voter, recorded offline and synced; it changes "
        "only with the change token on the voter's slip"
    ),
}
_HOUSEHOLD = {
    CountedVia.ONLINE: N_("a ballot is already counted for this household, cast online"),
    CountedVia.IN_PERSON: N_(
        "a ballot is already counted for this household, given in person by another member"
    ),
    CountedVia.OFFLINE_SYNC: N_(
        "a ballot is already counted for this household, recorded offline for another member"
    ),
}


def final_refusal(via: CountedVia) -> AlreadyVoted:
    """What a slip's holder hears on a vote that allows no change."""
    return _refused(via, _FINAL[via])


async def check_recorded_change(
    session: AsyncSession,
    vote: Vote,
    record: VoterRecord,
    voter_account: uuid.UUID,
    token: str | None,
) -> CountedVia:
    """Staff record a change for a voter who has voted: only of an in-person ballot, only
    with the voter's slip (see the module's rule)."""
    via = await counted_via(session, vote, record)
    if record.account_id != voter_account:
        raise _refused(via, _HOUSEHOLD[via])
    if via is CountedVia.ONLINE:
        raise _refused(
            via,
            N_(
                "a ballot is already counted for this voter, cast online; only the voter "
                "can change it"
            ),
        )
    if not vote.allow_change:
        raise _refused(via, _FINAL[via])
    if token is None:
        raise _refused(via, _NEEDS_SLIP[via])
    if not holds_secret(token, record.receipt):
        raise InvalidChangeToken(N_("this change token does not belong to this voter's ballot"))
    return via


async def check_own_change(
    session: AsyncSession,
    vote: Vote,
    record: VoterRecord,
    account_id: uuid.UUID,
    token: str | None,
) -> None:
    """The voter changes their own online ballot, online (with their token if secret)."""
    via = await counted_via(session, vote, record)
    if via is not CountedVia.ONLINE:
        if record.account_id != account_id:
            raise _refused(via, N_("another member of your household has already voted in person"))
        raise _refused(
            via,
            N_("your ballot was given in person at a meeting; only there can it be changed"),
        )
    if not vote.allow_change:
        raise AlreadyVoted(
            N_("a ballot is already counted for this voter; this vote allows no change")
        )
    if record.account_id != account_id:
        raise AlreadyVoted(N_("another member of the household has already cast its ballot"))
    if vote.secret:
        if token is None:
            raise AlreadyVoted(
                N_(
                    "you have voted and your ballot is counted; its change token is kept on "
                    "the phone you voted with: change your ballot there, or carry the token "
                    "over from that phone"
                )
            )
        if not holds_secret(token, record.receipt):
            raise InvalidChangeToken()


async def flush_ballot(session: AsyncSession) -> None:
    """The unique indexes have the last word: a lost race is ``ALREADY_VOTED``."""
    try:
        await session.flush()
    except IntegrityError as error:
        raise AlreadyVoted() from error


async def replace(
    session: AsyncSession, vote: Vote, record: VoterRecord, choice: Choice, token: str | None
) -> None:
    """Supersede the voter's counted ballot by a new one (checks done by the caller)."""
    if vote.secret:
        assert token is not None
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
        raise AlreadyVoted(N_("this ballot was changed at the same moment; look again and retry"))
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
    await flush_ballot(session)
    await append_log(session, vote, [("recast", entry)])
    await session.flush()
