"""Fixed electorates: panels such as the five-party group (五方协商小组), household delegates.

A panel's membership is frozen while one of its votes is running: the vote's electorate size
was counted when it was called, and adding or removing a member mid-vote would let whoever
manages the panel choose who gets to vote.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.electorate import is_adult
from domain.errors import Conflict, InvalidInput, NotFound
from domain.i18n import N_
from domain.models import Account, Household, Panel, PanelMember, Resident, Vote
from domain.models.base import utcnow
from domain.permissions import require_admin, require_login, require_staff
from domain.principal import Principal
from domain.services.households import get_household
from domain.validation import clean_text

NAME_MAX = 100
ROLE_MAX = 50
MEMBERS_MAX = 50
SUGGESTED_ROLES = ("居民代表", "党员代表", "小巷管家", "物业公司", "业委会")
"""The five parties of 五方协商小组; any other short label is accepted too."""


@dataclass(frozen=True)
class NewMember:
    account_id: uuid.UUID
    role: str = ""


@dataclass(frozen=True)
class PanelView:
    panel: Panel
    members: list[tuple[PanelMember, str]]  # the member and their account's display name


async def _account(session: AsyncSession, who: Principal, account_id: uuid.UUID) -> Account:
    account = await session.get(Account, account_id)
    if account is None or account.community_id != who.community_id or account.disabled:
        raise NotFound(N_("account"), account_id)
    return account


async def _panel(session: AsyncSession, who: Principal, panel_id: uuid.UUID) -> Panel:
    panel = await session.get(Panel, panel_id)
    if panel is None or panel.community_id != who.community_id:
        raise NotFound(N_("panel"), panel_id)
    return panel


async def _not_voting(session: AsyncSession, panel: Panel) -> None:
    running = await session.scalar(
        select(Vote.id)
        .where(Vote.panel_id == panel.id, Vote.closed_at.is_(None), Vote.closes_at > utcnow())
        .limit(1)
    )
    if running is not None:
        raise Conflict(N_("the panel has a vote running; change its members after the vote closes"))


async def _add(session: AsyncSession, who: Principal, panel: Panel, member: NewMember) -> None:
    await _account(session, who, member.account_id)
    taken = await session.scalar(
        select(PanelMember.id).where(
            PanelMember.panel_id == panel.id, PanelMember.account_id == member.account_id
        )
    )
    if taken is not None:
        raise Conflict(N_("this account is already a member of the panel"))
    session.add(
        PanelMember(
            community_id=panel.community_id,
            panel_id=panel.id,
            account_id=member.account_id,
            role=clean_text("role", member.role, max_length=ROLE_MAX, required=False),
        )
    )
    await session.flush()


async def create_panel(
    session: AsyncSession, principal: Principal | None, name: str, members: list[NewMember]
) -> Panel:
    who = require_admin(principal)
    if len(members) > MEMBERS_MAX:
        raise InvalidInput("members", N_("at most {count} members"), count=MEMBERS_MAX)
    panel = Panel(
        id=uuid.uuid4(),
        community_id=who.community_id,
        name=clean_text("name", name, max_length=NAME_MAX),
    )
    session.add(panel)
    await session.flush()
    for member in members:
        await _add(session, who, panel, member)
    return panel


async def add_member(
    session: AsyncSession, principal: Principal | None, panel_id: uuid.UUID, member: NewMember
) -> Panel:
    who = require_admin(principal)
    panel = await _panel(session, who, panel_id)
    await _not_voting(session, panel)
    await _add(session, who, panel, member)
    return panel


async def remove_member(
    session: AsyncSession, principal: Principal | None, panel_id: uuid.UUID, account_id: uuid.UUID
) -> Panel:
    who = require_admin(principal)
    panel = await _panel(session, who, panel_id)
    await _not_voting(session, panel)
    removed = await session.execute(
        delete(PanelMember).where(
            PanelMember.panel_id == panel.id, PanelMember.account_id == account_id
        )
    )
    if removed.rowcount != 1:  # type: ignore[attr-defined]
        raise NotFound(N_("panel member"), account_id)
    return panel


async def list_panels(session: AsyncSession, principal: Principal | None) -> list[PanelView]:
    """Every panel of the community with its members: two queries, whatever their number."""
    who = require_login(principal)
    panels = list(
        await session.scalars(select(Panel).where(Panel.community_id == who.community_id))
    )
    panels.sort(key=lambda panel: (panel.name, str(panel.id)))
    if not panels:
        return []
    rows = await session.execute(
        select(PanelMember, Account.display_name)
        .join(Account, Account.id == PanelMember.account_id)
        .where(PanelMember.panel_id.in_([panel.id for panel in panels]))
    )
    members: dict[uuid.UUID, list[tuple[PanelMember, str]]] = {p.id: [] for p in panels}
    for member, display_name in sorted(rows, key=lambda row: (row[1], str(row[0].account_id))):
        members[member.panel_id].append((member, display_name))
    return [PanelView(panel, members[panel.id]) for panel in panels]


async def panel_view(
    session: AsyncSession, principal: Principal | None, panel_id: uuid.UUID
) -> PanelView:
    who = require_login(principal)
    await _panel(session, who, panel_id)
    for view in await list_panels(session, who):
        if view.panel.id == panel_id:
            return view
    raise NotFound(N_("panel"), panel_id)


async def set_household_delegate(
    session: AsyncSession,
    principal: Principal | None,
    household_id: uuid.UUID,
    resident_id: uuid.UUID | None,
) -> Household:
    """Who casts the household's ballot on one-per-household votes; None: any adult member.

    Staff who cover the household set it; the delegate is an adult who lives there.
    """
    who = require_staff(principal)
    household = await get_household(session, who, household_id)
    if resident_id is not None:
        resident = await session.get(Resident, resident_id)
        if resident is None or resident.household_id != household.id or resident.deleted:
            raise InvalidInput(
                "residentId", N_("the delegate must be a resident of this household")
            )
        if not is_adult(resident.birth_date, utcnow()):
            raise InvalidInput("residentId", N_("the delegate must be an adult (18 or older)"))
    household.delegate_resident_id = resident_id
    await session.flush()
    return household
