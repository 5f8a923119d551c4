"""Write side of the API: one operation, one transaction, one result union per mutation."""

from __future__ import annotations

import strawberry

from schema.council import CouncilMutations
from schema.duplicates import DuplicateMutations
from schema.login_lockouts import LoginLockoutMutations
from schema.mutations.auth import AuthMutations
from schema.mutations.grids import GridMutations
from schema.mutations.households import HouseholdMutations
from schema.mutations.residents import ResidentMutations
from schema.resident_tags import ResidentTagMutations
from schema.sync import SyncMutations
from schema.votes import VoteMutations


@strawberry.type
class Mutation(
    AuthMutations,
    GridMutations,
    HouseholdMutations,
    ResidentMutations,
    CouncilMutations,
    VoteMutations,
    SyncMutations,
    LoginLockoutMutations,
    DuplicateMutations,
    ResidentTagMutations,
):
    pass


__all__ = ["Mutation"]
