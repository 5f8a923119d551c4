"""逾期督办: overdue resolutions climb the red grid chain until someone acts.

From the first day past its deadline an unfinished resolution is in the queue of the grid
chief and deputies (网格长, 副网格长) of the topic's grid or any grid above it; after the first
escalation period also of the cadre (包联社区干部) on those nodes; after the second also of the
admin (社区书记). A topic without a location has no chain: the admin sees it at once.
The escalation is a SQL predicate, so the queue is one statement whatever its length.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.lifecycle import FOLLOW_UP
from domain.models import GridPost, PostRole, Proposal, Resolution
from domain.permissions import require_staff
from domain.principal import Principal
from domain.services.grids import community_grids, subtree_ids
from domain.services.proposal_access import today

CHIEF_ROLES = frozenset({PostRole.GRID_CHIEF, PostRole.DEPUTY_CHIEF})


class EscalationLevel(StrEnum):
    GRID_CHIEF = "grid_chief"  # 网格长 / 副网格长: from the first overdue day
    CADRE = "cadre"  # 包联社区干部: after the first escalation period
    ADMIN = "admin"  # 社区书记: after the second


@dataclass(frozen=True)
class OverdueItem:
    proposal: Proposal
    resolution: Resolution
    days_overdue: int
    level: EscalationLevel


def escalation_level(days_overdue: int, escalation_days: tuple[int, int]) -> EscalationLevel:
    if days_overdue >= escalation_days[1]:
        return EscalationLevel.ADMIN
    if days_overdue >= escalation_days[0]:
        return EscalationLevel.CADRE
    return EscalationLevel.GRID_CHIEF


def overdue_now(on: date) -> ColumnElement[bool]:
    """A resolution past its deadline whose topic is still being carried out."""
    return and_(Resolution.deadline < on, Proposal.status.in_(FOLLOW_UP))


async def _reach(
    session: AsyncSession, principal: Principal, on: date, escalation_days: tuple[int, int]
) -> ColumnElement[bool]:
    posts = list(
        await session.execute(
            select(GridPost.grid_id, GridPost.role).where(
                GridPost.account_id == principal.account_id, GridPost.deleted.is_(False)
            )
        )
    )
    grids = await community_grids(session, principal.community_id)
    chief_nodes = subtree_ids(grids, [grid for grid, role in posts if role in CHIEF_ROLES])
    cadre_nodes = subtree_ids(grids, [grid for grid, role in posts if role is PostRole.CADRE])
    cadre_from = on - timedelta(days=escalation_days[0])
    admin_from = on - timedelta(days=escalation_days[1])
    reach: list[ColumnElement[bool]] = []
    if chief_nodes:
        reach.append(Proposal.grid_id.in_(chief_nodes))
    if cadre_nodes:
        reach.append(and_(Proposal.grid_id.in_(cadre_nodes), Resolution.deadline <= cadre_from))
    if principal.is_admin:
        reach.append(or_(Proposal.grid_id.is_(None), Resolution.deadline <= admin_from))
    return or_(*reach) if reach else false()


async def overdue_queue(
    session: AsyncSession,
    principal: Principal | None,
    *,
    escalation_days: tuple[int, int],
    on: date | None = None,
) -> list[OverdueItem]:
    who = require_staff(principal)
    day = on or today()
    rows = await session.execute(
        select(Proposal, Resolution)
        .join(Resolution, Resolution.proposal_id == Proposal.id)
        .where(
            Proposal.community_id == who.community_id,
            Proposal.deleted.is_(False),
            overdue_now(day),
            await _reach(session, who, day, escalation_days),
        )
        .order_by(Resolution.deadline, Proposal.id)
    )
    items = []
    for proposal, resolution in rows:
        days = (day - resolution.deadline).days
        items.append(
            OverdueItem(proposal, resolution, days, escalation_level(days, escalation_days))
        )
    return items
