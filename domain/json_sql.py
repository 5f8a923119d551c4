"""JSON built by the database, the same document on SQLite and PostgreSQL.

The compiled read path (``schema.compiled``) turns a whole GraphQL selection into one
statement whose single value is the response's JSON. Each construct here is one SQL element
compiled per dialect (as ``domain.dialect`` does), so a statement is written once and either
engine renders it:

* objects: PostgreSQL ``json_build_object``, SQLite ``json_object``; arrays of rows through
  ``json_agg`` (in the rows' order) or ``json_group_array`` over an ordered subquery (SQLite
  3.40 has no ``ORDER BY`` inside an aggregate; it feeds a subquery's rows in order);
* a JSON value taken from a subquery: SQLite forgets that a value is JSON once it leaves the
  function that made it, so it is re-read with ``json(...)``, which PostgreSQL's ``json``
  type does not need;
* scalars written as the GraphQL scalars serialise them: ``true``/``false`` (SQLite keeps
  booleans as 0 and 1), UUIDs with dashes (SQLite keeps 32 hex digits), date-times as
  Python's ``isoformat()`` of an aware UTC value (no fraction when it is zero), enum names;
* a page cursor as ``domain.pagination.encode_cursor`` writes it.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, String, Text, case, literal_column, null
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


def _args(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> list[str]:
    return [compiler.process(clause, **kw) for clause in element.clauses]


class json_object(FunctionElement[Any]):
    """``{"key": value, …}`` in the given order (keys are GraphQL names: never quoted out)."""

    type = Text()
    inherit_cache = True
    name = "json_object"

    def __init__(self, *pairs: tuple[str, ColumnElement[Any]]) -> None:
        clauses: list[Any] = []
        for key, value in pairs:
            if not key.replace("_", "a").isalnum():
                raise ValueError(f"not a GraphQL name: {key!r}")
            clauses += [literal_column(f"'{key}'"), value]
        super().__init__(*clauses)


@compiles(json_object, "postgresql")
def _object_pg(element: json_object, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_build_object({', '.join(_args(element, compiler, **kw))})"


@compiles(json_object, "sqlite")
def _object_sqlite(element: json_object, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_object({', '.join(_args(element, compiler, **kw))})"


class json_value(FunctionElement[Any]):
    """A JSON document produced elsewhere (a subquery, a JSON column), embedded as JSON."""

    type = Text()
    inherit_cache = True
    name = "json_value"


@compiles(json_value, "postgresql")
def _value_pg(element: json_value, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({_args(element, compiler, **kw)[0]} AS JSON)"


@compiles(json_value, "sqlite")
def _value_sqlite(element: json_value, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json({_args(element, compiler, **kw)[0]})"


class json_rows(FunctionElement[Any]):
    """The aggregate ``[row, …]`` of a subquery's ``value`` column, ``[]`` when empty.

    PostgreSQL orders by the given columns inside ``json_agg``; SQLite relies on the
    subquery's own ``ORDER BY``, which the caller must give.
    """

    type = Text()
    inherit_cache = True
    name = "json_rows"


@compiles(json_rows, "postgresql")
def _rows_pg(element: json_rows, compiler: SQLCompiler, **kw: Any) -> str:
    value, *order = _args(element, compiler, **kw)
    by = f" ORDER BY {', '.join(order)}" if order else ""
    return f"coalesce(json_agg({value}{by}), CAST('[]' AS JSON))"


@compiles(json_rows, "sqlite")
def _rows_sqlite(element: json_rows, compiler: SQLCompiler, **kw: Any) -> str:
    value = _args(element, compiler, **kw)[0]
    return f"json_group_array(json({value}))"


class json_bool(FunctionElement[Any]):
    """A boolean (or NULL) as JSON ``true``/``false``/``null``."""

    type = Text()
    inherit_cache = True
    name = "json_bool"


@compiles(json_bool, "postgresql")
def _bool_pg(element: json_bool, compiler: SQLCompiler, **kw: Any) -> str:
    return f"to_json(CAST({_args(element, compiler, **kw)[0]} AS BOOLEAN))"


@compiles(json_bool, "sqlite")
def _bool_sqlite(element: json_bool, compiler: SQLCompiler, **kw: Any) -> str:
    value = _args(element, compiler, **kw)[0]
    return (
        f"(CASE WHEN ({value}) IS NULL THEN NULL WHEN ({value}) THEN json('true') "
        "ELSE json('false') END)"
    )


class uuid_text(FunctionElement[Any]):
    """A UUID column as ``str(uuid.UUID)``: 8-4-4-4-12 lower-case hex digits."""

    type = String()
    inherit_cache = True
    name = "uuid_text"


@compiles(uuid_text, "postgresql")
def _uuid_pg(element: uuid_text, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({_args(element, compiler, **kw)[0]} AS TEXT)"


@compiles(uuid_text, "sqlite")
def _uuid_sqlite(element: uuid_text, compiler: SQLCompiler, **kw: Any) -> str:
    v = f"lower({_args(element, compiler, **kw)[0]})"
    spans = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))
    return " || '-' || ".join(f"substr({v}, {start}, {length})" for start, length in spans)


class masked_phone(FunctionElement[Any]):
    """``domain.personal_data.mask_phone`` of a phone column (NULL and empty as NULL):
    138****8888 for eleven digits, else all but the last four and ****."""

    type = String()
    inherit_cache = True
    name = "masked_phone"


def _masked(value: str, digits_only: str) -> str:
    return (
        f"(CASE WHEN {value} IS NULL OR {value} = '' THEN NULL"
        f" WHEN length({value}) = 11 AND {digits_only}"
        f" THEN substr({value}, 1, 3) || '****' || substr({value}, 8, 4)"
        f" WHEN length({value}) > 4 THEN substr({value}, 1, length({value}) - 4) || '****'"
        " ELSE '****' END)"
    )


@compiles(masked_phone, "postgresql")
def _masked_pg(element: masked_phone, compiler: SQLCompiler, **kw: Any) -> str:
    value = _args(element, compiler, **kw)[0]
    return _masked(value, f"{value} ~ '^[0-9]+$'")


@compiles(masked_phone, "sqlite")
def _masked_sqlite(element: masked_phone, compiler: SQLCompiler, **kw: Any) -> str:
    value = _args(element, compiler, **kw)[0]
    return _masked(value, f"{value} NOT GLOB '*[^0-9]*'")


class iso_timestamp(FunctionElement[Any]):
    """An aware UTC date-time as ``datetime.isoformat()``: ``2026-12-02T10:00:00.5+…`` is
    never written; the fraction has six digits, or is left out when it is zero."""

    type = String()
    inherit_cache = True
    name = "iso_timestamp"


@compiles(iso_timestamp, "postgresql")
def _timestamp_pg(element: iso_timestamp, compiler: SQLCompiler, **kw: Any) -> str:
    utc = f"(({_args(element, compiler, **kw)[0]}) AT TIME ZONE 'UTC')"
    return (
        f"(to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN to_char({utc}, 'US') = "
        f"'000000' THEN '' ELSE '.' || to_char({utc}, 'US') END || '+00:00')"
    )


@compiles(iso_timestamp, "sqlite")
def _timestamp_sqlite(element: iso_timestamp, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLAlchemy stores 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC, see domain.models.base.UTCDateTime)
    v = _args(element, compiler, **kw)[0]
    fraction = f"substr({v}, 21, 6)"
    return (
        f"(CASE WHEN {v} IS NULL THEN NULL ELSE substr({v}, 1, 10) || 'T' || substr({v}, 12, 8)"
        f" || CASE WHEN {fraction} IN ('', '000000') THEN '' ELSE '.' || {fraction} END"
        f" || '+00:00' END)"
    )


class year_of(FunctionElement[Any]):
    """The year of a ``DATE`` column, as an integer."""

    inherit_cache = True
    name = "year_of"


@compiles(year_of, "postgresql")
def _year_pg(element: year_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(EXTRACT(YEAR FROM {_args(element, compiler, **kw)[0]}) AS INTEGER)"


@compiles(year_of, "sqlite")
def _year_sqlite(element: year_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(substr({_args(element, compiler, **kw)[0]}, 1, 4) AS INTEGER)"


class cursor_text(FunctionElement[Any]):
    """``encode_cursor`` of the given text values: the hex digits of ``["a","b"]``.

    Values are escaped as JSON escapes them; they never hold control characters (names,
    natural keys and UUIDs are checked for them when written).
    """

    type = String()
    inherit_cache = True
    name = "cursor_text"


def _json_text(value: str) -> str:
    return f"replace(replace({value}, '\\', '\\\\'), '\"', '\\\"')"


@compiles(cursor_text, "postgresql")
def _cursor_pg(element: cursor_text, compiler: SQLCompiler, **kw: Any) -> str:
    parts = " || '\",\"' || ".join(_json_text(v) for v in _args(element, compiler, **kw))
    return f"upper(encode(convert_to('[\"' || {parts} || '\"]', 'UTF8'), 'hex'))"


@compiles(cursor_text, "sqlite")
def _cursor_sqlite(element: cursor_text, compiler: SQLCompiler, **kw: Any) -> str:
    parts = " || '\",\"' || ".join(_json_text(v) for v in _args(element, compiler, **kw))
    return f"hex('[\"' || {parts} || '\"]')"


def enum_name(column: ColumnElement[Any], enum: type[Enum]) -> ColumnElement[Any]:
    """The GraphQL name of the member whose value the column stores (NULL stays NULL)."""
    return case(
        *((column == member.value, literal_column(f"'{member.name}'")) for member in enum),
        else_=null(),
    )


def as_text(document: ColumnElement[Any]) -> ColumnElement[Any]:
    """The document as text, which the server forwards (psycopg would parse ``json``)."""
    return document.cast(Text)
