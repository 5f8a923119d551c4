"""评菜: the people behind a closed item rate the outcome; a poor average reopens it.

Only those who raised or supported (附议) the topic rate it, once per closing round. After
every rating the round's average is compared with the configured floor: below it, the item
was not really done, and goes back to in progress with the numbers in the transition's reason.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InvalidInput, PermissionDenied
from domain.i18n import N_
from domain.models import Proposal, ProposalStatus, ProposalSupport, Rating
from domain.permissions import require_login
from domain.principal import Principal
from domain.services.council_errors import AlreadyRated, NotEligible, NotOpen
from domain.services.proposal_access import get_proposal, move
from domain.validation import clean_text

COMMENT_MAX = 500


def _backs(resident_id: uuid.UUID) -> ColumnElement[bool]:
    """The topics this resident raised (openly) or supported."""
    supported = exists().where(
        ProposalSupport.proposal_id == Proposal.id, ProposalSupport.resident_id == resident_id
    )
    return or_(Proposal.raised_by_resident_id == resident_id, supported)


async def pending_ratings(session: AsyncSession, principal: Principal | None) -> list[Proposal]:
    """Closed items this resident backed and has not yet rated in the current round."""
    who = require_login(principal)
    if who.resident_id is None:
        return []
    rated = exists().where(
        Rating.proposal_id == Proposal.id,
        Rating.resident_id == who.resident_id,
        Rating.close_round == Proposal.close_round,
    )
    rows = await session.scalars(
        select(Proposal)
        .where(
            Proposal.community_id == who.community_id,
            Proposal.deleted.is_(False),
            Proposal.status == ProposalStatus.CLOSED,
            _backs(who.resident_id),
            ~rated,
        )
        .order_by(Proposal.submitted_on, Proposal.id)
    )
    return list(rows)


async def rate_proposal(
    session: AsyncSession,
    principal: Principal | None,
    proposal_id: uuid.UUID,
    *,
    score: int,
    comment: str | None,
    floor: float,
) -> tuple[Proposal, Rating]:
    who = require_login(principal)
    if who.resident_id is None:
        raise NotEligible(N_("only residents rate the outcome of a topic"))
    proposal = await get_proposal(session, who, proposal_id, lock=True)
    if proposal.status is not ProposalStatus.CLOSED:
        raise NotOpen(N_("only a closed item is rated"))
    if not 1 <= score <= 5:
        raise InvalidInput("score", N_("must be between 1 and 5"))
    text = clean_text("comment", comment, max_length=COMMENT_MAX, required=False)
    backed = await session.scalar(
        select(Proposal.id).where(Proposal.id == proposal.id, _backs(who.resident_id))
    )
    if backed is None:
        raise PermissionDenied(N_("only the topic's raisers and supporters rate it"))
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
    average = await session.scalar(
        select(func.avg(Rating.score)).where(
            Rating.proposal_id == proposal.id, Rating.close_round == proposal.close_round
        )
    )
    if average is not None and float(average) < floor:
        move(
            session,
            proposal,
            ProposalStatus.IN_PROGRESS,
            actor=None,
            reason=f"reopened: average rating {float(average):.2f} is below the floor {floor:g}",
        )
    await session.flush()
    return proposal, rating
