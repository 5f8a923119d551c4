"""The suggestion box (民主决议箱) on the GraphQL edge: drop a suggestion in, open the box,
count what waits. See ``domain.services.suggestion_box`` for why topics come out in batches.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError
from domain.i18n import N_, reader_language, translate
from domain.services import suggestion_box
from schema.context import Info
from schema.council.box_events import announce_release
from schema.council.topic_types import ProposalCategory, ReferenceInput
from schema.errors import Error, result_union, to_graphql_error
from schema.mutations.transaction import in_transaction

ANONYMITY = N_(
    "Your suggestion is in the box. It becomes a topic when the box is next opened, together "
    "with other suggestions and in random order; the topic carries no name and no time finer "
    "than that opening, so no one, staff included, can tell which topic is yours."
)


@strawberry.input(description="A suggestion for the box: what it is about, never who wrote it.")
class SuggestionInput:
    title: str
    category: ProposalCategory
    description: str = ""
    grid_id: uuid.UUID | None = strawberry.field(
        default=None,
        description="The box (grid node) it goes into; by default your grid at grid level "
        "(网格), never your own micro-grid, which is small enough to point at your home.",
    )
    attachments: list[ReferenceInput] = strawberry.field(default_factory=list)


@strawberry.type(
    description="Received and waiting in the box. Deliberately nothing that names the topic "
    "it will become: no id, no time, no position."
)
class SuggestionReceived:
    received: bool
    anonymity: str = strawberry.field(description="What anonymity means here, to show the writer.")


@strawberry.type(
    description="What an opening released: topics all stamped with the same time (`releasedAt`) "
    "in random order; boxes holding fewer than the minimum keep waiting unless their oldest "
    "suggestion has waited past the maximum age."
)
class SuggestionBoxOpened:
    released: int
    released_at: datetime | None
    waiting: int = strawberry.field(description="Suggestions still waiting in these boxes.")


@strawberry.type(description="The boxes a staff member covers: how many suggestions wait, only.")
class SuggestionBox:
    waiting: int
    minimum: int = strawberry.field(description="The fewest a box releases at a time.")
    max_wait_days: int = strawberry.field(
        description="After this many days a box releases its suggestions even if fewer."
    )


SubmitSuggestionResult = result_union("SubmitSuggestionResult", SuggestionReceived)
OpenSuggestionBoxResult = result_union("OpenSuggestionBoxResult", SuggestionBoxOpened)
SuggestionBoxResult = result_union("SuggestionBoxResult", SuggestionBox)


@strawberry.type
class BoxMutations:
    @strawberry.mutation(
        description="民主决议箱: a resident drops an anonymous suggestion in the box. It waits "
        "there and is released as a topic with others; the answer is only 'received'."
    )
    async def submit_suggestion(self, info: Info, input: SuggestionInput) -> SubmitSuggestionResult:
        async def work(session: AsyncSession) -> SuggestionReceived:
            await suggestion_box.submit_suggestion(
                session,
                info.context.principal,
                suggestion_box.NewSuggestion(
                    title=input.title,
                    category=input.category,
                    description=input.description,
                    grid_id=input.grid_id,
                    attachments=[item.to_domain() for item in input.attachments],
                ),
            )
            return SuggestionReceived(
                received=True, anonymity=translate(ANONYMITY, reader_language())
            )

        return await in_transaction(info, work)

    @strawberry.mutation(
        description="Staff open the boxes they cover (under `gridId`, if given): each box that "
        "holds at least the minimum, or whose oldest suggestion waited past the maximum age, "
        "releases all its suggestions as topics in one shuffled batch."
    )
    async def open_suggestion_box(
        self, info: Info, grid_id: uuid.UUID | None = None
    ) -> OpenSuggestionBoxResult:
        rules = info.context.config.suggestion_box

        async def work(session: AsyncSession) -> suggestion_box.Release:
            return await suggestion_box.open_box(session, info.context.principal, rules, grid_id)

        result = await in_transaction(info, work)
        if isinstance(result, Error):
            return result
        await announce_release(info.context.events, result)
        return SuggestionBoxOpened(
            released=len(result.proposal_ids), released_at=result.at, waiting=result.waiting
        )


@strawberry.type
class BoxReads:
    @strawberry.field(description="How many suggestions wait in the boxes you cover (staff).")
    async def suggestion_box(
        self, info: Info, grid_id: uuid.UUID | None = None
    ) -> SuggestionBoxResult:
        rules = info.context.config.suggestion_box
        try:
            async with info.context.db.read() as session:
                waiting = await suggestion_box.waiting_count(
                    session, info.context.principal, grid_id
                )
        except DomainError as error:
            return to_graphql_error(error)
        return SuggestionBox(
            waiting=waiting, minimum=rules.minimum, max_wait_days=rules.max_wait_days
        )
