"""Who may vote under a vote's rule, and under which key: one ballot per key, ever.

The key is what the database makes unique per vote (``VoterRecord.voter_key``):

- adult residents: ``resident:<id>``, for a resident who is 18 at the vote's opening
  (an unknown birth date is not eligible: nobody can prove the age);
- households: ``household:<id>``, cast by the household's delegate, or by any adult member
  while no delegate is set; housemates share one key, so one ballot per household;
- a panel (e.g. 五方协商小组): ``account:<id>`` of each member.

The electorate is fixed when the vote is created (its size is frozen then): a resident added
to the register afterwards is not eligible, so nobody can add voters to a running vote.
Eligibility is decided from a small bundle of facts (``VoterFacts``) loaded once per request,
so a list of votes costs the same few queries as one vote.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.i18n import N_
from domain.models import (
    Account,
    Electorate,
    Grid,
    Household,
    PanelMember,
    Resident,
    Vote,
)

ADULT_AGE = 18
CHINA_TIME = timezone(timedelta(hours=8))
"""Ages turn over at midnight where the residents live, not at midnight UTC (no DST in China)."""


def adult_cutoff(opens_at: datetime) -> date:
    """The latest birth date of someone who is 18 on the day the vote opens."""
    day = opens_at.astimezone(CHINA_TIME).date()
    try:
        return day.replace(year=day.year - ADULT_AGE)
    except ValueError:  # 29 February: the 18th birthday of someone born on 1 March has passed
        return day.replace(year=day.year - ADULT_AGE, day=28)


def is_adult(birth_date: date | None, opens_at: datetime) -> bool:
    return birth_date is not None and birth_date <= adult_cutoff(opens_at)


@dataclass(frozen=True)
class VoterFacts:
    """What eligibility depends on, for one person (an account, a resident, or both)."""

    account_id: uuid.UUID | None
    resident_id: uuid.UUID | None = None
    resident_created_at: datetime | None = None
    birth_date: date | None = None
    household_id: uuid.UUID | None = None
    household_grid_id: uuid.UUID | None = None
    household_delegate_id: uuid.UUID | None = None
    panel_ids: frozenset[uuid.UUID] = frozenset()
    grid_parents: dict[uuid.UUID, uuid.UUID | None] = field(default_factory=dict)
    within: frozenset[uuid.UUID] = frozenset()
    """Grid nodes already known (from SQL) to hold the household: a cast asks the database
    whether the household lies under the vote's node instead of reading every grid."""

    def in_subtree(self, root: uuid.UUID) -> bool:
        if root in self.within:
            return True
        node = self.household_grid_id
        seen = 0
        while node is not None and seen < 64:
            if node == root:
                return True
            node = self.grid_parents.get(node)
            seen += 1
        return False


@dataclass(frozen=True)
class Eligibility:
    voter_key: str | None
    reason: str = ""

    @property
    def eligible(self) -> bool:
        return self.voter_key is not None


def eligibility(vote: Vote, facts: VoterFacts) -> Eligibility:
    """Under which key ``facts``' person votes on ``vote``, or why they may not."""
    if vote.electorate is Electorate.PANEL:
        if vote.panel_id is not None and vote.panel_id in facts.panel_ids:
            return Eligibility(f"account:{facts.account_id}")
        return Eligibility(None, N_("only the members of the vote's panel may vote"))
    if facts.resident_id is None or facts.household_id is None:
        return Eligibility(None, N_("only residents of the community may vote"))
    if facts.resident_created_at is not None and facts.resident_created_at > vote.created_at:
        return Eligibility(None, N_("registered after the vote was called"))
    if vote.grid_id is not None and not facts.in_subtree(vote.grid_id):
        return Eligibility(None, N_("the vote is for another part of the community"))
    if vote.electorate is Electorate.HOUSEHOLDS and facts.household_delegate_id is not None:
        if facts.household_delegate_id != facts.resident_id:
            return Eligibility(None, N_("the household's delegate casts its ballot"))
        return Eligibility(f"household:{facts.household_id}")
    if not is_adult(facts.birth_date, vote.opens_at):
        return Eligibility(None, N_("only residents who are 18 when the vote opens may vote"))
    if vote.electorate is Electorate.HOUSEHOLDS:
        return Eligibility(f"household:{facts.household_id}")
    return Eligibility(f"resident:{facts.resident_id}")


async def _grid_parents(
    session: AsyncSession, community_id: uuid.UUID
) -> dict[uuid.UUID, uuid.UUID | None]:
    rows = await session.execute(
        select(Grid.id, Grid.parent_id).where(Grid.community_id == community_id)
    )
    return {grid_id: parent for grid_id, parent in rows}


async def load_facts(
    session: AsyncSession,
    community_id: uuid.UUID,
    *,
    account_id: uuid.UUID | None = None,
    resident_id: uuid.UUID | None = None,
) -> VoterFacts | None:
    """The facts of one account or resident of ``community_id``; None if there is none such.

    Three queries whatever the number of votes they are then checked against.
    """
    statement = (
        select(Account.id, Resident, Household)
        .select_from(Resident)
        .join(Household, Household.id == Resident.household_id)
        .outerjoin(Account, Account.resident_id == Resident.id)
        .where(
            Resident.community_id == community_id,
            Resident.deleted.is_(False),
            Household.deleted.is_(False),
        )
    )
    if resident_id is not None:
        row = (await session.execute(statement.where(Resident.id == resident_id))).first()
        if row is None:
            return None
        account_id = row[0]
    else:
        account = (
            await session.execute(
                select(Account.resident_id).where(
                    Account.id == account_id,
                    Account.community_id == community_id,
                    Account.disabled.is_(False),
                )
            )
        ).first()
        if account is None:
            return None
        row = None
        if account.resident_id is not None:
            row = (
                await session.execute(statement.where(Resident.id == account.resident_id))
            ).first()
    panels: frozenset[uuid.UUID] = frozenset()
    if account_id is not None:
        panels = frozenset(
            await session.scalars(
                select(PanelMember.panel_id).where(PanelMember.account_id == account_id)
            )
        )
    if row is None:
        return VoterFacts(account_id=account_id, panel_ids=panels)
    _, resident, household = row
    return VoterFacts(
        account_id=account_id,
        resident_id=resident.id,
        resident_created_at=resident.created_at,
        birth_date=resident.birth_date,
        household_id=household.id,
        household_grid_id=household.grid_id,
        household_delegate_id=household.delegate_resident_id,
        panel_ids=panels,
        grid_parents=await _grid_parents(session, community_id),
    )


def _in_grids(grid_ids: frozenset[uuid.UUID] | None) -> ColumnElement[bool]:
    return Household.grid_id.in_(grid_ids) if grid_ids is not None else Household.id.is_not(None)


async def electorate_size(
    session: AsyncSession,
    community_id: uuid.UUID,
    electorate: Electorate,
    opens_at: datetime,
    *,
    grid_ids: frozenset[uuid.UUID] | None = None,
    panel_id: uuid.UUID | None = None,
) -> int:
    """How many keys ``eligibility`` can hand out under this rule, counted in one query."""
    if electorate is Electorate.PANEL:
        statement = select(func.count(PanelMember.id)).where(PanelMember.panel_id == panel_id)
        return int(await session.scalar(statement) or 0)
    living = and_(
        Resident.community_id == community_id,
        Resident.deleted.is_(False),
        Household.deleted.is_(False),
        _in_grids(grid_ids),
    )
    adult = and_(Resident.birth_date.is_not(None), Resident.birth_date <= adult_cutoff(opens_at))
    joined = select().select_from(Resident).join(Household, Household.id == Resident.household_id)
    if electorate is Electorate.ADULT_RESIDENTS:
        statement = joined.add_columns(func.count(Resident.id)).where(living, adult)
    else:
        may_cast = or_(
            Resident.id == Household.delegate_resident_id,
            and_(Household.delegate_resident_id.is_(None), adult),
        )
        statement = joined.add_columns(func.count(func.distinct(Household.id))).where(
            living, may_cast
        )
    return int(await session.scalar(statement) or 0)
