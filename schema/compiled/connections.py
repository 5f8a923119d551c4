"""Connections as SQL: a keyset page of rows, its edges, ``pageInfo`` and ``totalCount``.

The page is read as ``keyset_page`` reads it: the rows after the cursor in the list's order,
one more than asked to know whether another page follows. At the root it is a CTE (read
once, whatever the selection asks of it); under another object it is a correlated subquery.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    false,
    func,
    literal_column,
    or_,
    select,
    true,
)

from domain.errors import DomainError
from domain.json_sql import cursor_text, json_bool, json_object, json_value, uuid_text
from domain.models import Grid, Household
from domain.pagination import after_cursor
from domain.permissions import households_visible
from domain.services.households import ORDER as HOUSEHOLD_ORDER
from schema.compiled.build import Build, adapt
from schema.compiled.selection import Declined, Picked
from schema.pagination import page_size


@dataclass(frozen=True)
class Listing:
    """The rows a connection pages through, and how to write one of them."""

    typename: str  # "ResidentConnection"
    rows: Select[Any]  # FROM and WHERE, no columns yet
    order: Sequence[ColumnElement[Any]]
    cursor: Sequence[ColumnElement[Any]]  # the order's values as text, for the cursor
    node: Callable[[Any], ColumnElement[Any]]  # from the node's field node
    own: tuple[FromClause, ...]  # the tables of ``rows`` (everything else correlates)


def size_and_after(b: Build, parent: str, entry: Picked) -> tuple[int, str | None, dict[str, Any]]:
    arguments = b.arguments(parent, entry)
    try:
        size = page_size(arguments.get("first"), b.max_page_size)
    except DomainError as exc:
        raise Declined from exc
    return size, arguments.get("after"), arguments


def after_clause(order: Sequence[Any], after: str | None) -> ColumnElement[bool]:
    if after is None:
        return true()
    try:
        return after_cursor(order, after)
    except DomainError as exc:
        raise Declined from exc


def connection(
    b: Build, entry: Picked, listing: Listing, size: int, after: str | None, *, root: bool
) -> ColumnElement[Any]:
    """The connection's JSON for the selection of ``entry``."""
    entries = b.fields(entry.node, listing.typename)
    edge_type = listing.typename.removesuffix("Connection") + "Edge"
    wanted = _wanted(b, entries, edge_type)
    # The page's keys first, then its rows' JSON: SQLite computes a sorted query's columns
    # for every row before the sort, so JSON in the first query would be built for them all.
    keys = (
        listing.rows.add_columns(
            func.row_number().over(order_by=list(listing.order)).label("n"),
            *(table.c.id.label(f"k{i}") for i, table in enumerate(listing.own)),
        )
        .where(after_clause(listing.order, after))
        .order_by(*listing.order)
        .limit(size + 1)
    )
    keyed: Any = keys.cte() if root else keys.correlate_except(*listing.own).subquery()
    joined = keyed
    for i, table in enumerate(listing.own):
        joined = joined.join(table, table.c.id == keyed.c[f"k{i}"])
    columns: list[Any] = [keyed.c.n]
    if wanted.cursor:
        columns.append(cursor_text(*listing.cursor).label("cursor"))
    if wanted.node is not None:
        columns.append(listing.node(wanted.node).label("node"))
    rows = select(*columns).select_from(joined)
    page: Any = rows.cte() if root else rows.correlate_except(keyed, *listing.own).subquery()
    pairs: list[tuple[str, ColumnElement[Any]]] = []
    for item in entries:
        if item.name == "__typename":
            pairs.append((item.key, literal_column(f"'{listing.typename}'")))
        elif item.name == "edges":
            pairs.append((item.key, _edges(b, item, page, size, edge_type)))
        elif item.name == "pageInfo":
            pairs.append((item.key, _page_info(b, item, page, size, after)))
        elif item.name == "totalCount":
            count = listing.rows.add_columns(func.count()).correlate_except(*listing.own)
            pairs.append((item.key, count.scalar_subquery()))
        else:
            raise Declined
    return json_object(*pairs)


@dataclass(frozen=True)
class _Wanted:
    cursor: bool
    node: Any  # the field node of ``edges { node }``, if selected


def _wanted(b: Build, entries: list[Picked], edge_type: str) -> _Wanted:
    cursor, node = False, None
    for item in entries:
        if item.name == "edges":
            for part in b.fields(item.node, edge_type):
                cursor = cursor or part.name == "cursor"
                node = part.node if part.name == "node" else node
        elif item.name == "pageInfo":
            names = {part.name for part in b.fields(item.node, "PageInfo")}
            cursor = cursor or bool(names & {"startCursor", "endCursor"})
    return _Wanted(cursor, node)


def _edges(b: Build, entry: Picked, page: Any, size: int, edge_type: str) -> ColumnElement[Any]:
    from schema.compiled.objects import many

    pairs: list[tuple[str, ColumnElement[Any]]] = []
    for part in b.fields(entry.node, edge_type):
        if part.name == "__typename":
            pairs.append((part.key, literal_column(f"'{edge_type}'")))
        elif part.name == "cursor":
            pairs.append((part.key, page.c.cursor))
        elif part.name == "node":
            pairs.append((part.key, json_value(page.c.node)))
        else:
            raise Declined
    rows = select().select_from(page).where(page.c.n <= size)
    return many(json_object(*pairs), [page.c.n], rows, page)


def _page_info(
    b: Build, entry: Picked, page: Any, size: int, after: str | None
) -> ColumnElement[Any]:
    pairs: list[tuple[str, ColumnElement[Any]]] = []
    for part in b.fields(entry.node, "PageInfo"):
        if part.name == "__typename":
            value: Any = literal_column("'PageInfo'")
        elif part.name == "hasNextPage":
            more = select(func.count()).select_from(page).correlate_except(page)
            value = json_bool(more.scalar_subquery() > size)
        elif part.name == "hasPreviousPage":
            value = json_bool(true() if after is not None else false())
        elif part.name == "startCursor":
            first = select(page.c.cursor).where(page.c.n == 1, page.c.n <= size)  # first: 0
            value = first.correlate_except(page)
            value = value.scalar_subquery()
        elif part.name == "endCursor":
            last = select(page.c.cursor).where(page.c.n <= size).order_by(page.c.n.desc())
            value = last.limit(1).correlate_except(page).scalar_subquery()
        else:
            raise Declined
        pairs.append((part.key, value))
    return json_object(*pairs)


def grid_households(b: Build, entry: Picked, g: FromClause) -> ColumnElement[Any]:
    """``Grid.households``: as ``households_of_grids`` reads them (this node and below)."""
    from schema.compiled.objects import household

    size, after, _ = size_and_after(b, "Grid", entry)
    h = b.alias(Household)
    child = b.alias(Grid)
    children = (
        select(child.c.id)
        .where(child.c.parent_id == g.c.id, child.c.deleted.is_(false()))
        .correlate_except(child)
    )
    rows = (
        select()
        .select_from(h)
        .where(
            or_(h.c.grid_id == g.c.id, h.c.grid_id.in_(children)),
            adapt(households_visible(b.principal), h),
        )
    )
    listing = Listing(
        typename="HouseholdConnection",
        rows=rows,
        order=[h.c[column.key] for column in HOUSEHOLD_ORDER],
        cursor=[h.c.sort_key, uuid_of(h)],
        node=lambda node: household(b, node, h),
        own=(h,),
    )
    return connection(b, entry, listing, size, after, root=False)


def uuid_of(table: FromClause) -> ColumnElement[Any]:
    return uuid_text(table.c.id)
