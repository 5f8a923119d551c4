"""Per-request DataLoaders of the council: one ``IN`` query per batch, never one per row.

They hang off the request's ``Context`` (created on first use, so they live exactly one
request) and each batch opens its own short read session, because strawberry resolves
sibling fields concurrently and a session must not serve two coroutines.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from domain.database import Database
from domain.lifecycle import OPEN
from domain.models import (
    AgendaItem,
    Attendance,
    ProgressReport,
    Proposal,
    ProposalSupport,
    ProposalTransition,
    Rating,
    RatingWindow,
    Resolution,
)
from domain.principal import Principal
from domain.services import names
from domain.services.proposals import Similar, rank_similar, topic_text
from schema.context import Info
from schema.council.rating_types import WindowRow

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_ATTRIBUTE = "_council_loaders"


class CouncilLoaders:
    def __init__(self, db: Database, principal: Principal | None) -> None:
        self._db = db
        self._principal = principal
        self._community = principal.community_id if principal else None
        self.proposal = self._loader(self._proposals)
        self.support_count = self._loader(self._support_counts)
        self.viewer_supports = self._loader(self._viewer_supports)
        self.similar = self._loader(self._similar)
        self.history = self._loader(self._grouped(ProposalTransition, "proposal_id"))
        self.progress_reports = self._loader(self._grouped(ProgressReport, "proposal_id"))
        self.merged_from = self._loader(self._grouped(Proposal, "merged_into_id"))
        self.resolution = self._loader(self._resolutions)
        self.rating_window = self._loader(self._rating_windows)
        self.resident_name = self._loader(self._resident_names)
        self.account_name = self._loader(self._account_names)
        self.agenda = self._loader(self._grouped(AgendaItem, "meeting_id", "sort_order"))
        self.attendance = self._loader(self._grouped(Attendance, "meeting_id", "name"))

    def _loader(
        self, load: Callable[[AsyncSession, list[K]], Awaitable[Sequence[V]]]
    ) -> DataLoader[K, V]:
        async def run(keys: list[K]) -> Sequence[V]:
            async with self._db.read() as session:
                return await load(session, keys)

        return DataLoader(run)

    def _grouped(
        self, model: Any, column: str, order: str = "created_at"
    ) -> Callable[[AsyncSession, list[uuid.UUID]], Awaitable[list[list[Any]]]]:
        """Rows of ``model`` whose ``column`` is one of the keys, in ``order``, per key."""

        async def load(session: AsyncSession, keys: list[uuid.UUID]) -> list[list[Any]]:
            key = getattr(model, column)
            rows = await session.scalars(
                select(model)
                .where(key.in_(keys), model.community_id == self._community)
                .order_by(getattr(model, order), model.id)
            )
            grouped: dict[uuid.UUID, list[Any]] = {k: [] for k in keys}
            for row in rows:
                grouped[getattr(row, column)].append(row)
            return [grouped[k] for k in keys]

        return load

    async def _proposals(
        self, session: AsyncSession, keys: list[uuid.UUID]
    ) -> list[Proposal | None]:
        rows = await session.scalars(
            select(Proposal).where(
                Proposal.id.in_(keys),
                Proposal.community_id == self._community,
                Proposal.deleted.is_(False),
            )
        )
        found = {row.id: row for row in rows}
        return [found.get(k) for k in keys]

    async def _support_counts(self, session: AsyncSession, keys: list[uuid.UUID]) -> list[int]:
        rows = await session.execute(
            select(ProposalSupport.proposal_id, func.count(ProposalSupport.id))
            .where(
                ProposalSupport.proposal_id.in_(keys),
                ProposalSupport.community_id == self._community,
            )
            .group_by(ProposalSupport.proposal_id)
        )
        counts = {pid: int(n) for pid, n in rows}
        return [counts.get(k, 0) for k in keys]

    async def _viewer_supports(self, session: AsyncSession, keys: list[uuid.UUID]) -> list[bool]:
        resident = self._principal.resident_id if self._principal else None
        if resident is None:
            return [False for _ in keys]
        rows = await session.scalars(
            select(ProposalSupport.proposal_id).where(
                ProposalSupport.proposal_id.in_(keys), ProposalSupport.resident_id == resident
            )
        )
        supported = set(rows)
        return [k in supported for k in keys]

    async def _similar(self, session: AsyncSession, keys: list[uuid.UUID]) -> list[list[Similar]]:
        """Every open topic of the community is read once per batch and compared in memory."""
        topics = (
            await session.scalars(
                select(Proposal).where(
                    Proposal.community_id == self._community,
                    Proposal.deleted.is_(False),
                    (Proposal.status.in_(OPEN)) | (Proposal.id.in_(keys)),
                )
            )
        ).all()
        by_id = {row.id: row for row in topics}
        open_topics = [row for row in topics if row.status in OPEN]
        found: list[list[Similar]] = []
        for key in keys:
            me = by_id.get(key)
            if me is None:
                found.append([])
                continue
            found.append(rank_similar(topic_text(me), open_topics, exclude=frozenset({key})))
        return found

    async def _resolutions(
        self, session: AsyncSession, keys: list[uuid.UUID]
    ) -> list[Resolution | None]:
        rows = await session.scalars(
            select(Resolution).where(
                Resolution.proposal_id.in_(keys), Resolution.community_id == self._community
            )
        )
        found = {row.proposal_id: row for row in rows}
        return [found.get(k) for k in keys]

    async def _rating_windows(
        self, session: AsyncSession, keys: list[tuple[uuid.UUID, int]]
    ) -> list[WindowRow | None]:
        """Keyed by (topic, closing round): its rating window (评菜期) and ratings so far."""
        given = (
            select(func.count(Rating.id))
            .where(
                Rating.proposal_id == RatingWindow.proposal_id,
                Rating.close_round == RatingWindow.close_round,
            )
            .correlate(RatingWindow)
            .scalar_subquery()
        )
        rows = await session.execute(
            select(RatingWindow, given).where(
                tuple_(RatingWindow.proposal_id, RatingWindow.close_round).in_(keys),
                RatingWindow.community_id == self._community,
            )
        )
        found = {
            (w.proposal_id, w.close_round): WindowRow(window=w, ratings=int(n)) for w, n in rows
        }
        return [found.get(k) for k in keys]

    async def _resident_names(
        self, session: AsyncSession, keys: list[uuid.UUID]
    ) -> list[str | None]:
        """A raiser as the reader may see them, full or masked (``domain.services.names``)."""
        found = await names.resident_names(session, self._principal, keys)
        return [found.get(k) for k in keys]

    async def _account_names(
        self, session: AsyncSession, keys: list[uuid.UUID]
    ) -> list[str | None]:
        """Who acted: staff by display name, a resident's account as that resident."""
        found = await names.account_names(session, self._principal, keys)
        return [found.get(k) for k in keys]


def council_loaders(info: Info) -> CouncilLoaders:
    """The request's council loaders, created on first use and kept on its ``Context``."""
    context = info.context
    loaders = getattr(context, _ATTRIBUTE, None)
    if not isinstance(loaders, CouncilLoaders):
        loaders = CouncilLoaders(context.db, context.principal)
        setattr(context, _ATTRIBUTE, loaders)
    return loaders
