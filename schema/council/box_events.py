"""One announcement per released batch of the suggestion box (民主决议箱), never one per item.

Subscribers of ``proposalRaised`` hear the whole batch at once, its ids in id order (random),
so neither the number of events nor their order says anything about who dropped what in.
"""

from __future__ import annotations

from domain.services.suggestion_box import Release
from schema.events import EventBus, proposals_channel


async def announce_release(bus: EventBus, release: Release) -> None:
    """Publish after the release committed; an empty opening says nothing."""
    if not release.proposal_ids:
        return
    await bus.publish(
        proposals_channel(release.community_id),
        {"event": "released", "proposalIds": [str(i) for i in release.proposal_ids]},
    )
