"""征集议题: raising topics, finding similar ones, 附议 (support), declining and withdrawing.

An anonymous topic is never raised here: a suggestion for the box (民主决议箱) waits in the
box and is released with others (``domain.services.suggestion_box``), so that neither a
column, a timestamp, a change position nor the moment it appears points back to anyone.

Every other topic belongs to a grid node, so that the staff covering it can work on it and
it shows in that grid's ledger (台账) and overdue chain: the one named (staff may name only a
node they cover), else the household's grid of the resident it was recorded for on a visit,
else the raiser's own household's grid.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InvalidInput, NotFound, PermissionDenied
from domain.i18n import N_, word
from domain.lifecycle import OPEN
from domain.models import (
    Household,
    Proposal,
    ProposalCategory,
    ProposalSource,
    ProposalStatus,
    ProposalSupport,
    ProposalTransition,
    Resident,
)
from domain.permissions import require_covers, require_login, residents_visible
from domain.principal import Principal
from domain.services.council_errors import AlreadySupported, NotEligible, NotOpen
from domain.services.proposal_access import (
    Reference,
    check_grid,
    clean_long_text,
    clean_reason,
    clean_references,
    get_proposal,
    move,
    require_manage,
    today,
)
from domain.similarity import rank
from domain.validation import clean_text

TITLE_MAX = 100
DESCRIPTION_MAX = 2000
SIMILAR_TEXT_MAX = 2000
SIMILAR_LIMIT = 5

RESIDENT_SOURCES = frozenset({ProposalSource.RESIDENT, ProposalSource.ONLINE})
STAFF_SOURCES = frozenset({ProposalSource.VISIT, ProposalSource.MEETING, ProposalSource.ONLINE})


@dataclass(frozen=True)
class NewProposal:
    title: str
    category: ProposalCategory
    source: ProposalSource
    description: str = ""
    grid_id: uuid.UUID | None = None
    resident_id: uuid.UUID | None = None
    attachments: Sequence[Reference] = ()
    proposal_id: uuid.UUID | None = None  # minted by a phone offline; else a fresh one


@dataclass(frozen=True)
class Similar:
    proposal: Proposal
    score: float


def topic_text(proposal: Proposal) -> str:
    return f"{proposal.title} {proposal.description}"


async def similar_open(
    session: AsyncSession,
    community_id: uuid.UUID,
    text: str,
    *,
    exclude: frozenset[uuid.UUID] = frozenset(),
) -> list[Similar]:
    """Open topics whose text resembles ``text`` (jieba words, see domain.similarity).

    One statement whatever the number of open topics; the ranking is O(open topics).
    """
    rows = await session.scalars(
        select(Proposal).where(
            Proposal.community_id == community_id,
            Proposal.deleted.is_(False),
            Proposal.status.in_(OPEN),
        )
    )
    return rank_similar(text, list(rows), exclude=exclude)


def rank_similar(
    text: str, candidates: Sequence[Proposal], *, exclude: frozenset[uuid.UUID] = frozenset()
) -> list[Similar]:
    """The best ``SIMILAR_LIMIT`` candidates from ``domain.similarity.THRESHOLD`` on.

    Every candidate counts in the ranking's word weights, the excluded ones included (they are
    only left out of the answer), so one community's open topics make one cached ranking.
    """
    ordered = sorted(candidates, key=lambda row: str(row.id))
    found = rank(text, [topic_text(row) for row in ordered], limit=SIMILAR_LIMIT + len(exclude))
    similar = [Similar(ordered[i], score) for i, score in found if ordered[i].id not in exclude]
    return similar[:SIMILAR_LIMIT]


async def similar_topics(
    session: AsyncSession, principal: Principal | None, text: str
) -> list[Similar]:
    """What the app shows while a resident types: 'has someone raised this already?'"""
    who = require_login(principal)
    cleaned = clean_text("text", text, max_length=SIMILAR_TEXT_MAX, required=False)
    if not cleaned:
        return []
    return await similar_open(session, who.community_id, cleaned)


async def _eligible_resident(session: AsyncSession, principal: Principal) -> Resident:
    if principal.resident_id is None:
        raise NotEligible(N_("only a resident's own account may do this"))
    resident = await session.get(Resident, principal.resident_id)
    if resident is None or resident.deleted or resident.community_id != principal.community_id:
        raise NotEligible(N_("only a resident of this community may do this"))
    return resident


async def _raiser_for_staff(
    session: AsyncSession, principal: Principal, resident_id: uuid.UUID | None
) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """A grid worker records a topic on a visit (一事一访) for a resident they cover.

    Returns the resident and their household's grid node: the topic belongs where the
    resident lives, so the worker who recorded it can work on it and it reaches that grid's
    ledger (台账) and overdue chain.
    """
    if resident_id is None:
        return None, None
    found = (
        await session.execute(
            select(Resident.id, Household.grid_id)
            .join(Household, Household.id == Resident.household_id)
            .where(Resident.id == resident_id, residents_visible(principal))
        )
    ).first()
    if found is None:
        raise NotFound(N_("resident"), resident_id)
    return found[0], found[1]


async def raise_proposal(
    session: AsyncSession, principal: Principal | None, new: NewProposal
) -> tuple[Proposal, list[Similar]]:
    """The new topic, and the similar open topics its raiser may want to support instead."""
    who = require_login(principal)
    title = clean_text("title", new.title, max_length=TITLE_MAX)
    description = clean_long_text(
        "description", new.description, max_length=DESCRIPTION_MAX, required=False
    )
    attachments = clean_references("attachments", new.attachments)
    if new.grid_id is not None:
        await check_grid(session, who, new.grid_id)
    if new.source is ProposalSource.SUGGESTION_BOX:
        raise InvalidInput(
            "source", N_("a suggestion for the box waits there and is released with others")
        )
    raised_by_account: uuid.UUID | None = who.account_id
    raised_by_resident: uuid.UUID | None = None
    grid_id = new.grid_id
    if who.is_staff:
        if new.source not in STAFF_SOURCES:
            raise InvalidInput("source", N_("staff record topics from visits, meetings or online"))
        if grid_id is not None:
            require_covers(who, grid_id)
        raised_by_resident, home_grid = await _raiser_for_staff(session, who, new.resident_id)
        if grid_id is None:
            grid_id = home_grid
    else:
        if new.source not in RESIDENT_SOURCES:
            raise InvalidInput("source", N_("residents raise topics as themselves or online"))
        if new.resident_id is not None:
            raise InvalidInput("residentId", N_("a resident raises topics as themselves"))
        resident = await _eligible_resident(session, who)
        raised_by_resident = resident.id
        if grid_id is None:
            grid_id = await session.scalar(
                select(Household.grid_id).where(Household.id == resident.household_id)
            )
    day = today()
    proposal = Proposal(
        id=new.proposal_id or uuid.uuid4(),
        community_id=who.community_id,
        title=title,
        description=description,
        category=new.category,
        source=new.source,
        status=ProposalStatus.SUBMITTED,
        grid_id=grid_id,
        raised_by_account_id=raised_by_account,
        raised_by_resident_id=raised_by_resident,
        anonymous=False,
        submitted_on=day,
        attachments=attachments,
        close_round=0,
    )
    similar = await similar_open(session, who.community_id, topic_text(proposal))
    session.add(proposal)
    session.add(
        ProposalTransition(
            community_id=who.community_id,
            proposal_id=proposal.id,
            from_status=None,
            to_status=ProposalStatus.SUBMITTED,
            actor_account_id=raised_by_account,
            reason="",
        )
    )
    await session.flush()
    return proposal, similar


async def support_proposal(
    session: AsyncSession, principal: Principal | None, proposal_id: uuid.UUID
) -> Proposal:
    """附议: one per resident per topic, guaranteed by the database's unique constraint.

    The insert runs in a savepoint so a concurrent duplicate becomes the typed error too.
    """
    who = require_login(principal)
    resident = await _eligible_resident(session, who)
    proposal = await get_proposal(session, who, proposal_id)
    if proposal.status not in OPEN:
        raise NotOpen(
            N_("a topic that is {status} takes no more support"), status=word(proposal.status.value)
        )
    existing = await session.scalar(
        select(ProposalSupport.id).where(
            ProposalSupport.proposal_id == proposal.id,
            ProposalSupport.resident_id == resident.id,
        )
    )
    if existing is not None:
        raise AlreadySupported(N_("you already support this topic"))
    try:
        async with session.begin_nested():
            session.add(
                ProposalSupport(
                    community_id=who.community_id,
                    proposal_id=proposal.id,
                    resident_id=resident.id,
                )
            )
    except IntegrityError as exc:
        raise AlreadySupported(N_("you already support this topic")) from exc
    return proposal


async def decline_proposal(
    session: AsyncSession, principal: Principal | None, proposal_id: uuid.UUID, reason: str
) -> Proposal:
    """Declining a topic needs a reason: every matter gets a reply (事事有回音)."""
    who = require_login(principal)
    proposal = await get_proposal(session, who, proposal_id, lock=True)
    require_manage(who, proposal)
    why = clean_reason(reason, required=True)
    move(session, proposal, ProposalStatus.DECLINED, actor=who.account_id, reason=why)
    await session.flush()
    return proposal


def _is_raiser(principal: Principal, proposal: Proposal) -> bool:
    if proposal.anonymous:
        return False
    if proposal.raised_by_account_id == principal.account_id:
        return True
    return principal.resident_id is not None and (
        proposal.raised_by_resident_id == principal.resident_id
    )


async def withdraw_proposal(
    session: AsyncSession,
    principal: Principal | None,
    proposal_id: uuid.UUID,
    reason: str | None,
) -> Proposal:
    """The raiser takes a topic back (an anonymous one has no raiser to do so), or the admin."""
    who = require_login(principal)
    proposal = await get_proposal(session, who, proposal_id, lock=True)
    if not (who.is_admin or _is_raiser(who, proposal)):
        raise PermissionDenied(N_("only the topic's raiser or the admin may withdraw it"))
    why = clean_reason(reason, required=False)
    move(session, proposal, ProposalStatus.WITHDRAWN, actor=who.account_id, reason=why)
    await session.flush()
    return proposal


async def history(
    session: AsyncSession, principal: Principal | None, proposal_id: uuid.UUID
) -> list[ProposalTransition]:
    who = require_login(principal)
    proposal = await get_proposal(session, who, proposal_id)
    rows = await session.scalars(
        select(ProposalTransition)
        .where(ProposalTransition.proposal_id == proposal.id)
        .order_by(ProposalTransition.created_at, ProposalTransition.id)
    )
    return list(rows)
