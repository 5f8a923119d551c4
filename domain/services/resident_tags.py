"""Each community's tag vocabulary (标签): the words staff may put on a resident.

Communities name their priority groups differently (独居老人 here, 空巢老人 there), so the
list is the admin's to edit; a resident's tags are always words of it. A word still on
residents cannot simply vanish from the list (their tags would no longer be words of it):
the admin renames it, which rewrites those residents, or takes it off them first.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.dialect import json_array_contains
from domain.errors import Conflict, InvalidInput
from domain.i18n import N_
from domain.models import Community, Resident
from domain.permissions import require_admin
from domain.principal import Principal
from domain.validation import clean_text

TAG_MAX = 20
TAGS_MAX = 100
_CACHE = "changlang.resident_tags"


async def tag_vocabulary(session: AsyncSession, community_id: uuid.UUID) -> list[str]:
    """The community's words, read once per session (a sync push checks many residents)."""
    cache: dict[uuid.UUID, list[str]] = session.info.setdefault(_CACHE, {})
    if community_id not in cache:
        words = await session.scalar(
            select(Community.resident_tags).where(Community.id == community_id)
        )
        cache[community_id] = list(words or [])
    return cache[community_id]


def checked_tags(values: Iterable[str], vocabulary: Sequence[str]) -> list[str]:
    """``values`` as a resident's sorted tags, or an error naming the unknown one and the list."""
    known = set(vocabulary)
    found = sorted({value.strip() for value in values if value.strip()})
    for value in found:
        if value not in known:
            raise InvalidInput(
                "tags",
                N_("unknown tag {tag}; the community's tags are: {allowed}"),
                tag=value,
                allowed="、".join(vocabulary),
            )
    return found


def _clean_list(tags: Iterable[str]) -> list[str]:
    words: list[str] = []
    for tag in tags:
        word = clean_text("tags", tag, max_length=TAG_MAX)
        if word in words:
            raise InvalidInput("tags", N_("{tag} is listed twice"), tag=word)
        words.append(word)
    if len(words) > TAGS_MAX:
        raise InvalidInput("tags", N_("at most {count} tags"), count=TAGS_MAX)
    return words


async def _uses(session: AsyncSession, community_id: uuid.UUID, tag: str) -> int:
    return int(
        await session.scalar(
            select(func.count(Resident.id)).where(
                Resident.community_id == community_id,
                Resident.deleted.is_(False),
                json_array_contains(Resident.tags, tag),
            )
        )
        or 0
    )


async def set_resident_tags(
    session: AsyncSession, principal: Principal | None, tags: Sequence[str]
) -> list[str]:
    """Replace the vocabulary (adding, removing, reordering); removing a word in use is refused."""
    who = require_admin(principal)
    words = _clean_list(tags)
    community = await session.get_one(Community, who.community_id)
    for gone in [t for t in community.resident_tags if t not in words]:
        count = await _uses(session, who.community_id, gone)
        if count:
            raise Conflict(
                N_("{count} residents are tagged {tag}: rename the tag or take it off them first"),
                count=count,
                tag=gone,
            )
    community.resident_tags = words
    session.info.get(_CACHE, {}).pop(who.community_id, None)
    await session.flush()
    return words


async def rename_resident_tag(
    session: AsyncSession, principal: Principal | None, old: str, new: str
) -> list[str]:
    """Rename a word in the vocabulary and on every resident who carries it."""
    who = require_admin(principal)
    community = await session.get_one(Community, who.community_id)
    word = clean_text("to", new, max_length=TAG_MAX)
    if old not in community.resident_tags:
        raise InvalidInput("from", N_("{tag} is not one of the community's tags"), tag=old)
    if word != old and word in community.resident_tags:
        raise Conflict(N_("{tag} is already one of the community's tags"), tag=word)
    community.resident_tags = [word if t == old else t for t in community.resident_tags]
    tagged = await session.scalars(
        select(Resident).where(
            Resident.community_id == who.community_id, json_array_contains(Resident.tags, old)
        )
    )
    for resident in tagged:
        resident.tags = sorted({word if t == old else t for t in resident.tags})
    session.info.get(_CACHE, {}).pop(who.community_id, None)
    await session.flush()
    return list(community.resident_tags)
