"""Putting a topic (议题) to a vote under a stated rule (付诸表决).

The rule is frozen when the vote is created: the electorate's size is counted then, and the
first entry of the vote's hash-chained log records the whole rule, so that nobody can move a
quorum or a deadline afterwards without ``verifyTally`` noticing.

A topic has at most one vote running at a time (a partial unique index says so too). It may
be put to a new vote only after its last vote failed: the failure sent it back to
deliberation; a passed vote decided it. Earlier votes keep their rows, logs and results.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.electorate import electorate_size
from domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from domain.i18n import N_, word
from domain.lifecycle import VOTABLE
from domain.models import (
    Electorate,
    GridPost,
    Panel,
    PostRole,
    Proposal,
    Threshold,
    Vote,
)
from domain.models.base import utcnow
from domain.permissions import require_staff
from domain.principal import Principal
from domain.services.grids import community_grids, get_grid, subtree_ids
from domain.services.vote_results import finalize
from domain.services.votes import (
    ProposalNotVotable,
    append_log,
    final_at,
    is_due,
    rule_payload,
)

CALLERS = frozenset({PostRole.CADRE, PostRole.GRID_CHIEF})
"""Besides the admin, the grid's cadre and chief may call a vote for a topic in their grid."""

QUORUM_BALLOTS_MAX = 1_000_000
OFFLINE_GRACE_MAX = timedelta(days=7)


@dataclass(frozen=True)
class VoteRule:
    electorate: Electorate
    closes_at: datetime
    threshold: Threshold
    secret: bool
    opens_at: datetime | None = None
    grid_id: uuid.UUID | None = None
    panel_id: uuid.UUID | None = None
    quorum_ballots: int = 0
    quorum_percent: int = 0
    allow_change: bool = False
    hide_results_until_close: bool = False
    offline_grace: timedelta = timedelta(0)
    """Ballots recorded offline before ``closes_at`` may arrive this long after it; the
    result is fixed once it has passed (never earlier: a lone late ballot added to a
    published result would show how its voter voted)."""


async def _may_call_vote(
    session: AsyncSession, who: Principal, proposal: Proposal, rule: VoteRule
) -> None:
    if who.is_admin:
        return
    grids = await community_grids(session, who.community_id)
    posts = await session.scalars(
        select(GridPost.grid_id).where(
            GridPost.account_id == who.account_id,
            GridPost.role.in_(CALLERS),
            GridPost.deleted.is_(False),
        )
    )
    covered = subtree_ids(grids, list(posts))
    if proposal.grid_id is None or proposal.grid_id not in covered:
        raise PermissionDenied(N_("only the admin, or the cadre or chief of its grid, may call it"))
    if rule.grid_id is None or rule.grid_id not in covered:
        raise PermissionDenied(N_("a grid's chief may call a vote only within their own grid"))


def _check_rule(rule: VoteRule, opens_at: datetime, now: datetime) -> None:
    for name, moment in (("opensAt", opens_at), ("closesAt", rule.closes_at)):
        if moment.tzinfo is None:
            raise InvalidInput(name, N_("give the time with its time zone"))
    if rule.closes_at <= opens_at:
        raise InvalidInput("closesAt", N_("must be after the opening time"))
    if rule.closes_at <= now:
        raise InvalidInput("closesAt", N_("must be in the future"))
    if not 0 <= rule.quorum_percent <= 100:
        raise InvalidInput("quorumPercent", N_("must be between 0 and 100"))
    if not timedelta(0) <= rule.offline_grace <= OFFLINE_GRACE_MAX:
        raise InvalidInput(
            "offlineGrace", N_("must be between 0 and {maximum}"), maximum=str(OFFLINE_GRACE_MAX)
        )
    if not 0 <= rule.quorum_ballots <= QUORUM_BALLOTS_MAX:
        raise InvalidInput(
            "quorumBallots", N_("must be between 0 and {maximum}"), maximum=QUORUM_BALLOTS_MAX
        )
    panel = rule.electorate is Electorate.PANEL
    if rule.threshold is Threshold.UNANIMITY and not panel:
        raise InvalidInput("threshold", N_("unanimity is a rule for a panel's votes only"))
    if panel and rule.panel_id is None:
        raise InvalidInput("panelId", N_("a panel vote names its panel"))
    if not panel and rule.panel_id is not None:
        raise InvalidInput("panelId", N_("only a panel vote names a panel"))
    if panel and rule.grid_id is not None:
        raise InvalidInput("gridId", N_("a panel vote is not limited to a grid"))


async def put_to_vote(
    session: AsyncSession, principal: Principal | None, proposal_id: uuid.UUID, rule: VoteRule
) -> Vote:
    who = require_staff(principal)
    proposal = await session.scalar(
        select(Proposal)
        .where(
            Proposal.id == proposal_id,
            Proposal.community_id == who.community_id,
            Proposal.deleted.is_(False),
        )
        .with_for_update()
    )
    if proposal is None:
        raise NotFound(N_("proposal"), proposal_id)
    now = utcnow()
    opens_at = rule.opens_at or now
    _check_rule(rule, opens_at, now)
    await _may_call_vote(session, who, proposal, rule)
    await _check_earlier_votes(session, proposal, now)
    if proposal.status not in VOTABLE:
        raise ProposalNotVotable(
            N_("a topic that is {status} cannot be put to a vote; accept it onto an agenda first"),
            status=word(proposal.status.value),
        )
    grid_ids: frozenset[uuid.UUID] | None = None
    if rule.grid_id is not None:
        await get_grid(session, who, rule.grid_id)
        grid_ids = subtree_ids(await community_grids(session, who.community_id), [rule.grid_id])
    if rule.panel_id is not None:
        panel = await session.get(Panel, rule.panel_id)
        if panel is None or panel.community_id != who.community_id:
            raise NotFound(N_("panel"), rule.panel_id)
    size = await electorate_size(
        session,
        who.community_id,
        rule.electorate,
        opens_at,
        grid_ids=grid_ids,
        panel_id=rule.panel_id,
    )
    if size == 0:
        raise InvalidInput("electorate", N_("nobody is eligible under this rule"))
    vote = Vote(
        id=uuid.uuid4(),
        community_id=who.community_id,
        proposal_id=proposal.id,
        electorate=rule.electorate,
        grid_id=rule.grid_id,
        panel_id=rule.panel_id,
        electorate_size=size,
        opens_at=opens_at,
        closes_at=rule.closes_at,
        quorum_ballots=rule.quorum_ballots,
        quorum_percent=rule.quorum_percent,
        threshold=rule.threshold,
        secret=rule.secret,
        allow_change=rule.allow_change,
        hide_results_until_close=rule.hide_results_until_close,
        offline_grace_seconds=int(rule.offline_grace.total_seconds()),
        created_by_id=who.account_id,
        created_at=now,
    )
    session.add(vote)
    await session.flush()
    await append_log(session, vote, [("open", rule_payload(vote))])
    await session.flush()
    return vote


async def _check_earlier_votes(session: AsyncSession, proposal: Proposal, now: datetime) -> None:
    """Refuse a second running vote, and a new vote after one that passed.

    An earlier vote whose time is up is finalized first (its outcome reaches the topic now),
    so that the answer never depends on whether somebody happened to read it.
    """
    earlier = list(
        await session.scalars(
            select(Vote)
            .where(Vote.proposal_id == proposal.id)
            .order_by(Vote.created_at.desc(), Vote.id)
        )
    )
    for vote in earlier:
        if is_due(vote, now):
            await finalize(session, proposal.community_id, vote.id, now)
    running = next((vote for vote in earlier if vote.closed_at is None), None)
    if running is not None:
        raise Conflict(
            N_("this topic's vote is still running; its result is fixed at {final_at}"),
            final_at=final_at(running).isoformat(),
        )
    if earlier and earlier[0].result is not None and earlier[0].result.get("passed"):
        raise Conflict(
            N_("this topic's vote passed on {closed_at}; a decided topic is not voted on again"),
            closed_at=earlier[0].closed_at.isoformat() if earlier[0].closed_at else "",
        )
