"""The registry's object types as SQL: each selected field a JSON value, in selection order.

Each function mirrors one strawberry type of ``schema.types`` and the loader behind each of
its nested fields (``schema.loaders``): the same rows, the same order, the same permission
and masking predicates. Nested objects and lists are correlated subqueries, so the whole
tree stays one statement however many rows it returns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, FromClause, case, false, literal_column, null, select

from domain import models
from domain.json_sql import (
    enum_name,
    iso_timestamp,
    json_bool,
    json_object,
    json_rows,
    json_value,
    masked_phone,
    uuid_text,
    year_of,
)
from domain.models import Account, Grid, GridPost, Household, Resident
from domain.permissions import (
    PII_HIDDEN_REASON,
    household_pii_visible,
    households_visible,
    resident_pii_visible,
    residents_visible,
)
from schema.compiled.build import Build, adapt
from schema.compiled.selection import Declined, Picked
from schema.types.grid import AccountKind

Pairs = list[tuple[str, ColumnElement[Any]]]
Columns = Mapping[str, Callable[[], ColumnElement[Any]]]


def _typename(name: str) -> ColumnElement[Any]:
    return literal_column(f"'{name}'")


def scalars(entries: list[Picked], typename: str, columns: Columns) -> tuple[Pairs, list[Picked]]:
    """The scalar entries as pairs, and the entries left for the caller (objects, lists)."""
    pairs: Pairs = []
    rest: list[Picked] = []
    for entry in entries:
        if entry.name == "__typename":
            pairs.append((entry.key, _typename(typename)))
        elif entry.name in columns:
            if entry.node.selection_set is not None or entry.node.arguments:
                raise Declined
            pairs.append((entry.key, columns[entry.name]()))
        else:
            rest.append(entry)
    return pairs, rest


def ordered(pairs: Pairs, entries: list[Picked]) -> Pairs:
    place = {entry.key: n for n, entry in enumerate(entries)}
    return sorted(pairs, key=lambda pair: place[pair[0]])


def one(statement: Any) -> ColumnElement[Any]:
    return json_value(statement.scalar_subquery())


def many(
    value: ColumnElement[Any], order: list[ColumnElement[Any]], statement: Any, *own: FromClause
) -> ColumnElement[Any]:
    """``[value, …]`` of the rows of ``statement`` in ``order``: correlated to the outer
    query on everything but its own tables."""
    labelled = [column.label(f"o{n}") for n, column in enumerate(order)]
    rows = (
        statement.add_columns(value.label("value"), *labelled)
        .order_by(*order)
        .correlate_except(*own)
        .subquery()
    )
    return json_value(
        select(json_rows(rows.c.value, *(rows.c[f"o{n}"] for n in range(len(order)))))
        .select_from(rows)
        .scalar_subquery()
    )


def protected(
    b: Build, entry: Picked, value: ColumnElement[Any], visible: ColumnElement[bool]
) -> ColumnElement[Any]:
    """``Protected``: the value where visible, else null with the reason."""
    columns = {
        "value": lambda: case((visible, value), else_=null()),
        "hiddenReason": lambda: case((visible, null()), else_=_typename(PII_HIDDEN_REASON)),
    }
    entries = b.fields(entry.node, "Protected")
    pairs, rest = scalars(entries, "Protected", columns)
    if rest:
        raise Declined
    return json_object(*pairs)


def _when(visible: ColumnElement[bool], value: ColumnElement[Any]) -> ColumnElement[Any]:
    return case((visible, value), else_=null())


def resident(b: Build, node: Any, r: FromClause, h: FromClause) -> ColumnElement[Any]:
    """``Resident`` of the row ``r`` living in ``h`` (already joined and visible)."""
    pii = adapt(resident_pii_visible(b.principal), r, h)
    columns: Columns = {
        "id": lambda: uuid_text(r.c.id),
        "name": lambda: r.c.name,
        "householdId": lambda: uuid_text(r.c.household_id),
        "birthYear": lambda: _when(pii, year_of(r.c.birth_date)),
        "tags": lambda: _when(pii, json_value(r.c.tags)),
        "partyMember": lambda: json_bool(_when(pii, r.c.party_member)),
        "politicalStatus": lambda: _when(pii, r.c.political_status),
        "gender": lambda: _when(pii, enum_name(r.c.gender, models.Gender)),
        "relationToHead": lambda: _when(pii, enum_name(r.c.relation_to_head, models.Relation)),
        "updatedAt": lambda: iso_timestamp(r.c.updated_at),
    }
    entries = b.fields(node, "Resident", "ResidentResult")
    pairs, rest = scalars(entries, "Resident", columns)
    for entry in rest:
        if entry.name == "phone":
            pairs.append((entry.key, protected(b, entry, masked_phone(r.c.phone), pii)))
        elif entry.name == "idNumber":
            pairs.append((entry.key, protected(b, entry, r.c.id_number_masked, pii)))
        elif entry.name == "household":
            h2 = b.alias(Household)
            found = select(household(b, entry.node, h2)).where(
                h2.c.id == r.c.household_id, adapt(households_visible(b.principal), h2)
            )
            pairs.append((entry.key, one(found)))
        else:
            raise Declined
    return json_object(*ordered(pairs, entries))


def household(b: Build, node: Any, h: FromClause) -> ColumnElement[Any]:
    """``Household`` of the (visible) row ``h``."""
    columns: Columns = {
        "id": lambda: uuid_text(h.c.id),
        "building": lambda: h.c.building,
        "unit": lambda: h.c.unit,
        "gridId": lambda: uuid_text(h.c.grid_id),
        "contactPostId": lambda: uuid_text(h.c.contact_post_id),
        "updatedAt": lambda: iso_timestamp(h.c.updated_at),
    }
    entries = b.fields(node, "Household", "HouseholdResult")
    pairs, rest = scalars(entries, "Household", columns)
    for entry in rest:
        if entry.name == "room":
            visible = adapt(household_pii_visible(b.principal), h)
            pairs.append((entry.key, protected(b, entry, h.c.room, visible)))
        elif entry.name == "grid":
            g = b.alias(Grid)
            found = select(grid(b, entry.node, g)).where(
                g.c.id == h.c.grid_id, g.c.community_id == b.principal.community_id
            )
            pairs.append((entry.key, one(found)))
        elif entry.name == "contact":
            p = b.alias(GridPost)
            found = select(post(b, entry.node, p)).where(
                p.c.id == h.c.contact_post_id, p.c.community_id == b.principal.community_id
            )
            pairs.append((entry.key, one(found)))
        elif entry.name == "residents":
            pairs.append((entry.key, residents_of(b, entry, h)))
        else:
            raise Declined
    return json_object(*ordered(pairs, entries))


def residents_of(b: Build, entry: Picked, h: FromClause) -> ColumnElement[Any]:
    """``Household.residents``: as ``residents_of_households`` reads them, by name."""
    r2, h2 = b.alias(Resident), b.alias(Household)
    rows = (
        select()
        .select_from(r2.join(h2, h2.c.id == r2.c.household_id))
        .where(r2.c.household_id == h.c.id, adapt(residents_visible(b.principal), r2, h2))
    )
    value = resident(b, entry.node, r2, h2)
    return many(value, [r2.c.name, r2.c.id], rows, r2, h2)


def grid(b: Build, node: Any, g: FromClause) -> ColumnElement[Any]:
    """``Grid`` of the row ``g``."""
    from schema.compiled.connections import grid_households

    columns: Columns = {
        "id": lambda: uuid_text(g.c.id),
        "name": lambda: g.c.name,
        "level": lambda: enum_name(g.c.level, models.GridLevel),
        "parentId": lambda: uuid_text(g.c.parent_id),
        "updatedAt": lambda: iso_timestamp(g.c.updated_at),
        "sortOrder": lambda: g.c.sort_order,
    }
    entries = b.fields(node, "Grid", "GridResult")
    pairs, rest = scalars(entries, "Grid", columns)
    for entry in rest:
        if entry.name == "parent":
            parent = b.alias(Grid)
            found = select(grid(b, entry.node, parent)).where(
                parent.c.id == g.c.parent_id, parent.c.community_id == b.principal.community_id
            )
            pairs.append((entry.key, one(found)))
        elif entry.name == "children":
            child = b.alias(Grid)
            rows = (
                select()
                .select_from(child)
                .where(
                    child.c.parent_id == g.c.id,
                    child.c.community_id == b.principal.community_id,
                    child.c.deleted.is_(false()),
                )
            )
            value = grid(b, entry.node, child)
            pairs.append((entry.key, many(value, [child.c.sort_key, child.c.id], rows, child)))
        elif entry.name == "households":
            pairs.append((entry.key, grid_households(b, entry, g)))
        else:
            raise Declined
    return json_object(*ordered(pairs, entries))


def post(b: Build, node: Any, p: FromClause) -> ColumnElement[Any]:
    """``GridPost`` of the row ``p``."""
    columns: Columns = {
        "id": lambda: uuid_text(p.c.id),
        "role": lambda: enum_name(p.c.role, models.PostRole),
        "gridId": lambda: uuid_text(p.c.grid_id),
        "accountId": lambda: uuid_text(p.c.account_id),
    }
    entries = b.fields(node, "GridPost")
    pairs, rest = scalars(entries, "GridPost", columns)
    for entry in rest:
        if entry.name == "grid":
            g = b.alias(Grid)
            found = select(grid(b, entry.node, g)).where(
                g.c.id == p.c.grid_id, g.c.community_id == b.principal.community_id
            )
            pairs.append((entry.key, one(found)))
        elif entry.name == "account":
            a = b.alias(Account)
            found = select(account(b, entry.node, a)).where(
                a.c.id == p.c.account_id, a.c.community_id == b.principal.community_id
            )
            pairs.append((entry.key, one(found)))
        else:
            raise Declined
    return json_object(*ordered(pairs, entries))


def account(b: Build, node: Any, a: FromClause) -> ColumnElement[Any]:
    columns: Columns = {
        "id": lambda: uuid_text(a.c.id),
        "displayName": lambda: a.c.display_name,
        "kind": lambda: enum_name(a.c.kind, AccountKind),
    }
    pairs, rest = scalars(b.fields(node, "Account"), "Account", columns)
    if rest:
        raise Declined
    return json_object(*pairs)
