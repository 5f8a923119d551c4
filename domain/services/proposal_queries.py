"""Reading topics (议题): the community's list, newest first, and single topics by id."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Proposal, ProposalCategory, ProposalStatus
from domain.pagination import Page
from domain.permissions import require_login
from domain.principal import Principal
from domain.services.grids import subtree_of
from domain.services.proposal_access import get_proposal, proposals_readable
from domain.services.ratings import backed_by
from domain.services.topic_pages import topic_page
from domain.validation import clean_text

SEARCH_MAX = 50


@dataclass(frozen=True)
class ProposalFilter:
    status: ProposalStatus | None = None
    category: ProposalCategory | None = None
    grid_id: uuid.UUID | None = None  # this node and every node below it
    search: str | None = None  # part of the title or the description
    mine: bool | None = None  # raised (openly) or supported by the asking resident


async def _where(
    session: AsyncSession, principal: Principal, where: ProposalFilter
) -> list[ColumnElement[bool]]:
    clauses = [proposals_readable(principal)]
    if where.status is not None:
        clauses.append(Proposal.status == where.status)
    if where.category is not None:
        clauses.append(Proposal.category == where.category)
    if where.grid_id is not None:
        clauses.append(Proposal.grid_id.in_(await subtree_of(session, principal, where.grid_id)))
    if where.mine:
        resident = principal.resident_id
        clauses.append(backed_by(resident) if resident is not None else false())
    text = clean_text("search", where.search, max_length=SEARCH_MAX, required=False)
    if text:
        clauses.append(
            Proposal.title.contains(text, autoescape=True)
            | Proposal.description.contains(text, autoescape=True)
        )
    return clauses


async def list_proposals(
    session: AsyncSession,
    principal: Principal | None,
    where: ProposalFilter,
    *,
    first: int,
    after: str | None,
) -> Page[Any]:
    who = require_login(principal)
    return await topic_page(
        session,
        select(Proposal).where(*await _where(session, who, where)),
        first=first,
        after=after,
        newest_first=True,
        key_of=lambda row: (row[0].submitted_on.isoformat(), row[0].id),
    )


async def count_proposals(
    session: AsyncSession, principal: Principal | None, where: ProposalFilter
) -> int:
    who = require_login(principal)
    return int(
        await session.scalar(
            select(func.count(Proposal.id)).where(*await _where(session, who, where))
        )
        or 0
    )


async def read_proposal(
    session: AsyncSession, principal: Principal | None, proposal_id: uuid.UUID
) -> Proposal:
    return await get_proposal(session, require_login(principal), proposal_id)


async def read_released(
    session: AsyncSession, principal: Principal | None, proposal_ids: Sequence[uuid.UUID]
) -> list[Proposal]:
    """A released batch of the suggestion box, in one statement and in id order (random)."""
    who = require_login(principal)
    rows = await session.scalars(
        select(Proposal)
        .where(Proposal.id.in_(proposal_ids), proposals_readable(who))
        .order_by(Proposal.id)
    )
    return list(rows)
