"""Households (户) and residents (居民), with personal data shown only where permitted."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum

import strawberry

from domain import models
from domain.personal_data import mask_phone
from schema.context import Info
from schema.types.grid import Grid, GridPost

Gender = strawberry.enum(models.Gender, description="性别")
Relation = strawberry.enum(
    models.Relation, description="与户主关系; HEAD (户主/本人) is the household's one head"
)


@strawberry.enum(description="Why a personal field is null.")
class HiddenReason(Enum):
    NOT_COVERED = "NOT_COVERED"


@strawberry.type(
    description="A personal field (PIPL): the masked value for those allowed to see it, else null "
    "with the reason. The full value is `revealPersonalData`, one record at a time, logged."
)
class Protected:
    value: str | None
    hidden_reason: HiddenReason | None

    @staticmethod
    def of(value: str | None, visible: bool) -> Protected:
        if not visible:
            return Protected(value=None, hidden_reason=HiddenReason.NOT_COVERED)
        return Protected(value=value, hidden_reason=None)


@strawberry.type(description="户: an address in a micro-grid and its one red grid contact.")
class Household:
    id: uuid.UUID
    building: str
    unit: str
    room: Protected
    grid_id: uuid.UUID
    contact_post_id: uuid.UUID | None
    updated_at: datetime

    @strawberry.field
    async def grid(self, info: Info) -> Grid | None:
        row = await info.context.loaders.grid.load(self.grid_id)
        return Grid.of(row) if row else None

    @strawberry.field(description="The assigned red grid contact (联系人); null if none yet.")
    async def contact(self, info: Info) -> GridPost | None:
        if self.contact_post_id is None:
            return None
        row = await info.context.loaders.post.load(self.contact_post_id)
        return GridPost.of(row) if row else None

    @strawberry.field
    async def residents(self, info: Info) -> list[Resident]:
        rows = await info.context.loaders.residents_of_household.load(self.id)
        return [Resident.of(row, visible) for row, visible in rows]

    @staticmethod
    def of(row: models.Household, room_visible: bool) -> Household:
        return Household(
            id=row.id,
            building=row.building,
            unit=row.unit,
            room=Protected.of(row.room, room_visible),
            grid_id=row.grid_id,
            contact_post_id=row.contact_post_id,
            updated_at=row.updated_at,
        )


@strawberry.type(description="居民. Lists carry masked personal data (138****8888).")
class Resident:
    id: uuid.UUID
    name: str
    household_id: uuid.UUID
    phone: Protected
    id_number: Protected
    birth_year: int | None = strawberry.field(description="null where personal data is hidden")
    tags: list[str] | None = strawberry.field(
        description="words of the community's vocabulary (`residentTags`); null where personal "
        "data is hidden (a child's or a disabled person's status is sensitive under PIPL)"
    )
    party_member: bool | None = strawberry.field(description="null where personal data is hidden")
    political_status: str | None = strawberry.field(
        description="政治面貌 as registered (中共党员, 群众…); null where personal data is hidden"
    )
    gender: Gender | None = strawberry.field(description="null where personal data is hidden")
    relation_to_head: Relation | None = strawberry.field(
        description="null if not recorded or where personal data is hidden"
    )
    updated_at: datetime

    @strawberry.field
    async def household(self, info: Info) -> Household | None:
        found = await info.context.loaders.household.load(self.household_id)
        return Household.of(*found) if found else None

    @staticmethod
    def of(row: models.Resident, pii_visible: bool) -> Resident:
        return Resident(
            id=row.id,
            name=row.name,
            household_id=row.household_id,
            phone=Protected.of(mask_phone(row.phone) if row.phone else None, pii_visible),
            id_number=Protected.of(row.id_number_masked, pii_visible),
            birth_year=row.birth_date.year if row.birth_date and pii_visible else None,
            tags=list(row.tags) if pii_visible else None,
            party_member=row.party_member if pii_visible else None,
            political_status=row.political_status if pii_visible else None,
            gender=models.Gender(row.gender) if pii_visible else None,
            relation_to_head=(
                models.Relation(row.relation_to_head)
                if pii_visible and row.relation_to_head
                else None
            ),
            updated_at=row.updated_at,
        )


@strawberry.type(description="The unmasked personal data of one resident; this read is logged.")
class PersonalData:
    resident_id: uuid.UUID
    phone: str | None
    id_number: str | None
    room: str
