"""Read side of the council: topics, meetings, the report-back list, the queue, the ledger.

Each resolver opens its own short read session; nested fields go through the council's
DataLoaders, so a list costs the same number of statements however long it is. Lists fail
as a whole with a coded error (not logged in, not staff); single objects answer a union.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import strawberry

from domain.errors import DomainError
from domain.permissions import require_login
from domain.services import (
    contacts,
    follow_up,
    ledger,
    meetings,
    overdue,
    proposal_queries,
    proposals,
)
from domain.services import ratings as rating_service
from schema.context import Info
from schema.council.contact_types import ContactResolution
from schema.council.meeting_types import LedgerEntry, Meeting, OverdueItem, ReportBack
from schema.council.topic_types import (
    Proposal,
    ProposalCategory,
    ProposalStatus,
    SimilarTopic,
)
from schema.errors import result_union, to_graphql_error
from schema.pagination import Connection, connection, page_size
from schema.types.grid import Account

ProposalResult = result_union("ProposalResult", Proposal)
MeetingResult = result_union("MeetingResult", Meeting)
ReportBackResult = result_union("ReportBackResult", ReportBack)


@strawberry.input(description="Topics to list; all filters combine.")
class ProposalFilter:
    status: ProposalStatus | None = None
    category: ProposalCategory | None = None
    grid_id: uuid.UUID | None = None
    search: str | None = strawberry.field(
        default=None, description="part of the title or the description"
    )
    mine: bool | None = strawberry.field(
        default=None,
        description="only the topics you raised (not through the box) or supported (附议)",
    )


@strawberry.input(description="Ledger lines to list; all filters combine.")
class LedgerFilter:
    status: ProposalStatus | None = None
    category: ProposalCategory | None = None
    overdue: bool | None = None


def _counter(
    info: Info, count: Callable[..., Awaitable[int]], where: object
) -> Callable[[], Awaitable[int]]:
    async def run() -> int:
        async with info.context.db.read() as session:
            return await count(session, info.context.principal, where)

    return run


@strawberry.type
class CouncilReads:
    """议题, 议事会 / 汇报会, 落实 and 台账."""

    @strawberry.field(description="The community's topics, newest first.")
    async def proposals(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: ProposalFilter | None = None,
    ) -> Connection[Proposal]:
        require_login(info.context.principal)
        where = (
            proposal_queries.ProposalFilter(**vars(filter))
            if filter
            else (proposal_queries.ProposalFilter())
        )
        size = page_size(first, info.context.config.max_page_size)
        async with info.context.db.read() as session:
            page = await proposal_queries.list_proposals(
                session, info.context.principal, where, first=size, after=after
            )
        nodes = [Proposal.of(row[0]) for row in page.items]
        return connection(page, nodes, _counter(info, proposal_queries.count_proposals, where))

    @strawberry.field
    async def proposal(self, info: Info, id: uuid.UUID) -> ProposalResult:
        try:
            async with info.context.db.read() as session:
                row = await proposal_queries.read_proposal(session, info.context.principal, id)
            return Proposal.of(row)
        except DomainError as error:
            return to_graphql_error(error)

    @strawberry.field(description="Open topics resembling a text: call it while a topic is typed.")
    async def similar_topics(self, info: Info, text: str) -> list[SimilarTopic]:
        async with info.context.db.read() as session:
            found = await proposals.similar_topics(session, info.context.principal, text)
        return [SimilarTopic(proposal=Proposal.of(s.proposal), score=s.score) for s in found]

    @strawberry.field(
        description="评菜: closed items you raised or supported whose rating window is open "
        "and that you have not rated yet, the window closing soonest first."
    )
    async def my_pending_ratings(self, info: Info) -> list[Proposal]:
        async with info.context.db.read() as session:
            rows = await rating_service.pending_ratings(session, info.context.principal)
        return [Proposal.of(row) for row in rows]

    @strawberry.field(description="The community's meetings, latest first.")
    async def meetings(self, info: Info) -> list[Meeting]:
        async with info.context.db.read() as session:
            rows = await meetings.list_meetings(session, info.context.principal)
        return [Meeting.of(row) for row in rows]

    @strawberry.field
    async def meeting(self, info: Info, id: uuid.UUID) -> MeetingResult:
        try:
            who = require_login(info.context.principal)
            async with info.context.db.read() as session:
                return Meeting.of(await meetings.get_meeting(session, who, id))
        except DomainError as error:
            return to_graphql_error(error)

    @strawberry.field(description="A 汇报会's list: every open resolution with its progress.")
    async def report_back(self, info: Info, meeting_id: uuid.UUID) -> ReportBackResult:
        try:
            async with info.context.db.read() as session:
                meeting, rows = await follow_up.report_back(
                    session, info.context.principal, meeting_id
                )
            return ReportBack(meeting=Meeting.of(meeting), items=[Proposal.of(r) for r in rows])
        except DomainError as error:
            return to_graphql_error(error)

    @strawberry.field(description="逾期督办: overdue resolutions that have reached you.")
    async def overdue_queue(self, info: Info) -> list[OverdueItem]:
        async with info.context.db.read() as session:
            items = await overdue.overdue_queue(
                session,
                info.context.principal,
            )
        return [OverdueItem.of(item) for item in items]

    @strawberry.field(
        description="联系人: the resolutions naming your account as their contact, earliest "
        "deadline first; only those still being carried out unless includeFinished."
    )
    async def my_resolutions(
        self, info: Info, include_finished: bool = False
    ) -> list[ContactResolution]:
        async with info.context.db.read() as session:
            items = await contacts.my_resolutions(
                session, info.context.principal, open_only=not include_finished
            )
        return [ContactResolution.of(item) for item in items]

    @strawberry.field(
        description="联系人 to choose from when recording a resolution: the community's staff "
        "and admin accounts that can sign in, by display name (staff only; at most 500)."
    )
    async def contact_accounts(self, info: Info) -> list[Account]:
        async with info.context.db.read() as session:
            rows = await contacts.contact_accounts(session, info.context.principal)
        return [Account.of(row) for row in rows]

    @strawberry.field(description="台账: every topic you may work on, oldest first.")
    async def ledger(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: LedgerFilter | None = None,
    ) -> Connection[LedgerEntry]:
        where = ledger.LedgerFilter(**vars(filter)) if filter else ledger.LedgerFilter()
        size = page_size(first, info.context.config.max_page_size)
        async with info.context.db.read() as session:
            page = await ledger.ledger_page(
                session, info.context.principal, where, first=size, after=after
            )
        nodes = [LedgerEntry.of(row) for row in page.items]
        return connection(page, nodes, _counter(info, ledger.ledger_count, where))
