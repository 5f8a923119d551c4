"""联系人: the person a meeting named responsible for a resolution, and what that opens to them.

A deliberation may name an account as the resolution's contact (the property company's
account, a grid chief, a resident). That account sees its own queue of resolutions ("my
resolutions": the topic, its deadline and status, whether it is overdue, the last progress)
and reports progress on them, with photos by reference. Nothing else opens to it: it cannot
report on anyone else's resolution, report back at a 汇报会 (that is the meeting's staff),
close, merge or run meetings; for those the grid rules of ``proposal_access`` still apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import PermissionDenied
from domain.i18n import N_
from domain.lifecycle import FOLLOW_UP
from domain.models import Account, AccountKind, Proposal, Resolution
from domain.permissions import require_login, require_staff
from domain.principal import Principal
from domain.services.overdue import overdue_now
from domain.services.proposal_access import can_manage, proposals_readable, today

CONTACT_ACCOUNTS_MAX = 500


async def require_reporter(
    session: AsyncSession, principal: Principal | None, proposal: Proposal, *, at_meeting: bool
) -> Principal:
    """Who may report progress: staff who manage the topic, or its resolution's contact.

    A contact reports as the one doing the work, never for a 汇报会: reporting back there is
    the meeting's own act.
    """
    who = require_login(principal)
    if can_manage(who, proposal):
        return who
    contact = await session.scalar(
        select(Resolution.contact_account_id).where(Resolution.proposal_id == proposal.id)
    )
    if contact is None or contact != who.account_id:
        raise PermissionDenied(
            N_("only staff covering {title} or its resolution's contact may report on it"),
            title=proposal.title,
        )
    if at_meeting:
        raise PermissionDenied(
            N_("progress on {title} is reported back at a meeting by the staff running it"),
            title=proposal.title,
        )
    return who


@dataclass(frozen=True)
class ContactItem:
    proposal: Proposal
    resolution: Resolution
    overdue: bool
    days_overdue: int


async def my_resolutions(
    session: AsyncSession,
    principal: Principal | None,
    *,
    open_only: bool = True,
    on: date | None = None,
) -> list[ContactItem]:
    """The resolutions naming this account as contact, earliest deadline first.

    One statement whatever the queue's length; ``open_only`` keeps those still being carried
    out (deliberated, in progress, reported).
    """
    who = require_login(principal)
    day = on or today()
    overdue = overdue_now(day)
    statement = (
        select(Proposal, Resolution, overdue.label("overdue"))
        .join(Resolution, Resolution.proposal_id == Proposal.id)
        .where(
            proposals_readable(who),
            Resolution.community_id == who.community_id,
            Resolution.contact_account_id == who.account_id,
        )
        .order_by(Resolution.deadline, Proposal.id)
    )
    if open_only:
        statement = statement.where(Proposal.status.in_(FOLLOW_UP))
    return [
        ContactItem(
            proposal=proposal,
            resolution=resolution,
            overdue=bool(late),
            days_overdue=max(0, (day - resolution.deadline).days) if late else 0,
        )
        for proposal, resolution, late in await session.execute(statement)
    ]


async def contact_accounts(session: AsyncSession, principal: Principal | None) -> list[Account]:
    """The accounts a meeting may name as a resolution's contact, for the staff who record it.

    Staff and admin accounts of the community that can still sign in (a property company's
    account has no post and is found only here); residents are named by name instead, so
    that no list of residents' accounts leaves the register.
    """
    who = require_staff(principal)
    rows = await session.scalars(
        select(Account)
        .where(
            Account.community_id == who.community_id,
            Account.kind.in_((AccountKind.STAFF, AccountKind.ADMIN)),
            Account.disabled.is_(False),
        )
        .order_by(Account.display_name, Account.id)
        .limit(CONTACT_ACCOUNTS_MAX)
    )
    return list(rows)
