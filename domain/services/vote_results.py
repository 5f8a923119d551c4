"""Fixing a vote's result, and carrying it to its topic (表决结果落到议题上).

The result is fixed once, when it becomes final: at ``closeVote`` or at the first read or
write after the close and the counting window (``final_at``). In the same transaction the
outcome reaches the topic: a passed resolution goes into follow-up, a failed one goes back to
deliberation (``domain.lifecycle``), and either way the result is written into the topic's
history. The vote row and its log stay as they are, so a topic voted on again keeps the
record of every earlier vote.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.i18n import N_
from domain.lifecycle import AFTER_FAILED_VOTE, AFTER_PASSED_VOTE
from domain.models import Ballot, Choice, Proposal, Vote
from domain.models.base import utcnow
from domain.permissions import require_admin
from domain.principal import Principal
from domain.services import published_log
from domain.services.proposal_access import move
from domain.services.proposal_history import note
from domain.services.votes import append_log, check_closable, final_at, lock_vote, tally_rule
from domain.stored_text import encode as stored
from domain.tally import Tally, count


def outcome_reason(tally: Tally) -> str:
    """The result as the topic's history reads it, stored to be read in the reader's language."""
    counts = {
        "for_": tally.for_,
        "against": tally.against,
        "abstain": tally.abstain,
        "ballots": tally.ballots,
        "electorate": tally.electorate_size,
    }
    if tally.passed:
        return stored(
            N_(
                "vote passed ({for_} for, {against} against, {abstain} abstaining, "
                "{ballots} of {electorate} voting)"
            ),
            counts,
        )
    if not tally.quorum_met:
        template = N_(
            "vote failed, quorum not met ({for_} for, {against} against, {abstain} abstaining, "
            "{ballots} of {electorate} voting); back to deliberation, it may be voted on again"
        )
    else:
        template = N_(
            "vote failed, not carried ({for_} for, {against} against, {abstain} abstaining, "
            "{ballots} of {electorate} voting); back to deliberation, it may be voted on again"
        )
    return stored(template, counts)


async def apply_outcome(session: AsyncSession, vote: Vote, tally: Tally, now: datetime) -> None:
    """Move the topic on (passed) or back to deliberation (failed); note it either way."""
    proposal = await session.scalar(
        select(Proposal).where(Proposal.id == vote.proposal_id).with_for_update()
    )
    if proposal is None:
        return
    reason = outcome_reason(tally)
    wanted = (AFTER_PASSED_VOTE if tally.passed else AFTER_FAILED_VOTE).get(proposal.status)
    if wanted is None or proposal.deleted:
        note(session, proposal, actor=None, reason=reason, at=now)
    else:
        move(session, proposal, wanted, actor=None, reason=reason, at=now)


async def finalize(
    session: AsyncSession, community_id: uuid.UUID, vote_id: uuid.UUID, now: datetime
) -> Vote | None:
    """Fix the result of a vote whose closing time has passed; a no-op if done already.

    On a secret vote the counted choices enter the log now, one entry per ballot in the order
    of their random ids (never casting order), so the tally can be recomputed from the log
    without any entry naming a voter. The "close" entry records the result and seals the
    digest of the published log (``domain.services.published_log``).
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
    sealed = published_log.digest(vote, await published_log.commitments(session, vote), counted)
    entries.append(("close", {"result": tally.as_dict(), "digest": sealed}))
    await append_log(session, vote, entries)
    vote.closed_at = now
    vote.result = tally.as_dict()
    await apply_outcome(session, vote, tally, now)
    await session.flush()
    return vote


async def close_vote(
    session: AsyncSession, principal: Principal | None, vote_id: uuid.UUID
) -> Vote:
    """The admin fixes the result once the vote is closed and counted, never before."""
    who = require_admin(principal)
    vote = await lock_vote(session, who, vote_id)
    if vote.closed_at is not None:
        return vote
    now = utcnow()
    check_closable(vote, now)
    closed = await finalize(session, who.community_id, vote.id, now)
    assert closed is not None
    return closed
