"""民主决议箱: anonymous suggestions wait in the box and become topics in shuffled batches.

A topic that appeared the moment someone walked away from the box would name them to anyone
watching the corridor, the topic list or a live stream. So the box works like the wooden one
at the building entrance: a suggestion is checked (the submitter must be a resident of the
community), then dropped in with its content and the day only (``domain.models.suggestion_box``)
and nothing about the submitter is kept or answered back. Topics come out in batches, when
staff who cover the box open it or on the server's schedule, and a box releases only when it
holds at least ``BoxRules.minimum`` suggestions, or its oldest has waited ``max_wait_days``.
A batch is released in one transaction: random order (``secrets``), fresh random ids, one
release time for every timestamp (created, updated, submitted day, history), change
positions handed out in the shuffled order, and one event for the whole batch.

Which box (grid node) a suggestion belongs to: the one the resident names (the box they would
walk to: anyone may drop a note into any building's box, so naming one does not tie it to a
home), else their household's grid at grid level (网格, a group of buildings), never their
own micro-grid (微网格: a building or stairwell of a few households, small enough to point
at the family). Each box is judged on its own, so every released topic shares its grid
node with at least ``minimum`` others of its batch, unless it waited past the maximum age.
"""

from __future__ import annotations

import secrets
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from sqlalchemy import ColumnElement, and_, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InvalidInput
from domain.i18n import N_
from domain.models import (
    BoxSuggestion,
    Grid,
    GridLevel,
    Household,
    Proposal,
    ProposalCategory,
    ProposalSource,
    ProposalStatus,
    ProposalTransition,
    Resident,
)
from domain.models.base import utcnow
from domain.permissions import require_covers, require_login, require_staff
from domain.principal import Principal
from domain.services.council_errors import NotEligible
from domain.services.grids import subtree_of
from domain.services.proposal_access import (
    Reference,
    check_grid,
    clean_long_text,
    clean_references,
)
from domain.validation import clean_text

TITLE_MAX = 100
DESCRIPTION_MAX = 2000

_random = secrets.SystemRandom()
T = TypeVar("T")


def shuffled(items: Sequence[T]) -> list[T]:
    """The release order: a uniformly random permutation from the operating system's CSPRNG."""
    out = list(items)
    _random.shuffle(out)
    return out


new_topic_id = uuid.uuid4
"""A released topic's id: random, and never the id its suggestion had in the box."""


@dataclass(frozen=True)
class BoxRules:
    """When a box may release: at least ``minimum`` suggestions, or the oldest waited long."""

    minimum: int = 3
    max_wait_days: int = 7


@dataclass(frozen=True)
class NewSuggestion:
    title: str
    category: ProposalCategory
    description: str = ""
    grid_id: uuid.UUID | None = None
    attachments: Sequence[Reference] = ()


@dataclass(frozen=True)
class Release:
    """What one opening released: the new topics' ids (in id order, which is random), their
    shared time, and how many suggestions stay in the boxes that were looked at."""

    community_id: uuid.UUID
    proposal_ids: tuple[uuid.UUID, ...]
    at: datetime | None
    waiting: int


async def _eligible_household(session: AsyncSession, principal: Principal) -> Household:
    if principal.resident_id is None:
        raise NotEligible(N_("only a resident's own account may use the suggestion box"))
    row = await session.execute(
        select(Resident, Household)
        .join(Household, Household.id == Resident.household_id)
        .where(Resident.id == principal.resident_id)
    )
    found = row.first()
    if found is None or found[0].deleted or found[0].community_id != principal.community_id:
        raise NotEligible(N_("only a resident of this community may use the suggestion box"))
    return found[1]


async def _box_of(
    session: AsyncSession, principal: Principal, household: Household, named: uuid.UUID | None
) -> uuid.UUID:
    if named is not None:
        return (await check_grid(session, principal, named)).id
    home = await session.get(Grid, household.grid_id)
    if home is not None and home.level is GridLevel.MICRO_GRID and home.parent_id is not None:
        return home.parent_id
    return household.grid_id


async def submit_suggestion(
    session: AsyncSession, principal: Principal | None, new: NewSuggestion
) -> None:
    """Drop a suggestion in the box. Nothing comes back that could name the future topic."""
    who = require_login(principal)
    title = clean_text("title", new.title, max_length=TITLE_MAX)
    description = clean_long_text(
        "description", new.description, max_length=DESCRIPTION_MAX, required=False
    )
    attachments = clean_references("attachments", new.attachments)
    if who.is_staff:
        raise InvalidInput("source", N_("only residents use the suggestion box"))
    household = await _eligible_household(session, who)
    session.add(
        BoxSuggestion(
            id=uuid.uuid4(),
            community_id=who.community_id,
            grid_id=await _box_of(session, who, household, new.grid_id),
            title=title,
            description=description,
            category=new.category,
            attachments=attachments,
            dropped_on=utcnow().date(),
        )
    )
    await session.flush()


async def _boxes_of(
    session: AsyncSession, principal: Principal | None, grid_id: uuid.UUID | None
) -> tuple[Principal, ColumnElement[bool]]:
    """The boxes a staff member may look into: under ``grid_id`` (if given) and their posts."""
    who = require_staff(principal)
    where = [BoxSuggestion.community_id == who.community_id]
    if grid_id is not None:
        await check_grid(session, who, grid_id)
        require_covers(who, grid_id)
        where.append(BoxSuggestion.grid_id.in_(await subtree_of(session, who, grid_id)))
    if not who.is_admin:
        where.append(BoxSuggestion.grid_id.in_(who.covered_grid_ids))
    return who, and_(*where)


async def waiting_count(
    session: AsyncSession, principal: Principal | None, grid_id: uuid.UUID | None = None
) -> int:
    """How many suggestions wait in the boxes a staff member covers: a count, nothing else."""
    _who, where = await _boxes_of(session, principal, grid_id)
    return int(await session.scalar(select(func.count()).where(where)) or 0)


async def open_box(
    session: AsyncSession,
    principal: Principal | None,
    rules: BoxRules,
    grid_id: uuid.UUID | None = None,
) -> Release:
    """Staff open the boxes they cover (under ``grid_id``): every box that may release does."""
    who, where = await _boxes_of(session, principal, grid_id)
    return await _release(session, who.community_id, where, rules)


async def release_due(session: AsyncSession, community_id: uuid.UUID, rules: BoxRules) -> Release:
    """The scheduled opening of all of a community's boxes, by the rule and by no one."""
    return await _release(session, community_id, BoxSuggestion.community_id == community_id, rules)


async def communities_waiting(session: AsyncSession) -> list[uuid.UUID]:
    rows = await session.scalars(select(BoxSuggestion.community_id).distinct())
    return sorted(rows)


def _due(items: Sequence[BoxSuggestion], rules: BoxRules, today: date) -> bool:
    oldest = min(item.dropped_on for item in items)
    return len(items) >= rules.minimum or today - oldest >= timedelta(days=rules.max_wait_days)


async def _release(
    session: AsyncSession, community_id: uuid.UUID, where: ColumnElement[bool], rules: BoxRules
) -> Release:
    at = utcnow().replace(microsecond=0)
    rows = await session.scalars(
        select(BoxSuggestion).where(where).order_by(BoxSuggestion.id).with_for_update()
    )
    boxes: dict[uuid.UUID, list[BoxSuggestion]] = defaultdict(list)
    for row in rows:
        boxes[row.grid_id].append(row)
    batch = [item for box in boxes.values() if _due(box, rules, at.date()) for item in box]
    waiting = sum(len(box) for box in boxes.values()) - len(batch)
    if not batch:
        return Release(community_id, (), None, waiting)
    released: list[uuid.UUID] = []
    for item in shuffled(batch):
        topic = _topic(item, at)
        released.append(topic.id)
        session.add(topic)
        session.add(
            ProposalTransition(
                community_id=community_id,
                proposal_id=topic.id,
                from_status=None,
                to_status=ProposalStatus.SUBMITTED,
                actor_account_id=None,
                reason="",
                created_at=at,
                updated_at=at,
            )
        )
    await session.flush()  # positions are stamped here, in the shuffled order of the adds
    await session.execute(
        delete(BoxSuggestion)
        .where(BoxSuggestion.id.in_([item.id for item in batch]))
        .execution_options(synchronize_session=False)
    )
    return Release(community_id, tuple(sorted(released)), at, waiting)


def _topic(item: BoxSuggestion, at: datetime) -> Proposal:
    return Proposal(
        id=new_topic_id(),
        community_id=item.community_id,
        title=item.title,
        description=item.description,
        category=item.category,
        source=ProposalSource.SUGGESTION_BOX,
        status=ProposalStatus.SUBMITTED,
        grid_id=item.grid_id,
        raised_by_account_id=None,
        raised_by_resident_id=None,
        anonymous=True,
        submitted_on=at.date(),
        attachments=list(item.attachments),
        close_round=0,
        created_at=at,
        updated_at=at,
    )
