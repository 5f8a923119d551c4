"""Votes on the GraphQL edge: rules, ballots, tallies, receipts and verification."""

from __future__ import annotations

import strawberry

from schema.votes.mutations import VoteMutationFields
from schema.votes.panels import PanelMutationFields
from schema.votes.queries import VoteQueryFields


@strawberry.type
class VoteQueries(VoteQueryFields):
    pass


@strawberry.type
class VoteMutations(VoteMutationFields, PanelMutationFields):
    pass
