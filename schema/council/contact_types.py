"""联系人's queue on the GraphQL edge: the resolutions naming you as their contact."""

from __future__ import annotations

from datetime import date

import strawberry

from domain.services.contacts import ContactItem
from schema.context import Info
from schema.council.loaders import council_loaders
from schema.council.topic_types import ProgressReport, Proposal, ProposalStatus, Resolution


@strawberry.type(
    description="A resolution you are the contact (联系人) of: report progress on it with "
    "reportProgress. Overdue when its deadline has passed and the work is not closed."
)
class ContactResolution:
    proposal: Proposal
    resolution: Resolution
    deadline: date
    status: ProposalStatus = strawberry.field(description="The topic's status now.")
    overdue: bool = strawberry.field(
        description="Past its deadline while still being carried out (逾期)."
    )
    days_overdue: int = strawberry.field(description="Days past the deadline; 0 if not overdue.")

    @strawberry.field(description="The latest progress report, if any.")
    async def last_progress(self, info: Info) -> ProgressReport | None:
        rows = await council_loaders(info).progress_reports.load(self.proposal.id)
        return ProgressReport.of(rows[-1]) if rows else None

    @staticmethod
    def of(item: ContactItem) -> ContactResolution:
        return ContactResolution(
            proposal=Proposal.of(item.proposal),
            resolution=Resolution.of(item.resolution),
            deadline=item.resolution.deadline,
            status=item.proposal.status,
            overdue=item.overdue,
            days_overdue=item.days_overdue,
        )
