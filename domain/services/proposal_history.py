"""Entries in a topic's history (议题的处理记录) that do not change its status.

A vote's result is part of a topic's story even when the topic stays where it is (a vote on
a topic still awaiting its resolution, or on one withdrawn meanwhile): it is recorded as a
transition from the topic's status to the same status, with the result as its reason, so
that the history stays one chain in which each entry starts where the last one ended.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Proposal, ProposalTransition


def note(
    session: AsyncSession,
    proposal: Proposal,
    *,
    actor: uuid.UUID | None,
    reason: str,
    at: datetime | None = None,
) -> ProposalTransition:
    record = ProposalTransition(
        community_id=proposal.community_id,
        proposal_id=proposal.id,
        from_status=proposal.status,
        to_status=proposal.status,
        actor_account_id=actor,
        reason=reason,
    )
    if at is not None:
        record.created_at = at
        record.updated_at = at
    session.add(record)
    return record
