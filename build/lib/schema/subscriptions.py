"""The root Subscription type, composed of one mixin per area of the API."""

from __future__ import annotations

import strawberry

from schema.council.subscriptions import CouncilSubscriptions
from schema.sync import SyncSubscriptions
from schema.votes.subscriptions import VoteSubscriptions


@strawberry.type
class Subscription(CouncilSubscriptions, VoteSubscriptions, SyncSubscriptions):
    pass
