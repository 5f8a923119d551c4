"""The corridor deliberation council on the GraphQL edge: topics, meetings, follow-up."""

from __future__ import annotations

import strawberry


@strawberry.type
class CouncilQueries:
    pass


@strawberry.type
class CouncilMutations:
    pass
