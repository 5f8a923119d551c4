"""The floor of each read shape: the one SQL statement that writes the response's JSON.

Hand-written, not built from changlang's compiler (``domain.json_sql``), so that the floor
is what a person who knows the tables would write: one statement, the database builds the
JSON, nothing checked in Python. The permission an admin has (their community, no
tombstones) is in each statement; the masking of phones is written out as the mask the
server applies to a list (``domain.personal_data.mask_phone`` for eleven digits, which all the
generated phones have). The bare Starlette route and the floor run these same statements.

Statements are written once with ``:name`` parameters and a few dialect words (``_Words``):
PostgreSQL's ``json_build_object``/``json_agg``, SQLite's ``json_object``/
``json_group_array`` (SQLite 3.40 has no ``ORDER BY`` inside an aggregate, so every array
aggregates an ordered subquery; PostgreSQL keeps that order too, and the benchmark checks
every answer against changlang's before it times anything).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class _Words:
    dialect: str

    @property
    def pg(self) -> bool:
        return self.dialect == "postgresql"

    def obj(self, *pairs: tuple[str, str]) -> str:
        name = "json_build_object" if self.pg else "json_object"
        return f"{name}(" + ", ".join(f"'{k}', {v}" for k, v in pairs) + ")"

    def arr(self, expression: str, rest: str) -> str:
        """A JSON array of ``expression`` over ``FROM ...`` ``rest`` (with its order)."""
        if self.pg:
            inner = f"(SELECT {expression} AS x {rest}) s"
            return f"(SELECT coalesce(json_agg(s.x), '[]'::json) FROM {inner})"
        return (
            f"json((SELECT json_group_array(json(s.x)) FROM (SELECT {expression} AS x {rest}) s))"
        )

    def sub(self, select: str) -> str:
        """A scalar subquery whose value is JSON (SQLite forgets that it is)."""
        return f"({select})" if self.pg else f"json(({select}))"

    def js(self, expression: str) -> str:
        """A column that holds JSON text (a step of a ``WITH``) used as JSON."""
        return expression if self.pg else f"json({expression})"

    def boolean(self, condition: str) -> str:
        return (
            f"({condition})"
            if self.pg
            else f"CASE WHEN {condition} THEN json('true') ELSE json('false') END"
        )

    def uid(self, column: str) -> str:
        if self.pg:
            return f"{column}::text"
        return (
            f"lower(substr({column}, 1, 8) || '-' || substr({column}, 9, 4) || '-' ||"
            f" substr({column}, 13, 4) || '-' || substr({column}, 17, 4) || '-' ||"
            f" substr({column}, 21))"
        )

    def false(self) -> str:
        return "false" if self.pg else "0"

    def cursor(self, *values: str) -> str:
        """``domain.pagination.encode_cursor``: the hex of the key's JSON, upper case."""
        quote = "to_json({})::text" if self.pg else "json_quote({})"
        raw = "'[' || " + " || ',' || ".join(quote.format(v) for v in values) + " || ']'"
        return f"upper(encode(convert_to({raw}, 'UTF8'), 'hex'))" if self.pg else f"hex({raw})"

    def mask(self, phone: str) -> str:
        return f"substr({phone}, 1, 3) || '****' || substr({phone}, 8, 4)"


def one(w: _Words) -> str:
    node = w.obj(
        ("id", w.uid("r.id")),
        ("name", "r.name"),
        ("phone", w.obj(("value", w.mask("r.phone")))),
        (
            "household",
            w.obj(
                ("building", "h.building"),
                ("unit", "h.unit"),
                ("room", w.obj(("value", "h.room"))),
            ),
        ),
    )
    return (
        f"SELECT {w.obj(('data', w.obj(('resident', node))))}"
        " FROM resident r JOIN household h ON h.id = r.household_id"
        f" WHERE r.id = :id AND r.community_id = :community AND r.deleted = {w.false()}"
    )


def page(w: _Words) -> str:
    """``residents(first: n)`` in register order (address, then name, then id)."""
    f = w.false()
    node = w.obj(
        ("id", w.uid("p.id")),
        ("name", "p.name"),
        ("phone", w.obj(("value", w.mask("p.phone")), ("hiddenReason", "NULL"))),
        (
            "household",
            w.obj(
                ("building", "p.building"),
                ("unit", "p.unit"),
                ("room", w.obj(("value", "p.room"))),
                ("grid", w.obj(("name", "p.grid"))),
            ),
        ),
    )
    keys = (
        "SELECT r.id, h.sort_key, r.name FROM resident r JOIN household h ON h.id = r.household_id"
        f" WHERE r.community_id = :community AND r.deleted = {f}"
        f" AND h.community_id = :community AND h.deleted = {f}"
        " ORDER BY h.sort_key, r.name, r.id LIMIT :n + 1"
    )
    rows = (
        "SELECT r.id, r.name, r.phone, h.building, h.unit, h.room, g.name AS grid,"
        f" {w.cursor('q.sort_key', 'q.name', w.uid('q.id'))} AS cursor,"
        " row_number() OVER (ORDER BY q.sort_key, q.name, q.id) AS k"
        " FROM keys q JOIN resident r ON r.id = q.id JOIN household h ON h.id = r.household_id"
        " JOIN grid g ON g.id = h.grid_id"
    )
    edges = w.arr(
        w.obj(("cursor", "p.cursor"), ("node", node)), "FROM page p WHERE p.k <= :n ORDER BY p.k"
    )
    info = w.obj(
        ("hasNextPage", w.boolean("(SELECT count(*) FROM page) > :n")),
        (
            "endCursor",
            "(SELECT cursor FROM page WHERE k = (SELECT min(:n, count(*)) FROM page))"
            if not w.pg
            else "(SELECT cursor FROM page WHERE k = (SELECT least(:n, count(*)) FROM page))",
        ),
    )
    body = w.obj(("data", w.obj(("residents", w.obj(("edges", edges), ("pageInfo", info))))))
    return f"WITH keys AS ({keys}), page AS ({rows}) SELECT {body}"


def tree(w: _Words) -> str:
    """``grids``: top grids, then each grid's micro-grids; under each node its children,
    each child's first 10 households by address, and each household's residents by name.
    Built in steps (``WITH ... AS MATERIALIZED``, each computed once: inlined, PostgreSQL ran
    the households' step again for every grid node); SQLite's parser refuses it nested."""
    f = w.false()
    first_ten = (
        f"SELECT x.* FROM household x WHERE x.grid_id = c.id AND x.deleted = {f}"
        " ORDER BY x.sort_key, x.id LIMIT 10"
    )
    top = (
        "SELECT c.id AS grid_id, h.id, h.sort_key, h.building FROM grid c"
        f" CROSS JOIN LATERAL ({first_ten}) h"
        if w.pg
        else "SELECT c.id AS grid_id, h.id, h.sort_key, h.building FROM grid c JOIN household h"
        f" ON h.id IN (SELECT x.id FROM ({first_ten}) x)"
    )
    top += f" WHERE c.community_id = :community AND c.deleted = {f}"
    residents = w.arr(
        w.obj(("name", "r.name")),
        f"FROM resident r WHERE r.household_id = t.id AND r.deleted = {f} ORDER BY r.name, r.id",
    )
    household = w.obj(("node", w.obj(("building", "t.building"), ("residents", residents))))
    edges = w.arr(w.js("hj.j"), "FROM hj WHERE hj.grid_id = c.id ORDER BY hj.sort_key, hj.id")
    child = w.obj(("name", "c.name"), ("households", w.obj(("edges", edges))))
    children = w.arr(w.js("cj.j"), "FROM cj WHERE cj.parent_id = g.id ORDER BY cj.sort_key, cj.id")
    nodes = w.arr(
        w.obj(("name", "g.name"), ("children", children)),
        "FROM grid g LEFT JOIN grid p ON p.id = g.parent_id"
        f" WHERE g.community_id = :community AND g.deleted = {f}"
        " ORDER BY g.parent_id IS NOT NULL, coalesce(p.sort_key, g.sort_key),"
        " coalesce(p.id, g.id), g.sort_key, g.id",
    )
    return (
        f"WITH t AS MATERIALIZED ({top}),"
        f" hj AS MATERIALIZED (SELECT t.grid_id, t.sort_key, t.id, {household} AS j FROM t),"
        f" cj AS MATERIALIZED (SELECT c.id, c.parent_id, c.sort_key, {child} AS j FROM grid c"
        f" WHERE c.community_id = :community AND c.deleted = {f} AND c.parent_id IS NOT NULL)"
        f" SELECT {w.obj(('data', w.obj(('grids', nodes))))}"
    )


def ledger(w: _Words) -> str:
    """台账's first page, as ``domain.services.ledger`` reads it (admin: the community)."""
    follow_up = "('deliberated', 'in_progress', 'reported')"
    overdue = f"(z.deadline IS NOT NULL AND z.deadline < :today AND z.status IN {follow_up})"
    rating = "round(CAST(z.average AS numeric), 2)" if w.pg else "round(z.average, 2)"
    node = w.obj(
        ("proposalId", w.uid("z.id")),
        ("title", "z.title"),
        ("status", "upper(z.status)"),
        ("category", "upper(z.category)"),
        ("submittedOn", "z.submitted_on"),
        ("gridName", "z.grid_name"),
        ("contactName", "z.contact_name"),
        ("deadline", "z.deadline"),
        ("overdue", w.boolean(overdue)),
        ("averageRating", rating),
        ("supportCount", "z.supports"),
    )
    keys = (
        "SELECT p.id FROM proposal p"
        f" WHERE p.community_id = :community AND p.deleted = {w.false()}"
        " ORDER BY p.submitted_on, p.id LIMIT :n + 1"
    )
    rows = (
        "SELECT p.id, p.title, p.status, p.category, p.submitted_on, g.name AS grid_name,"
        " res.contact_name, res.deadline, rw.average,"
        " (SELECT count(*) FROM proposal_support s WHERE s.proposal_id = p.id) AS supports,"
        f" {w.cursor('p.submitted_on', w.uid('p.id'))} AS cursor,"
        " row_number() OVER (ORDER BY p.submitted_on, p.id) AS k"
        " FROM keys q JOIN proposal p ON p.id = q.id LEFT JOIN grid g ON g.id = p.grid_id"
        " LEFT JOIN resolution res ON res.proposal_id = p.id"
        " LEFT JOIN rating_window rw ON rw.proposal_id = p.id AND rw.close_round = p.close_round"
    )
    edges = w.arr(
        w.obj(("cursor", "z.cursor"), ("node", node)), "FROM page z WHERE z.k <= :n ORDER BY z.k"
    )
    least = "least" if w.pg else "min"
    info = w.obj(
        ("hasNextPage", w.boolean("(SELECT count(*) FROM page) > :n")),
        (
            "endCursor",
            f"(SELECT cursor FROM page WHERE k = (SELECT {least}(:n, count(*)) FROM page))",
        ),
    )
    body = w.obj(("data", w.obj(("ledger", w.obj(("edges", edges), ("pageInfo", info))))))
    return f"WITH keys AS ({keys}), page AS ({rows}) SELECT {body}"


def tally(w: _Words) -> str:
    """An open, public vote's live tally (simple majority): counts, turnout, quorum."""
    size = "v.electorate_size"
    turnout = (
        f"round(CAST(c.ballots AS numeric) / {size}, 4)"
        if w.pg
        else f"round(CAST(c.ballots AS REAL) / {size}, 4)"
    )
    quorum = f"(c.ballots >= v.quorum_ballots AND c.ballots * 100 >= v.quorum_percent * {size})"
    tally = w.obj(
        ("ballots", "c.ballots"),
        ("electorateSize", size),
        ("turnout", turnout),
        ("quorumMet", w.boolean(quorum)),
        ("for", "c.yes"),
        ("against", "c.no"),
        ("abstain", "c.abstain"),
        ("passed", w.boolean(f"{quorum} AND c.yes > c.no")),
        ("countsHidden", w.boolean("1 = 0")),
    )
    vote = w.obj(("id", w.uid("v.id")), ("status", "'OPEN'"), ("tally", tally))
    return (
        f"SELECT {w.obj(('data', w.obj(('vote', vote))))} FROM vote v,"
        " (SELECT count(*) AS ballots, sum(CASE WHEN choice = 'for' THEN 1 ELSE 0 END) AS yes,"
        " sum(CASE WHEN choice = 'against' THEN 1 ELSE 0 END) AS no,"
        " sum(CASE WHEN choice = 'abstain' THEN 1 ELSE 0 END) AS abstain"
        f" FROM ballot WHERE vote_id = :vote AND superseded = {w.false()}) c"
        " WHERE v.id = :vote AND v.community_id = :community"
    )


FLOORS = {
    "one": one,
    "page20": page,
    "page500": page,
    "tree": tree,
    "ledger": ledger,
    "tally": tally,
}


def statement(shape: str, dialect: str) -> str:
    """The floor's SQL for ``shape`` with the driver's own placeholders (``:name`` for
    sqlite3, ``%(name)s`` for psycopg)."""
    sql = FLOORS[shape](_Words(dialect))
    if dialect == "postgresql":
        sql = re.sub(r"(?<!:):(\w+)", r"%(\1)s", sql.replace("%", "%%"))
    return sql
