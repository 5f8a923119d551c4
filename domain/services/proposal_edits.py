"""Editing a topic's wording before the council takes it up (offline from a phone, too).

Only while a topic is still submitted, and only by whoever raised it or staff who manage it:
once it is on an agenda, its text is what the meeting discussed and changes go through the
council. Its grid, source and raiser are fixed when it is raised.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InvalidInput, PermissionDenied
from domain.i18n import N_, word
from domain.models import Proposal, ProposalCategory, ProposalStatus
from domain.permissions import require_login
from domain.principal import Principal
from domain.services.proposal_access import can_manage, clean_long_text, get_proposal
from domain.services.proposals import DESCRIPTION_MAX, TITLE_MAX
from domain.validation import clean_text

FIXED = ("grid_id", "source", "resident_id")


async def edit_proposal(
    session: AsyncSession,
    principal: Principal | None,
    proposal_id: uuid.UUID,
    changes: Mapping[str, Any],
) -> Proposal:
    who = require_login(principal)
    proposal = await get_proposal(session, who, proposal_id, lock=True)
    if proposal.raised_by_account_id != who.account_id and not can_manage(who, proposal):
        raise PermissionDenied(N_("only the topic's raiser or staff who manage it may edit it"))
    if proposal.status is not ProposalStatus.SUBMITTED:
        raise PermissionDenied(
            N_("a topic that is {status} is no longer edited"), status=word(proposal.status.value)
        )
    for fixed in FIXED:
        if fixed in changes:
            raise InvalidInput(fixed, N_("is set when the topic is raised and does not change"))
    if "title" in changes:
        proposal.title = clean_text("title", changes["title"], max_length=TITLE_MAX)
    if "description" in changes:
        proposal.description = clean_long_text(
            "description", changes["description"], max_length=DESCRIPTION_MAX, required=False
        )
    if changes.get("category") is not None:
        try:
            proposal.category = ProposalCategory(changes["category"])
        except ValueError as exc:
            raise InvalidInput("category", N_("not a known topic category")) from exc
    await session.flush()
    return proposal
