"""相似议题合并: staff fold duplicate topics into one, keeping every voice behind them.

Each supporter of a merged topic, and its raiser when known, becomes a supporter of the
target, counted once however many of the duplicates they backed. A topic already put to a
vote is never merged: its ballots would lose their subject.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InvalidInput
from domain.i18n import N_, word
from domain.lifecycle import OPEN
from domain.models import Proposal, ProposalStatus, ProposalSupport, Vote
from domain.permissions import require_staff
from domain.principal import Principal
from domain.services.council_errors import AlreadyPutToVote, NotOpen
from domain.services.proposal_access import get_proposal, move, require_manage
from domain.stored_text import encode as stored

SOURCES_MAX = 20


async def merge_proposals(
    session: AsyncSession,
    principal: Principal | None,
    target_id: uuid.UUID,
    source_ids: Sequence[uuid.UUID],
) -> Proposal:
    who = require_staff(principal)
    unique_sources = list(dict.fromkeys(source_ids))
    if not unique_sources:
        raise InvalidInput("sourceIds", N_("name at least one topic to merge"))
    if len(unique_sources) > SOURCES_MAX:
        raise InvalidInput("sourceIds", N_("at most {count} topics at once"), count=SOURCES_MAX)
    if target_id in unique_sources:
        raise InvalidInput("sourceIds", N_("a topic cannot be merged into itself"))
    target = await get_proposal(session, who, target_id, lock=True)
    require_manage(who, target)
    if target.status not in OPEN:
        raise NotOpen(
            N_("a topic that is {status} cannot take in others"), status=word(target.status.value)
        )
    sources = [await get_proposal(session, who, sid, lock=True) for sid in unique_sources]
    for source in sources:
        require_manage(who, source)
    voted = await session.scalar(
        select(Vote.proposal_id).where(Vote.proposal_id.in_(unique_sources)).limit(1)
    )
    if voted is not None:
        raise AlreadyPutToVote(
            N_("topic {id} has been put to a vote and cannot be merged"), id=voted
        )
    for source in sources:
        move(
            session,
            source,
            ProposalStatus.MERGED,
            actor=who.account_id,
            reason=stored(N_("merged into {title}"), {"title": target.title}),
        )
        source.merged_into_id = target.id
    backers = set(
        await session.scalars(
            select(ProposalSupport.resident_id).where(
                ProposalSupport.proposal_id.in_(unique_sources)
            )
        )
    )
    backers.update(
        source.raised_by_resident_id
        for source in sources
        if not source.anonymous and source.raised_by_resident_id is not None
    )
    already = set(
        await session.scalars(
            select(ProposalSupport.resident_id).where(ProposalSupport.proposal_id == target.id)
        )
    )
    for resident_id in sorted(backers - already):
        session.add(
            ProposalSupport(
                community_id=target.community_id, proposal_id=target.id, resident_id=resident_id
            )
        )
    await session.flush()
    return target
