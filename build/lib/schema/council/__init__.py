"""The corridor deliberation council on the GraphQL edge: topics, meetings, follow-up.

Thin composition: each area's fields live in their own module.
"""

from __future__ import annotations

import strawberry

from schema.council.follow_up_mutations import FollowUpMutations
from schema.council.meeting_mutations import MeetingMutations
from schema.council.queries import CouncilReads
from schema.council.topic_mutations import TopicMutations


@strawberry.type
class CouncilQueries(CouncilReads):
    pass


@strawberry.type
class CouncilMutations(TopicMutations, MeetingMutations, FollowUpMutations):
    pass
