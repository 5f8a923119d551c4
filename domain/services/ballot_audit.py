"""What anyone eligible can check about a vote: the published commitments and choices, and
the recount of the whole hash-chained log against what the database says was counted.

Commitments (``H(salt, receipt)``, the salt shown only to the voter) are published sorted by
value, and a secret vote's choices sorted by random ballot id, both when the choices are
(live on an open vote that shows its results, else once the result is fixed), so neither
list can be lined up with the other, or in casting order, by position, time or id. The
chain itself stays with the server: ``verifyTally`` reports whether it recomputes, and the
order-free digest of the published sets, which the close entry seals.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.ballot_log import LogLink, chain_problems, of_kind
from domain.electorate import eligibility, load_facts
from domain.errors import PermissionDenied
from domain.i18n import N_, Message, word
from domain.models import Account, Ballot, BallotLogEntry, Choice, Vote, VoterRecord
from domain.models.base import utcnow
from domain.permissions import require_login
from domain.personal_data import mask_name
from domain.principal import Principal
from domain.services import published_log
from domain.services.votes import (
    ResultsHidden,
    VoteStatus,
    final_at,
    get_vote,
    rule_payload,
    status_of,
    tally_rule,
)
from domain.tally import Tally, count


async def _readable(session: AsyncSession, principal: Principal | None, vote_id: uuid.UUID) -> Vote:
    """The vote, if the principal is staff or eligible for it: "checkable by anyone eligible"."""
    who = require_login(principal)
    vote = await get_vote(session, who, vote_id)
    if who.is_staff:
        return vote
    facts = await load_facts(session, who.community_id, account_id=who.account_id)
    if facts is None or not eligibility(vote, facts).eligible:
        raise PermissionDenied(N_("only staff and those eligible for this vote may check it"))
    return vote


def _check_published(vote: Vote) -> None:
    """The published log (commitments and choices) goes out when the choices may be shown."""
    closed = vote.closed_at is not None
    hidden = vote.secret or vote.hide_results_until_close
    if not closed and hidden and status_of(vote, utcnow()) is VoteStatus.COUNTING:
        raise ResultsHidden(
            N_(
                "the vote is counting the ballots recorded offline before its close until "
                "{counting_ends_at}; its choices are published then"
            ),
            counting_ends_at=final_at(vote).isoformat(),
        )
    if not closed and vote.secret:
        raise ResultsHidden(N_("the choices of a secret vote are published when it closes"))
    if not closed and vote.hide_results_until_close:
        raise ResultsHidden(N_("results are hidden until the vote closes"))


def _published(vote: Vote) -> bool:
    try:
        _check_published(vote)
    except ResultsHidden:
        return False
    return True


async def published_commitments(
    session: AsyncSession, principal: Principal | None, vote_id: uuid.UUID
) -> list[str]:
    """Every voter's commitment, sorted by value: no position, time, id or link ties one to
    a ballot, a receipt or another entry. Published with the choices."""
    vote = await _readable(session, principal, vote_id)
    _check_published(vote)
    return await published_log.commitments(session, vote)


@dataclass(frozen=True)
class PublishedChoice:
    choice: Choice
    ballot_id: uuid.UUID | None
    voter: str | None


async def published_choices(
    session: AsyncSession, principal: Principal | None, vote_id: uuid.UUID
) -> list[PublishedChoice]:
    """A secret vote's counted choices, after close only, by random ballot id and nothing else;
    an open vote's choices with the voters' names (masked, as on a public notice)."""
    vote = await _readable(session, principal, vote_id)
    _check_published(vote)
    counted = Ballot.superseded.is_(False)
    if vote.secret:
        rows = await session.execute(
            select(Ballot.id, Ballot.choice).where(Ballot.vote_id == vote.id, counted)
        )
        found = [PublishedChoice(Choice(c), ballot_id, None) for ballot_id, c in rows]
        return sorted(found, key=lambda item: str(item.ballot_id))
    named = await session.execute(
        select(Ballot.choice, Account.display_name, VoterRecord.voter_key)
        .join(
            VoterRecord,
            (VoterRecord.vote_id == Ballot.vote_id) & (VoterRecord.voter_key == Ballot.voter_key),
        )
        .join(Account, Account.id == VoterRecord.account_id)
        .where(Ballot.vote_id == vote.id, counted)
    )
    ordered = sorted(named, key=lambda row: (mask_name(row[1]), row[2]))
    return [PublishedChoice(Choice(c), None, mask_name(name)) for c, name, _ in ordered]


@dataclass(frozen=True)
class Verification:
    """``verifyTally``: the hash chain, the receipts, the counted ballots and the result agree.

    ``digest`` is the order-free digest of the published log (once published) and
    ``sealed_digest`` the one the close entry sealed: whoever notes it down can later tell
    whether the published log was rewritten, which no check inside one database can. The
    chain's head is not shown: read after each cast, it would order the entries.
    """

    ok: bool
    problems: list[Message]
    log_entries: int
    receipts: int
    counted_ballots: int
    digest: str | None
    sealed_digest: str | None
    recount: Tally | None


def _replay_open(links: list[LogLink]) -> dict[str, str]:
    """An open vote's last choice per voter, replaying its casts and changes in log order."""
    choices: dict[str, str] = {}
    for link in links:
        if link.kind in ("cast", "recast"):
            data = link.data
            choices[str(data.get("voter"))] = str(data.get("choice"))
    return choices


_NOTHING = N_("nothing")


def _compare(
    logged: dict[str, str], stored: dict[str, str], what: str, show: bool
) -> list[Message]:
    differing = sorted(
        key for key in logged.keys() | stored.keys() if logged.get(key) != stored.get(key)
    )
    if not show:
        return [
            Message(
                N_("{what} {key}: the counted ballot does not match the log"),
                {"what": word(what), "key": key},
            )
            for key in differing
        ]
    return [
        Message(
            N_("{what} {key}: counted as {counted}, logged as {logged}"),
            {
                "what": word(what),
                "key": key,
                "counted": stored.get(key) or word(_NOTHING),
                "logged": logged.get(key) or word(_NOTHING),
            },
        )
        for key in differing
    ]


def audit(
    vote: Vote,
    links: list[LogLink],
    receipts: list[str],
    counted: list[tuple[uuid.UUID, Choice, str | None]],
    digest: str | None = None,
) -> tuple[list[Message], Tally | None]:
    """Every disagreement between the log, the receipts, the ballots and the stored result.

    Pure, so that anyone holding a copy of the published data can run the same check.
    """
    problems = chain_problems(links)
    if not links or links[0].kind != "open":
        problems.append(Message(N_("the log does not begin with the vote's rule")))
    elif links[0].data != rule_payload(vote):
        problems.append(
            Message(N_("the vote's stored rule differs from the rule its log opened with"))
        )
    cast_receipts = sorted(str(data.get("receipt")) for data in of_kind(links, "cast"))
    if cast_receipts != sorted(receipts):
        problems.append(
            Message(
                N_(
                    "the log records {ballots} first ballots, the register {receipts} receipts, "
                    "and they differ"
                ),
                {"ballots": len(cast_receipts), "receipts": len(receipts)},
            )
        )
    if len(counted) != len(receipts):
        problems.append(
            Message(
                N_("{counted} ballots are counted but {voters} voters have voted"),
                {"counted": len(counted), "voters": len(receipts)},
            )
        )
    closed = vote.closed_at is not None
    show = closed or not (vote.secret or vote.hide_results_until_close)
    if vote.secret:
        if not closed:
            return problems, None
        logged = {str(d.get("ballot")): str(d.get("choice")) for d in of_kind(links, "choice")}
        stored = {str(ballot_id): choice.value for ballot_id, choice, _ in counted}
        problems += _compare(logged, stored, N_("ballot"), show)
    else:
        logged = _replay_open(links)
        stored = {str(key): choice.value for _, choice, key in counted}
        problems += _compare(logged, stored, N_("voter"), show)
        if not closed:
            return problems, None
    try:
        recount = count((Choice(value) for value in logged.values()), tally_rule(vote))
    except ValueError:
        odd = Message(N_("the log holds a choice that is not for, against or abstain"))
        return [*problems, odd], None
    if vote.result != recount.as_dict():
        problems.append(
            Message(N_("the stored result differs from the tally recomputed from the log"))
        )
    closes = of_kind(links, "close")
    if len(closes) != 1 or links[-1].kind != "close":
        problems.append(Message(N_("the log does not end with exactly one close entry")))
    elif closes[0].get("result") != recount.as_dict():
        problems.append(
            Message(N_("the log's close entry differs from the tally recomputed from the log"))
        )
    sealed = closes[0].get("digest") if closes else None
    if sealed is not None and sealed != digest:
        problems.append(
            Message(
                N_("the published commitments and choices differ from the digest sealed at close")
            )
        )
    return problems, recount


async def verify_tally(
    session: AsyncSession, principal: Principal | None, vote_id: uuid.UUID
) -> Verification:
    vote = await _readable(session, principal, vote_id)
    entries = await session.scalars(
        select(BallotLogEntry).where(BallotLogEntry.vote_id == vote.id).order_by(BallotLogEntry.seq)
    )
    links = [LogLink(e.seq, e.kind, e.payload, e.prev_hash, e.entry_hash) for e in entries]
    receipts = list(
        await session.scalars(select(VoterRecord.receipt).where(VoterRecord.vote_id == vote.id))
    )
    rows = await session.execute(
        select(Ballot.id, Ballot.choice, Ballot.voter_key).where(
            Ballot.vote_id == vote.id, Ballot.superseded.is_(False)
        )
    )
    counted = [(ballot_id, Choice(choice), key) for ballot_id, choice, key in rows]
    shown = _published(vote)
    digest = (
        published_log.digest(
            vote, await published_log.commitments(session, vote), [(b, c) for b, c, _ in counted]
        )
        if shown
        else None
    )
    problems, recount = audit(vote, links, receipts, counted, digest)
    closes = of_kind(links, "close")
    return Verification(
        ok=not problems,
        problems=problems,
        log_entries=len(links),
        receipts=len(receipts),
        counted_ballots=len(counted),
        digest=digest,
        sealed_digest=str(closes[0].get("digest")) if closes and closes[0].get("digest") else None,
        recount=recount,
    )
