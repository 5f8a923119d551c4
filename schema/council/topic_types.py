"""议题 on the GraphQL edge: topics, their history, resolution and progress.

A topic never names who raised it when it came from the suggestion box, and otherwise only
by display name (or the masked name 张* for a resident without an account).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import strawberry

from domain import models
from domain.services.proposal_access import Reference
from domain.stored_text import present
from schema.context import Info
from schema.council.loaders import council_loaders
from schema.council.rating_types import RatingWindow, WindowRow
from schema.types.grid import Grid

ProposalCategory = strawberry.enum(
    models.ProposalCategory,
    description="停车出行, 物业服务, 水电维修, 拆违治乱, 装修扰民, or other",
)
ProposalSource = strawberry.enum(
    models.ProposalSource,
    description="A resident, a grid worker's visit, a meeting, online (你反映，我帮您), "
    "or the anonymous suggestion box (民主决议箱)",
)
ProposalStatus = strawberry.enum(
    models.ProposalStatus,
    description="submitted → accepted | declined → deliberated → in progress → reported → "
    "closed (销号); merged and withdrawn end a topic early",
)


@strawberry.input(description="A file by reference: an http(s) URL and its SHA-256 checksum.")
class ReferenceInput:
    url: str
    sha256: str

    def to_domain(self) -> Reference:
        return Reference(url=self.url, sha256=self.sha256)


@strawberry.type(description="A file by reference; the checksum lets anyone verify it.")
class FileReference:
    url: str
    sha256: str


def references(values: list[dict[str, str]]) -> list[FileReference]:
    return [FileReference(url=v["url"], sha256=v["sha256"]) for v in values]


@strawberry.type(
    description="One step of a topic's history: a change of status, or a decision that kept "
    "it (from = to, e.g. a rating window that left the item closed): who, when, why."
)
class ProposalTransition:
    from_status: ProposalStatus | None
    to_status: ProposalStatus
    at: datetime
    reason: str
    actor_account_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(
        description="Who made the change (a resident masked as in raiserName); null for the "
        "suggestion box and rules."
    )
    async def actor_name(self, info: Info) -> str | None:
        if self.actor_account_id is None:
            return None
        return await council_loaders(info).account_name.load(self.actor_account_id)

    @staticmethod
    def of(row: models.ProposalTransition) -> ProposalTransition:
        return ProposalTransition(
            from_status=row.from_status,
            to_status=row.to_status,
            at=row.created_at,
            reason=present(row.reason) or "",
            actor_account_id=row.actor_account_id,
        )


@strawberry.type(description="The agreed solution, its contact person (联系人) and deadline.")
class Resolution:
    id: uuid.UUID
    proposal_id: uuid.UUID
    meeting_id: uuid.UUID | None
    solution: str
    contact_account_id: uuid.UUID | None
    contact_name: str
    deadline: date

    @strawberry.field
    async def proposal(self, info: Info) -> Proposal | None:
        row = await council_loaders(info).proposal.load(self.proposal_id)
        return Proposal.of(row) if row else None

    @staticmethod
    def of(row: models.Resolution) -> Resolution:
        return Resolution(
            id=row.id,
            proposal_id=row.proposal_id,
            meeting_id=row.meeting_id,
            solution=row.solution,
            contact_account_id=row.contact_account_id,
            contact_name=row.contact_name,
            deadline=row.deadline,
        )


@strawberry.type(description="落实: progress on a resolution, with photos by reference.")
class ProgressReport:
    id: uuid.UUID
    proposal_id: uuid.UUID
    meeting_id: uuid.UUID | None
    text: str
    photos: list[FileReference]
    percent_done: int
    at: datetime

    @staticmethod
    def of(row: models.ProgressReport) -> ProgressReport:
        return ProgressReport(
            id=row.id,
            proposal_id=row.proposal_id,
            meeting_id=row.meeting_id,
            text=row.text,
            photos=references(row.photos),
            percent_done=row.percent_done,
            at=row.created_at,
        )


@strawberry.type(description="An open topic that reads like another, with its similarity 0..1.")
class SimilarTopic:
    proposal: Proposal
    score: float


@strawberry.type(description="议题: a problem raised by residents, followed until it is closed.")
class Proposal:
    id: uuid.UUID
    title: str
    description: str
    category: ProposalCategory
    source: ProposalSource
    status: ProposalStatus
    grid_id: uuid.UUID | None
    anonymous: bool
    submitted_on: date
    attachments: list[FileReference]
    close_round: int
    merged_into_id: uuid.UUID | None
    raised_by_account_id: strawberry.Private[uuid.UUID | None]
    raised_by_resident_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field
    async def grid(self, info: Info) -> Grid | None:
        if self.grid_id is None:
            return None
        row = await info.context.loaders.grid.load(self.grid_id)
        return Grid.of(row) if row else None

    @strawberry.field(
        description="Who raised it: staff by display name, a resident by full name only to the "
        "admin, the staff covering their household and their own household, else masked (张*); "
        "always null when anonymous."
    )
    async def raiser_name(self, info: Info) -> str | None:
        if self.anonymous:
            return None
        if self.raised_by_resident_id is not None:
            return await council_loaders(info).resident_name.load(self.raised_by_resident_id)
        if self.raised_by_account_id is not None:
            return await council_loaders(info).account_name.load(self.raised_by_account_id)
        return None

    @strawberry.field(description="附议: how many residents support it.")
    async def support_count(self, info: Info) -> int:
        return await council_loaders(info).support_count.load(self.id)

    @strawberry.field(description="Whether you (a resident) support it.")
    async def viewer_supports(self, info: Info) -> bool:
        return await council_loaders(info).viewer_supports.load(self.id)

    @strawberry.field(description="Open topics that read alike: candidates to merge.")
    async def similar(self, info: Info) -> list[SimilarTopic]:
        found = await council_loaders(info).similar.load(self.id)
        return [SimilarTopic(proposal=Proposal.of(s.proposal), score=s.score) for s in found]

    @strawberry.field(description="Every change of status, oldest first.")
    async def history(self, info: Info) -> list[ProposalTransition]:
        rows = await council_loaders(info).history.load(self.id)
        return [ProposalTransition.of(row) for row in rows]

    @strawberry.field
    async def resolution(self, info: Info) -> Resolution | None:
        row = await council_loaders(info).resolution.load(self.id)
        return Resolution.of(row) if row else None

    @strawberry.field
    async def progress_reports(self, info: Info) -> list[ProgressReport]:
        rows = await council_loaders(info).progress_reports.load(self.id)
        return [ProgressReport.of(row) for row in rows]

    @strawberry.field(description="The duplicates merged into this topic.")
    async def merged_from(self, info: Info) -> list[Proposal]:
        rows = await council_loaders(info).merged_from.load(self.id)
        return [Proposal.of(row) for row in rows]

    @strawberry.field(
        description="评菜: the latest closing round's average rating, once that round is "
        "decided (null while its window is open)."
    )
    async def average_rating(self, info: Info) -> float | None:
        found = await self._window(info)
        return found.window.average if found and found.window.decided_at else None

    @strawberry.field(
        description="评菜期: the latest closing round's rating window; null if never closed."
    )
    async def rating_window(self, info: Info) -> RatingWindow | None:
        found = await self._window(info)
        return RatingWindow.of(found) if found else None

    async def _window(self, info: Info) -> WindowRow | None:
        if self.close_round == 0:
            return None
        return await council_loaders(info).rating_window.load((self.id, self.close_round))

    @staticmethod
    def of(row: models.Proposal) -> Proposal:
        return Proposal(
            id=row.id,
            title=row.title,
            description=row.description,
            category=row.category,
            source=row.source,
            status=row.status,
            grid_id=row.grid_id,
            anonymous=row.anonymous,
            submitted_on=row.submitted_on,
            attachments=references(row.attachments),
            close_round=row.close_round,
            merged_into_id=row.merged_into_id,
            raised_by_account_id=None if row.anonymous else row.raised_by_account_id,
            raised_by_resident_id=None if row.anonymous else row.raised_by_resident_id,
        )
