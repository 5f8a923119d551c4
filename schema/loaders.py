"""Per-request DataLoaders: one ``IN`` query per batch, each in its own short read session.

Strawberry resolves sibling fields concurrently and one session must not serve two
coroutines, so a batch never shares a session with a resolver.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from domain.database import Database
from domain.models import Account, Device, Grid, GridPost, Household, Resident
from domain.pagination import Page
from domain.principal import Principal
from domain.services.grid_households import household_counts_of_grids, households_of_grids
from domain.services.households import households_by_ids
from domain.services.residents import residents_of_households
from sync import inbox

K = TypeVar("K")
M = TypeVar("M", Grid, GridPost, Account, Device)
V = TypeVar("V")


class Loaders:
    def __init__(self, db: Database, principal: Principal | None) -> None:
        self._db = db
        self._principal = principal
        self.grid = self._by_id(Grid)
        self.post = self._by_id(GridPost)
        self.account = self._by_id(Account)
        self.household = DataLoader(self._households)
        self.residents_of_household = DataLoader(self._residents_of_households)
        self.children_of_grid = DataLoader(self._children_of_grids)
        self.device = self._by_id(Device)
        self.conflict_subject = DataLoader(self._conflict_subjects)
        self.households_of_grid = DataLoader(self._households_of_grids)
        self.household_count_of_grid = DataLoader(self._household_counts_of_grids)

    def _batch(
        self, load: Callable[[AsyncSession, list[K]], Awaitable[Sequence[V]]]
    ) -> Callable[[list[K]], Awaitable[Sequence[V]]]:
        async def run(keys: list[K]) -> Sequence[V]:
            async with self._db.read() as session:
                return await load(session, keys)

        return run

    def _by_id(self, model: type[M]) -> DataLoader[uuid.UUID, M | None]:
        """Rows of the principal's community by id; anything else loads as None."""
        community = self._principal.community_id if self._principal else None

        async def load(session: AsyncSession, keys: list[uuid.UUID]) -> list[M | None]:
            rows = await session.scalars(
                select(model).where(model.id.in_(keys), model.community_id == community)
            )
            found = {row.id: row for row in rows}
            return [found.get(key) for key in keys]

        return DataLoader(self._batch(load))

    async def _households(self, keys: list[uuid.UUID]) -> list[tuple[Household, bool] | None]:
        if self._principal is None:
            return [None] * len(keys)
        async with self._db.read() as session:
            found = await households_by_ids(session, self._principal, keys)
        return [found.get(key) for key in keys]

    async def _residents_of_households(
        self, keys: list[uuid.UUID]
    ) -> list[list[tuple[Resident, bool]]]:
        if self._principal is None:
            return [[] for _ in keys]
        async with self._db.read() as session:
            rows = await residents_of_households(session, self._principal, keys)
        grouped: dict[uuid.UUID, list[tuple[Resident, bool]]] = {key: [] for key in keys}
        for resident, visible in rows:
            grouped[resident.household_id].append((resident, visible))
        return [grouped[key] for key in keys]

    async def _children_of_grids(self, keys: list[uuid.UUID]) -> list[list[Grid]]:
        community = self._principal.community_id if self._principal else None
        async with self._db.read() as session:
            rows = await session.scalars(
                select(Grid)
                .where(
                    Grid.parent_id.in_(keys),
                    Grid.community_id == community,
                    Grid.deleted.is_(False),
                )
                .order_by(Grid.sort_key, Grid.id)
            )
            grouped: dict[uuid.UUID, list[Grid]] = {key: [] for key in keys}
            for grid in rows:
                if grid.parent_id is not None:
                    grouped[grid.parent_id].append(grid)
        return [grouped[key] for key in keys]

    async def _households_of_grids(
        self, keys: list[tuple[uuid.UUID, int, str | None]]
    ) -> list[Page[tuple[Household, bool]] | Exception]:
        """Keys are (grid id, page size, cursor): one statement per distinct page request,
        which in a tree of grids is one for the whole tree."""
        if self._principal is None:
            return [Page([], [], False, False) for _ in keys]
        pages: dict[tuple[uuid.UUID, int, str | None], Page[tuple[Household, bool]]] = {}
        requests = {(size, after) for _, size, after in keys}
        async with self._db.read() as session:
            for size, after in requests:
                grids = [grid for grid, s, a in keys if (s, a) == (size, after)]
                found = await households_of_grids(
                    session, self._principal, grids, first=size, after=after
                )
                pages.update({(grid, size, after): page for grid, page in found.items()})
        return [pages[key] for key in keys]

    async def _household_counts_of_grids(self, keys: list[uuid.UUID]) -> list[int]:
        if self._principal is None:
            return [0] * len(keys)
        async with self._db.read() as session:
            found = await household_counts_of_grids(session, self._principal, keys)
        return [found[key] for key in keys]

    async def _conflict_subjects(self, keys: list[tuple[str, uuid.UUID]]) -> list[str | None]:
        if self._principal is None:
            return [None] * len(keys)
        async with self._db.read() as session:
            found = await inbox.subjects(session, self._principal, keys)
        return [found.get(key) for key in keys]
