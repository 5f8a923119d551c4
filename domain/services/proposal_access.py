"""Who may read and who may work on a topic (议题), and the one way its status changes.

Reading: every member of the community reads its topics (the council is public to the
neighbourhood). Working on one (agenda, merge, decline, progress, closing): the admin, or
staff whose posts cover the topic's grid node; a topic without a location is the admin's.
Both rules are SQL predicates too, so lists and the ledger (台账) page and count correctly.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, and_, false, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InvalidInput, NotFound, PermissionDenied
from domain.i18n import N_
from domain.lifecycle import check_transition
from domain.models import Grid, Proposal, ProposalStatus, ProposalTransition
from domain.permissions import require_staff
from domain.principal import Principal
from domain.validation import clean_text

REASON_MAX = 500
REFERENCES_MAX = 10
URL_MAX = 500
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def today() -> date:
    """The council's calendar day (UTC), for deadlines and dates."""
    return datetime.now(UTC).date()


def proposals_readable(principal: Principal) -> ColumnElement[bool]:
    return and_(
        Proposal.community_id == principal.community_id,
        Proposal.deleted.is_(False),
    )


def proposals_managed(principal: Principal) -> ColumnElement[bool]:
    """Topics this principal may work on: the admin all, staff those in grids they cover."""
    if principal.is_admin:
        return proposals_readable(principal)
    if principal.is_staff and principal.covered_grid_ids:
        return and_(proposals_readable(principal), Proposal.grid_id.in_(principal.covered_grid_ids))
    return false()


def can_manage(principal: Principal, proposal: Proposal) -> bool:
    if principal.is_admin:
        return True
    return (
        principal.is_staff and proposal.grid_id is not None and principal.covers(proposal.grid_id)
    )


def require_manage(principal: Principal | None, proposal: Proposal) -> Principal:
    who = require_staff(principal)
    if not can_manage(who, proposal):
        raise PermissionDenied(N_("this topic is not in a grid under your posts"))
    return who


async def get_proposal(
    session: AsyncSession, principal: Principal, proposal_id: uuid.UUID, *, lock: bool = False
) -> Proposal:
    """The topic, locked for the rest of the transaction when it is about to change.

    Another community's id answers exactly like an unknown one.
    """
    statement = select(Proposal).where(Proposal.id == proposal_id, proposals_readable(principal))
    if lock:
        statement = statement.with_for_update()
    proposal = await session.scalar(statement)
    if proposal is None:
        raise NotFound(N_("proposal"), proposal_id)
    return proposal


async def check_grid(session: AsyncSession, principal: Principal, grid_id: uuid.UUID) -> Grid:
    grid = await session.get(Grid, grid_id)
    if grid is None or grid.community_id != principal.community_id or grid.deleted:
        raise NotFound(N_("grid"), grid_id)
    return grid


def move(
    session: AsyncSession,
    proposal: Proposal,
    wanted: ProposalStatus,
    *,
    actor: uuid.UUID | None,
    reason: str = "",
    at: datetime | None = None,
) -> ProposalTransition:
    """The only way a status changes: checked against the lifecycle and recorded (who, when, why).

    ``at`` pins the record's time instead of the clock's.
    """
    check_transition(proposal.status, wanted)
    record = ProposalTransition(
        community_id=proposal.community_id,
        proposal_id=proposal.id,
        from_status=proposal.status,
        to_status=wanted,
        actor_account_id=actor,
        reason=reason,
    )
    if at is not None:
        record.created_at = at
        record.updated_at = at
    proposal.status = wanted
    session.add(record)
    return record


def clean_reason(value: str | None, *, required: bool) -> str:
    return clean_text("reason", value, max_length=REASON_MAX, required=required)


@dataclass(frozen=True)
class Reference:
    url: str
    sha256: str


def clean_references(field: str, items: Sequence[Reference] | None) -> list[dict[str, str]]:
    """Attachments and photos by reference: an http(s) URL and the file's SHA-256.

    The server never fetches them; the checksum lets anyone verify the file later.
    """
    if not items:
        return []
    if len(items) > REFERENCES_MAX:
        raise InvalidInput(field, N_("at most {count} references"), count=REFERENCES_MAX)
    cleaned: list[dict[str, str]] = []
    for item in items:
        url = clean_text(field, item.url, max_length=URL_MAX)
        scheme, sep, rest = url.partition("://")
        if not sep or scheme.lower() not in ("http", "https") or not rest or " " in url:
            raise InvalidInput(field, N_("each url must be an http or https address"))
        digest = item.sha256.strip().lower()
        if not _SHA256.match(digest):
            raise InvalidInput(field, N_("each sha256 must be 64 hexadecimal characters"))
        cleaned.append({"url": url, "sha256": digest})
    return cleaned


def clean_long_text(field: str, value: str | None, *, max_length: int, required: bool) -> str:
    """Like ``clean_text`` but for prose (descriptions, minutes): line breaks and tabs allowed."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    flat = text.replace("\n", " ").replace("\t", " ")
    clean_text(field, flat, max_length=max_length, required=required)
    return text.strip()
