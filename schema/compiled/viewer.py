"""``viewer`` as SQL: the principal's own values, bound, and its household, posts, community.

Console pages ask for the viewer beside the list they show; answering it here keeps such a
page on the compiled path. It mirrors ``schema.types.viewer.Viewer``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    cast,
    false,
    func,
    literal,
    literal_column,
    null,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from domain.json_sql import json_object
from domain.models import Community, GridPost, Household
from domain.permissions import households_visible
from schema.compiled.build import Build, adapt
from schema.compiled.objects import Columns, household, many, one, ordered, post, scalars
from schema.compiled.selection import Declined, Picked
from schema.types.grid import AccountKind


def _text(value: object) -> ColumnElement[Any]:
    return null() if value is None else cast(literal(str(value)), String)


async def viewer(b: Build, entry: Picked, session: AsyncSession) -> ColumnElement[Any]:
    who = b.principal
    kind = AccountKind(who.kind.value).name
    name = select(Community.name).where(Community.id == who.community_id).scalar_subquery()
    columns: Columns = {
        "accountId": lambda: _text(who.account_id),
        "displayName": lambda: _text(who.display_name),
        "kind": lambda: literal_column(f"'{kind}'"),
        "residentId": lambda: _text(who.resident_id),
        "householdId": lambda: _text(who.household_id),
        "deviceId": lambda: _text(who.device_id),
        "communityName": lambda: func.coalesce(name, literal_column("''")),
    }
    entries = b.fields(entry.node, "Viewer")
    pairs, rest = scalars(entries, "Viewer", columns)
    for item in rest:
        if item.name == "household":
            if who.household_id is None:
                pairs.append((item.key, null()))
                continue
            h = b.alias(Household)
            found = select(household(b, item.node, h)).where(
                h.c.id == who.household_id, adapt(households_visible(who), h)
            )
            pairs.append((item.key, one(found)))
        elif item.name == "posts":
            p = b.alias(GridPost)
            rows = (
                select()
                .select_from(p)
                .where(
                    p.c.community_id == who.community_id,
                    p.c.account_id == who.account_id,
                    p.c.deleted.is_(false()),
                )
            )
            value = post(b, item.node, p)
            pairs.append((item.key, many(value, [p.c.created_at, p.c.id], rows, p)))
        else:
            raise Declined
    return json_object(*ordered(pairs, entries))
