"""工作人员: the community's staff accounts and their posts, for the secretary's set-up."""

from __future__ import annotations

import uuid

import strawberry

from domain.services import staff_accounts
from schema.context import Info
from schema.types.grid import AccountKind, GridPost


@strawberry.type(description="A staff or admin account with its posts (none for a contact).")
class StaffAccount:
    id: uuid.UUID
    username: str | None
    display_name: str
    kind: AccountKind
    disabled: bool
    posts: list[GridPost]


@strawberry.type
class StaffAccountQueries:
    @strawberry.field(
        description="Admin: every staff and admin account of the community with its posts, "
        "oldest first; accounts with no post (responsible contacts) included."
    )
    async def staff_accounts(self, info: Info) -> list[StaffAccount]:
        async with info.context.db.read() as session:
            found = await staff_accounts.staff_accounts(session, info.context.principal)
        return [
            StaffAccount(
                id=entry.account.id,
                username=entry.account.username,
                display_name=entry.account.display_name,
                kind=AccountKind(entry.account.kind.value),
                disabled=entry.account.disabled,
                posts=[GridPost.of(post) for post in entry.posts],
            )
            for entry in found
        ]
