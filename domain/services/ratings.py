"""评菜: the people behind a closed item rate the outcome, once each, inside its rating window.

Only those who raised or supported (附议) the topic rate it, once per closing round, while
the round's window (``domain.services.rating_windows``) is open. No single rating decides:
the outcome waits for the window's end or for the last eligible backer, and the running
average stays hidden until then, so that early ratings do not steer later ones.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InvalidInput, PermissionDenied
from domain.i18n import N_
from domain.models import Proposal, ProposalStatus, ProposalSupport, Rating, RatingWindow
from domain.models.base import utcnow
from domain.permissions import require_login
from domain.principal import Principal
from domain.services.council_errors import AlreadyRated, NotEligible, NotOpen
from domain.services.proposal_access import get_proposal
from domain.services.rating_windows import current_window, decide, is_open
from domain.validation import clean_text

COMMENT_MAX = 500


def backed_by(resident_id: uuid.UUID) -> ColumnElement[bool]:
    """The topics this resident raised (openly) or supported."""
    supported = exists().where(
        ProposalSupport.proposal_id == Proposal.id, ProposalSupport.resident_id == resident_id
    )
    return or_(Proposal.raised_by_resident_id == resident_id, supported)


async def pending_ratings(
    session: AsyncSession, principal: Principal | None, *, now: datetime | None = None
) -> list[Proposal]:
    """Closed items this resident backed whose rating window is open and not yet rated."""
    who = require_login(principal)
    if who.resident_id is None:
        return []
    moment = now or utcnow()
    rated = exists().where(
        Rating.proposal_id == Proposal.id,
        Rating.resident_id == who.resident_id,
        Rating.close_round == Proposal.close_round,
    )
    rows = await session.scalars(
        select(Proposal)
        .join(
            RatingWindow,
            and_(
                RatingWindow.proposal_id == Proposal.id,
                RatingWindow.close_round == Proposal.close_round,
            ),
        )
        .where(
            Proposal.community_id == who.community_id,
            Proposal.deleted.is_(False),
            Proposal.status == ProposalStatus.CLOSED,
            RatingWindow.decided_at.is_(None),
            RatingWindow.closes_at > moment,
            backed_by(who.resident_id),
            ~rated,
        )
        .order_by(RatingWindow.closes_at, Proposal.id)
    )
    return list(rows)


async def rate_proposal(
    session: AsyncSession,
    principal: Principal | None,
    proposal_id: uuid.UUID,
    *,
    score: int,
    comment: str | None,
    now: datetime | None = None,
) -> tuple[Proposal, Rating]:
    """One backer's rating; the last eligible backer's rating decides the round at once."""
    who = require_login(principal)
    if who.resident_id is None:
        raise NotEligible(N_("only residents rate the outcome of a topic"))
    moment = now or utcnow()
    proposal = await get_proposal(session, who, proposal_id, lock=True)
    if proposal.status is not ProposalStatus.CLOSED:
        raise NotOpen(N_("only a closed item is rated"))
    if not 1 <= score <= 5:
        raise InvalidInput("score", N_("must be between 1 and 5"))
    text = clean_text("comment", comment, max_length=COMMENT_MAX, required=False)
    backed = await session.scalar(
        select(Proposal.id).where(Proposal.id == proposal.id, backed_by(who.resident_id))
    )
    if backed is None:
        raise PermissionDenied(N_("only the topic's raisers and supporters rate it"))
    mine = await session.scalar(
        select(Rating.id).where(
            Rating.proposal_id == proposal.id,
            Rating.resident_id == who.resident_id,
            Rating.close_round == proposal.close_round,
        )
    )
    if mine is not None:
        raise AlreadyRated(N_("you already rated this round"))
    window = await current_window(session, proposal, lock=True)
    if window is None or not is_open(window, moment):
        raise NotOpen(N_("the rating window of this item has ended"))
    rating = Rating(
        id=uuid.uuid4(),
        community_id=proposal.community_id,
        proposal_id=proposal.id,
        resident_id=who.resident_id,
        close_round=proposal.close_round,
        score=score,
        comment=text,
    )
    try:
        async with session.begin_nested():
            session.add(rating)
    except IntegrityError as exc:
        raise AlreadyRated(N_("you already rated this round")) from exc
    given = await session.scalar(
        select(func.count(Rating.id)).where(
            Rating.proposal_id == proposal.id, Rating.close_round == proposal.close_round
        )
    )
    if int(given or 0) >= window.eligible_count:
        await decide(session, proposal, window, moment)
    await session.flush()
    return proposal, rating
