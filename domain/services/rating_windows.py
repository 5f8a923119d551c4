"""评菜期: the rating window a 销号 opens, and how its outcome is decided.

Closing an item opens a window (the community's ``rating_window_days``) in which everyone who
raised or supported (附议) it may rate it once, 1-5. The outcome is decided once, when the
last eligible backer has rated or when the window ends, whichever comes first:

- fewer ratings than the round's minimum: the 销号 stands, recorded as closed without enough
  ratings (nobody can reopen an item by staying silent, nor one grumbler alone);
- otherwise an average below the round's floor reopens the item (back to in progress);
- otherwise the 销号 stands, kept closed.

Either way a history entry records it with the numbers, stamped with the moment the outcome
became true (the last rating, or the window's end), never with the moment someone looked.
The end of a window is decided lazily: ``settle_due`` runs before every API request and in a
periodic sweep, so no answer ever shows a window that has ended as still undecided.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.i18n import N_
from domain.models import (
    Proposal,
    ProposalStatus,
    ProposalSupport,
    ProposalTransition,
    Rating,
    RatingOutcome,
    RatingWindow,
)
from domain.services.community_settings import CouncilRules
from domain.services.proposal_access import move
from domain.stored_text import encode as stored

REASONS = {
    RatingOutcome.KEPT_CLOSED: N_(
        "rating decided: average {average:.2f} from {count} ratings meets the floor {floor:g}; "
        "kept closed"
    ),
    RatingOutcome.REOPENED: N_(
        "rating decided: average {average:.2f} from {count} ratings is below the floor "
        "{floor:g}; reopened"
    ),
    RatingOutcome.TOO_FEW_RATINGS: N_(
        "rating window ended with {count} ratings, fewer than the {minimum} needed; "
        "closed without enough ratings"
    ),
}


async def _eligible(session: AsyncSession, proposal: Proposal) -> int:
    """How many residents may rate: the raiser (unless anonymous) and every supporter, once."""
    backers = set(
        await session.scalars(
            select(ProposalSupport.resident_id).where(ProposalSupport.proposal_id == proposal.id)
        )
    )
    if proposal.raised_by_resident_id is not None and not proposal.anonymous:
        backers.add(proposal.raised_by_resident_id)
    return len(backers)


async def open_window(
    session: AsyncSession, proposal: Proposal, rules: CouncilRules, now: datetime
) -> RatingWindow:
    """The round's window, with the community's rules of the moment fixed into it."""
    window = RatingWindow(
        id=uuid.uuid4(),
        community_id=proposal.community_id,
        proposal_id=proposal.id,
        close_round=proposal.close_round,
        opens_at=now,
        closes_at=now + rules.rating_window,
        eligible_count=await _eligible(session, proposal),
        floor=rules.rating_floor,
        minimum_ratings=rules.minimum_ratings,
    )
    session.add(window)
    await session.flush()
    if window.eligible_count == 0:  # nobody can rate: nothing to wait for
        await decide(session, proposal, window, now)
    return window


async def current_window(
    session: AsyncSession, proposal: Proposal, *, lock: bool = False
) -> RatingWindow | None:
    statement = select(RatingWindow).where(
        RatingWindow.proposal_id == proposal.id,
        RatingWindow.close_round == proposal.close_round,
    )
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return await session.scalar(statement)


def is_open(window: RatingWindow | None, now: datetime) -> bool:
    return window is not None and window.decided_at is None and now < window.closes_at


async def decide(
    session: AsyncSession, proposal: Proposal, window: RatingWindow, at: datetime
) -> RatingOutcome:
    """The round's outcome from its ratings, recorded on the window and in the history."""
    count, average = (
        await session.execute(
            select(func.count(Rating.id), func.avg(Rating.score)).where(
                Rating.proposal_id == window.proposal_id,
                Rating.close_round == window.close_round,
            )
        )
    ).one()
    count = int(count)
    mean = round(float(average), 2) if average is not None else None
    if count < window.minimum_ratings or mean is None:
        outcome = RatingOutcome.TOO_FEW_RATINGS
    elif mean < window.floor:
        outcome = RatingOutcome.REOPENED
    else:
        outcome = RatingOutcome.KEPT_CLOSED
    window.decided_at = at
    window.outcome = outcome
    window.rating_count = count
    window.average = mean
    reason = stored(
        REASONS[outcome],
        {
            "average": mean or 0.0,
            "count": count,
            "floor": window.floor,
            "minimum": window.minimum_ratings,
        },
    )
    still_closed = proposal.status is ProposalStatus.CLOSED
    if outcome is RatingOutcome.REOPENED and still_closed:
        move(session, proposal, ProposalStatus.IN_PROGRESS, actor=None, reason=reason, at=at)
    else:
        session.add(
            ProposalTransition(
                community_id=proposal.community_id,
                proposal_id=proposal.id,
                from_status=proposal.status,
                to_status=proposal.status,
                actor_account_id=None,
                reason=reason,
                created_at=at,
                updated_at=at,
            )
        )
    await session.flush()
    return outcome


async def settle_due(session: AsyncSession, now: datetime) -> int:
    """Decide every window that has ended undecided, each as of its end; how many.

    Locks the topic before its window (the order ``rate_proposal`` takes them in) and checks
    again under the lock, so concurrent sweeps and ratings decide each window exactly once.
    """
    due = list(
        await session.execute(
            select(RatingWindow.id, RatingWindow.proposal_id)
            .where(RatingWindow.decided_at.is_(None), RatingWindow.closes_at <= now)
            .order_by(RatingWindow.closes_at, RatingWindow.id)
        )
    )
    decided = 0
    for window_id, proposal_id in due:
        proposal = await session.scalar(
            select(Proposal)
            .where(Proposal.id == proposal_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        window = await session.scalar(
            select(RatingWindow)
            .where(RatingWindow.id == window_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if proposal is None or window is None or window.decided_at is not None:
            continue
        await decide(session, proposal, window, window.closes_at)
        decided += 1
    return decided


async def any_due(session: AsyncSession, now: datetime) -> bool:
    """One indexed look-up: is there a window that has ended and is not decided yet?"""
    found = await session.scalar(
        select(RatingWindow.id)
        .where(RatingWindow.decided_at.is_(None), RatingWindow.closes_at <= now)
        .limit(1)
    )
    return found is not None
