"""台账: every topic on one ledger, worked until it is closed (清单式、台账式管理).

One statement per page however many rows: support counts and the latest round's average
rating come from grouped subqueries joined in, never from a query per row. Staff see the
topics in the grids they cover, the admin all of the community's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.lifecycle import FOLLOW_UP
from domain.models import (
    Grid,
    Proposal,
    ProposalCategory,
    ProposalStatus,
    ProposalSupport,
    Rating,
    Resolution,
)
from domain.pagination import Page
from domain.permissions import require_staff
from domain.principal import Principal
from domain.services.proposal_access import proposals_managed, today
from domain.services.topic_pages import topic_page

EXPORT_MAX = 50_000


@dataclass(frozen=True)
class LedgerFilter:
    status: ProposalStatus | None = None
    category: ProposalCategory | None = None
    overdue: bool | None = None


@dataclass(frozen=True)
class LedgerRow:
    proposal_id: uuid.UUID
    title: str
    status: ProposalStatus
    category: ProposalCategory
    submitted_on: date
    grid_name: str | None
    contact_name: str | None
    deadline: date | None
    overdue: bool
    average_rating: float | None
    support_count: int


def _overdue(on: date) -> ColumnElement[bool]:
    return and_(
        Resolution.deadline.is_not(None),
        Resolution.deadline < on,
        Proposal.status.in_(FOLLOW_UP),
    )


def _statement(principal: Principal, where: LedgerFilter, on: date) -> Select[Any]:
    supports = (
        select(ProposalSupport.proposal_id, func.count(ProposalSupport.id).label("n"))
        .group_by(ProposalSupport.proposal_id)
        .subquery()
    )
    ratings = (
        select(Rating.proposal_id, Rating.close_round, func.avg(Rating.score).label("average"))
        .group_by(Rating.proposal_id, Rating.close_round)
        .subquery()
    )
    overdue = _overdue(on)
    statement = (
        select(
            Proposal.id,
            Proposal.title,
            Proposal.status,
            Proposal.category,
            Proposal.submitted_on,
            Grid.name,
            Resolution.contact_name,
            Resolution.deadline,
            overdue.label("overdue"),
            ratings.c.average,
            func.coalesce(supports.c.n, literal(0)),
        )
        .outerjoin(Grid, Grid.id == Proposal.grid_id)
        .outerjoin(Resolution, Resolution.proposal_id == Proposal.id)
        .outerjoin(supports, supports.c.proposal_id == Proposal.id)
        .outerjoin(
            ratings,
            and_(
                ratings.c.proposal_id == Proposal.id,
                ratings.c.close_round == Proposal.close_round,
            ),
        )
        .where(proposals_managed(principal))
    )
    if where.status is not None:
        statement = statement.where(Proposal.status == where.status)
    if where.category is not None:
        statement = statement.where(Proposal.category == where.category)
    if where.overdue is not None:
        statement = statement.where(overdue if where.overdue else ~overdue)
    return statement


def _row(values: Any) -> LedgerRow:
    (
        pid,
        title,
        status,
        category,
        submitted_on,
        grid_name,
        contact,
        deadline,
        overdue,
        average,
        supports,
    ) = values
    return LedgerRow(
        proposal_id=pid,
        title=title,
        status=status,
        category=category,
        submitted_on=submitted_on,
        grid_name=grid_name,
        contact_name=contact,
        deadline=deadline,
        overdue=bool(overdue),
        average_rating=round(float(average), 2) if average is not None else None,
        support_count=int(supports),
    )


async def ledger_page(
    session: AsyncSession,
    principal: Principal | None,
    where: LedgerFilter,
    *,
    first: int,
    after: str | None,
    on: date | None = None,
) -> Page[Any]:
    who = require_staff(principal)
    page = await topic_page(
        session,
        _statement(who, where, on or today()),
        first=first,
        after=after,
        newest_first=False,
        key_of=lambda row: (row[4].isoformat(), row[0]),
    )
    return Page(
        items=[_row(row) for row in page.items],
        cursors=page.cursors,
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
    )


async def ledger_count(
    session: AsyncSession, principal: Principal | None, where: LedgerFilter
) -> int:
    who = require_staff(principal)
    inner = _statement(who, where, today()).subquery()
    return int(await session.scalar(select(func.count()).select_from(inner)) or 0)


async def ledger_rows(
    session: AsyncSession, principal: Principal | None, where: LedgerFilter
) -> list[LedgerRow]:
    """The whole ledger for an export, in the ledger's order (bounded by ``EXPORT_MAX``)."""
    who = require_staff(principal)
    statement = (
        _statement(who, where, today())
        .order_by(Proposal.submitted_on, Proposal.id)
        .limit(EXPORT_MAX)
    )
    return [_row(row) for row in await session.execute(statement)]
