"""The council's rules a community tunes for itself: read by staff, changed by its admin.

社区书记 decides how long residents have to rate a closed item (评菜期), the floor under which
an average reopens it, how many ratings it takes to decide, and after how many overdue days
an unfinished resolution climbs to the cadre and then to the admin (逾期督办). A change is
all or nothing: one bad value refuses the whole update with a typed error.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InvalidInput
from domain.i18n import N_
from domain.models import Community, CommunitySettings
from domain.models.settings import (
    DEFAULT_ESCALATION_TO_ADMIN_DAYS,
    DEFAULT_ESCALATION_TO_CADRE_DAYS,
    DEFAULT_MINIMUM_RATINGS,
    DEFAULT_RATING_FLOOR,
    DEFAULT_RATING_WINDOW_DAYS,
)
from domain.permissions import require_admin, require_staff
from domain.principal import Principal

WINDOW_DAYS = (1, 60)
FLOOR = (1.0, 5.0)
MINIMUM_RATINGS = (1, 100)
ESCALATION_DAYS = (1, 365)


@dataclass(frozen=True)
class CouncilRules:
    rating_window_days: int = DEFAULT_RATING_WINDOW_DAYS
    rating_floor: float = DEFAULT_RATING_FLOOR
    minimum_ratings: int = DEFAULT_MINIMUM_RATINGS
    escalation_to_cadre_days: int = DEFAULT_ESCALATION_TO_CADRE_DAYS
    escalation_to_admin_days: int = DEFAULT_ESCALATION_TO_ADMIN_DAYS

    @property
    def rating_window(self) -> timedelta:
        return timedelta(days=self.rating_window_days)

    @property
    def escalation_days(self) -> tuple[int, int]:
        return (self.escalation_to_cadre_days, self.escalation_to_admin_days)


@dataclass(frozen=True)
class RulesChange:
    """The fields to change; ``None`` keeps the current value."""

    rating_window_days: int | None = None
    rating_floor: float | None = None
    minimum_ratings: int | None = None
    escalation_to_cadre_days: int | None = None
    escalation_to_admin_days: int | None = None


def _of(row: CommunitySettings | None) -> CouncilRules:
    if row is None:
        return CouncilRules()
    return CouncilRules(
        rating_window_days=row.rating_window_days,
        rating_floor=row.rating_floor,
        minimum_ratings=row.minimum_ratings,
        escalation_to_cadre_days=row.escalation_to_cadre_days,
        escalation_to_admin_days=row.escalation_to_admin_days,
    )


async def rules_of(session: AsyncSession, community_id: uuid.UUID) -> CouncilRules:
    """The community's rules as the services apply them (the defaults until first changed)."""
    row = await session.scalar(
        select(CommunitySettings).where(CommunitySettings.community_id == community_id)
    )
    return _of(row)


async def read_rules(session: AsyncSession, principal: Principal | None) -> CouncilRules:
    who = require_staff(principal)
    return await rules_of(session, who.community_id)


def _whole(field: str, value: int, bounds: tuple[int, int]) -> int:
    low, high = bounds
    if not low <= value <= high:
        raise InvalidInput(field, N_("must be between {low} and {high}"), low=low, high=high)
    return value


def _checked(rules: CouncilRules) -> CouncilRules:
    _whole("ratingWindowDays", rules.rating_window_days, WINDOW_DAYS)
    floor = rules.rating_floor
    if not math.isfinite(floor) or not FLOOR[0] <= floor <= FLOOR[1]:
        raise InvalidInput(
            "ratingFloor", N_("must be between {low} and {high}"), low=FLOOR[0], high=FLOOR[1]
        )
    _whole("minimumRatings", rules.minimum_ratings, MINIMUM_RATINGS)
    _whole("escalationToCadreDays", rules.escalation_to_cadre_days, ESCALATION_DAYS)
    _whole("escalationToAdminDays", rules.escalation_to_admin_days, ESCALATION_DAYS)
    if rules.escalation_to_admin_days <= rules.escalation_to_cadre_days:
        raise InvalidInput(
            "escalationToAdminDays",
            N_("must be more than escalationToCadreDays ({cadre})"),
            cadre=rules.escalation_to_cadre_days,
        )
    return replace(rules, rating_floor=round(floor, 2))


async def update_rules(
    session: AsyncSession, principal: Principal | None, change: RulesChange
) -> CouncilRules:
    """The admin changes some rules; rounds already open keep the rules they opened with."""
    who = require_admin(principal)
    await session.scalar(
        select(Community.id).where(Community.id == who.community_id).with_for_update()
    )
    row = await session.scalar(
        select(CommunitySettings).where(CommunitySettings.community_id == who.community_id)
    )
    current = _of(row)
    wanted = _checked(replace(current, **{k: v for k, v in vars(change).items() if v is not None}))
    if row is None:
        row = CommunitySettings(community_id=who.community_id)
        session.add(row)
    for key, value in vars(wanted).items():
        setattr(row, key, value)
    row.updated_by_id = who.account_id
    await session.flush()
    return wanted
