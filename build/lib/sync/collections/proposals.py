"""议题 raised in the field: a grid worker records a topic on a visit or at a meeting.

Raising follows the council's rules (``domain.services.proposals``); the wording may change
while the topic is still submitted (``domain.services.proposal_edits``). A phone cannot
delete a topic: withdrawing it is a council action with a reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InvalidInput, PermissionDenied
from domain.i18n import N_
from domain.models import Proposal, ProposalCategory, ProposalSource, Synced
from domain.services import proposal_edits, proposals
from sync.collections.convert import as_uuid
from sync.collections.households import covers
from sync.declaration import Actor, Field, Kind, Owner, Policy, ScopeSpec, SyncedType


def _enum(field: str, kind: Any, value: Any, default: Any) -> Any:
    try:
        return kind(value) if value is not None else default
    except ValueError as exc:
        allowed = ", ".join(m.value for m in kind)
        raise InvalidInput(field, N_("must be one of: {allowed}"), allowed=allowed) from exc


class ProposalWriter:
    async def create(
        self, session: AsyncSession, actor: Actor, document_id: uuid.UUID, values: Mapping[str, Any]
    ) -> Synced:
        new = proposals.NewProposal(
            title=values.get("title"),  # type: ignore[arg-type]
            description=values.get("description") or "",
            category=_enum("category", ProposalCategory, values.get("category"), None)
            or ProposalCategory.OTHER,
            source=_enum("source", ProposalSource, values.get("source"), ProposalSource.VISIT),
            grid_id=as_uuid("gridId", values.get("grid_id"), required=False),
            resident_id=as_uuid("residentId", values.get("resident_id"), required=False),
            proposal_id=document_id,
        )
        proposal, _similar = await proposals.raise_proposal(session, actor.principal, new)
        return proposal

    async def update(
        self,
        session: AsyncSession,
        actor: Actor,
        document_id: uuid.UUID,
        changes: Mapping[str, Any],
    ) -> Synced:
        return await proposal_edits.edit_proposal(session, actor.principal, document_id, changes)

    async def delete(self, session: AsyncSession, actor: Actor, document_id: uuid.UUID) -> Synced:
        raise PermissionDenied(N_("a topic is withdrawn through the council, with a reason"))


def _scope(scope: ScopeSpec) -> ColumnElement[bool]:
    if scope.grid_ids is None:
        return covers(Proposal.grid_id, scope)
    return or_(covers(Proposal.grid_id, scope), Proposal.raised_by_account_id == scope.account_id)


PROPOSALS = SyncedType(
    name="proposal",
    model=Proposal,
    description="议题 in the grids the device covers, and those its account raised.",
    fields=(
        Field("title", Kind.TEXT, lambda: Proposal.title),
        Field("description", Kind.TEXT, lambda: Proposal.description, policy=Policy.KEEP_BOTH_TEXT),
        Field("category", Kind.TEXT, lambda: Proposal.category),
        Field("source", Kind.TEXT, lambda: Proposal.source),
        Field("gridId", Kind.ID, lambda: Proposal.grid_id, key="grid_id"),
        Field("residentId", Kind.ID, lambda: Proposal.raised_by_resident_id, key="resident_id"),
        Field("status", Kind.TEXT, lambda: Proposal.status, owner=Owner.SERVER),
        Field("submittedOn", Kind.DATE, lambda: Proposal.submitted_on, owner=Owner.SERVER),
        Field(
            "raisedByAccountId", Kind.ID, lambda: Proposal.raised_by_account_id, owner=Owner.SERVER
        ),
    ),
    scope=_scope,
    writer=ProposalWriter(),
    grid_of=lambda: Proposal.grid_id,
)
