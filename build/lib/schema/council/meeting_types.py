"""议事会 / 汇报会 on the GraphQL edge, and the follow-up views: ledger, overdue queue.

Attendance lists show full names to staff only; residents see the masked form (张*), as a
public notice would print it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import strawberry

from domain import models
from domain.personal_data import mask_name
from domain.services.ledger import LedgerRow
from domain.services.overdue import EscalationLevel as DomainEscalationLevel
from domain.services.overdue import OverdueItem as DomainOverdueItem
from schema.context import Info
from schema.council.loaders import council_loaders
from schema.council.topic_types import (
    Proposal,
    ProposalCategory,
    ProposalStatus,
    Resolution,
    SimilarTopic,
)
from schema.types.grid import Grid

MeetingKind = strawberry.enum(
    models.MeetingKind, description="议事会 (deliberation) or 汇报会 (report-back)"
)
EscalationLevel = strawberry.enum(
    DomainEscalationLevel,
    description="Who an overdue item has reached: 网格长, then 包联社区干部, then 社区书记",
)


@strawberry.type(description="One topic on a meeting's agenda, in order.")
class AgendaItem:
    position: int
    proposal_id: uuid.UUID

    @strawberry.field
    async def proposal(self, info: Info) -> Proposal | None:
        row = await council_loaders(info).proposal.load(self.proposal_id)
        return Proposal.of(row) if row else None


@strawberry.type(description="One person at a meeting: a registered resident or just a name.")
class Attendance:
    id: uuid.UUID
    name: str
    resident_id: uuid.UUID | None

    @staticmethod
    def of(row: models.Attendance, full_names: bool) -> Attendance:
        return Attendance(
            id=row.id,
            name=row.name if full_names else mask_name(row.name),
            resident_id=row.resident_id if full_names else None,
        )


@strawberry.type(description="议事会 or 汇报会: time, place, ordered agenda, attendance, minutes.")
class Meeting:
    id: uuid.UUID
    kind: MeetingKind
    title: str
    starts_at: datetime
    place: str
    grid_id: uuid.UUID | None
    minutes: str

    @strawberry.field
    async def grid(self, info: Info) -> Grid | None:
        if self.grid_id is None:
            return None
        row = await info.context.loaders.grid.load(self.grid_id)
        return Grid.of(row) if row else None

    @strawberry.field(description="The agenda in its order.")
    async def agenda(self, info: Info) -> list[AgendaItem]:
        rows = await council_loaders(info).agenda.load(self.id)
        return [
            AgendaItem(position=n, proposal_id=row.proposal_id)
            for n, row in enumerate(rows, start=1)
        ]

    @strawberry.field(description="Who attended; names are masked (张*) except for staff.")
    async def attendance(self, info: Info) -> list[Attendance]:
        principal = info.context.principal
        full = principal is not None and principal.is_staff
        rows = await council_loaders(info).attendance.load(self.id)
        return [Attendance.of(row, full) for row in rows if not row.deleted]

    @staticmethod
    def of(row: models.Meeting) -> Meeting:
        return Meeting(
            id=row.id,
            kind=row.kind,
            title=row.title,
            starts_at=row.starts_at,
            place=row.place,
            grid_id=row.grid_id,
            minutes=row.minutes,
        )


@strawberry.type(description="A 汇报会 and every open resolution it reports on.")
class ReportBack:
    meeting: Meeting
    items: list[Proposal]


@strawberry.type(description="A new topic, with similar open topics its raiser may support.")
class RaisedProposal:
    proposal: Proposal
    similar: list[SimilarTopic]


@strawberry.type(description="A rating given; `reopened` when the average fell below the floor.")
class RatingOutcome:
    proposal: Proposal
    score: int
    reopened: bool


@strawberry.type(description="An overdue resolution in your queue (逾期督办).")
class OverdueItem:
    proposal: Proposal
    resolution: Resolution
    days_overdue: int
    level: EscalationLevel

    @staticmethod
    def of(item: DomainOverdueItem) -> OverdueItem:
        return OverdueItem(
            proposal=Proposal.of(item.proposal),
            resolution=Resolution.of(item.resolution),
            days_overdue=item.days_overdue,
            level=item.level,
        )


@strawberry.type(description="台账: one line of the ledger.")
class LedgerEntry:
    proposal_id: uuid.UUID
    title: str
    status: ProposalStatus
    category: ProposalCategory
    submitted_on: date
    grid_name: str | None
    contact_name: str | None
    deadline: date | None
    overdue: bool
    average_rating: float | None
    support_count: int

    @staticmethod
    def of(row: LedgerRow) -> LedgerEntry:
        return LedgerEntry(
            proposal_id=row.proposal_id,
            title=row.title,
            status=row.status,
            category=row.category,
            submitted_on=row.submitted_on,
            grid_name=row.grid_name,
            contact_name=row.contact_name,
            deadline=row.deadline,
            overdue=row.overdue,
            average_rating=row.average_rating,
            support_count=row.support_count,
        )
