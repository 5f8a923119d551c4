"""Votes on the GraphQL edge: rules, ballots, tallies, receipts and verification."""

from __future__ import annotations

import strawberry


@strawberry.type
class VoteQueries:
    pass


@strawberry.type
class VoteMutations:
    pass
