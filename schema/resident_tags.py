"""The community's tag vocabulary (标签): read by every signed-in user, edited by the admin."""

from __future__ import annotations

from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from domain.permissions import require_login
from domain.services import resident_tags
from schema.context import Info
from schema.errors import result_union
from schema.mutations.transaction import in_transaction


@strawberry.type(description="The community's tag vocabulary, in the admin's order.")
class ResidentTags:
    tags: list[str]


ResidentTagsResult = result_union("ResidentTagsResult", ResidentTags)


@strawberry.type
class ResidentTagQueries:
    @strawberry.field(
        description="The words staff may tag residents with (独居老人, 低保户…), in order."
    )
    async def resident_tags(self, info: Info) -> list[str]:
        who = require_login(info.context.principal)
        async with info.context.db.read() as session:
            return list(await resident_tags.tag_vocabulary(session, who.community_id))


@strawberry.type
class ResidentTagMutations:
    @strawberry.mutation(
        description="Admin: replace the vocabulary (add, remove, reorder). Removing a word "
        "residents still carry is refused: rename it with renameResidentTag instead."
    )
    async def set_resident_tags(self, info: Info, tags: list[str]) -> ResidentTagsResult:
        async def work(session: AsyncSession) -> ResidentTags:
            words = await resident_tags.set_resident_tags(session, info.context.principal, tags)
            return ResidentTags(tags=words)

        return await in_transaction(info, work)

    @strawberry.mutation(
        description="Admin: rename one word, in the vocabulary and on every resident carrying it."
    )
    async def rename_resident_tag(
        self, info: Info, from_: Annotated[str, strawberry.argument(name="from")], to: str
    ) -> ResidentTagsResult:
        async def work(session: AsyncSession) -> ResidentTags:
            words = await resident_tags.rename_resident_tag(
                session, info.context.principal, from_, to
            )
            return ResidentTags(tags=words)

        return await in_transaction(info, work)
