"""Every synced collection, by its RxDB name. Adding one is one declaration here."""

from __future__ import annotations

from sync.collections.attendance import ATTENDANCE
from sync.collections.ballots import BALLOTS
from sync.collections.households import HOUSEHOLDS
from sync.collections.proposals import PROPOSALS
from sync.collections.pull_only import GRIDS, NOTICES, POSTS
from sync.collections.residents import RESIDENTS
from sync.collections.visit_notes import VISIT_NOTES
from sync.declaration import SyncedType

COLLECTIONS: dict[str, SyncedType] = {
    c.name: c
    for c in (
        HOUSEHOLDS,
        RESIDENTS,
        VISIT_NOTES,
        PROPOSALS,
        BALLOTS,
        ATTENDANCE,
        GRIDS,
        POSTS,
        NOTICES,
    )
}
