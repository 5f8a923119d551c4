"""Who is asking: the account, its community, and which grid nodes its posts cover."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from domain.models import AccountKind


@dataclass(frozen=True)
class Principal:
    account_id: uuid.UUID
    community_id: uuid.UUID
    kind: AccountKind
    display_name: str = ""
    resident_id: uuid.UUID | None = None
    household_id: uuid.UUID | None = None
    device_id: uuid.UUID | None = None
    post_grid_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)
    covered_grid_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)

    @property
    def is_admin(self) -> bool:
        return self.kind is AccountKind.ADMIN

    @property
    def is_staff(self) -> bool:
        return self.kind in (AccountKind.ADMIN, AccountKind.STAFF)

    def covers(self, grid_id: uuid.UUID) -> bool:
        return self.is_admin or grid_id in self.covered_grid_ids
