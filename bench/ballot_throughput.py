"""Ballots per second through ``castBallot`` at N concurrent clients, beside the INSERT floor.

    python bench/ballot_throughput.py --db sqlite|postgresql|both [--runs 5] [--clients 16,64]

The endpoint is the real ASGI app (``api.app.create_app`` with its lifespan, so PostgreSQL
publishes each cast's tally event with ``NOTIFY`` as a served app does), driven in-process
through ``httpx.ASGITransport``: N client tasks, each casting one distinct voter's ballot
after another with the tests' ``castBallot`` document and that voter's own token, on a
secret vote of the adult residents of the whole community (several thousand voters).

The floor, in the same run and interleaved: the same rows written with SQLAlchemy Core on the
app's write engine, N tasks, one transaction per ballot under the lock the service takes
(``SELECT ... FOR UPDATE`` of the vote row; on SQLite the process's queue of writers and
``BEGIN IMMEDIATE``, through ``Database.write_connection``): the lock, the
read of the log's last link (the new link's hash and number depend on it), then ``INSERT``
of the voter record, the ballot and the log entry, the receipt and hashes computed as the
service computes them. No eligibility, no token, no GraphQL: the least a server could do.

Each vote (one cast through the endpoint, one written by the floor) is audited afterwards
in the database: every voter told "counted" has exactly their record with the receipt they
were given, and there is no record, ballot or log entry beyond one per such voter.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import uuid
from collections.abc import Awaitable, Callable, Iterator
from functools import partial
from typing import Any

import httpx
import orjson
from _ballot_world import (
    Outcome,
    Voter,
    audit,
    eligible_residents,
    open_secret_vote,
    sign_in,
)
from _harness import (
    DIALECTS,
    Servers,
    fresh_database,
    load_residents,
    median,
    table,
    timed,
    world_in,
)
from sqlalchemy import insert, select

from api.app import create_app
from domain import ballot_log
from domain.database import Database
from domain.models import Ballot, BallotLogEntry, Channel, Choice, Vote, VoterRecord
from domain.services.ballot_keys import (
    change_key_of,
    new_commitment_salt,
    new_voter_secret,
    receipt_of,
)
from tests.api_client import Api, test_settings
from tests.votes.helpers import CAST

CHOICES = ("FOR", "AGAINST", "ABSTAIN")
WARM_UP = 32


async def _clients(
    count: int, voters: Iterator[Voter], cast: Callable[[Voter], Awaitable[None]]
) -> None:
    async def client() -> None:
        for voter in voters:  # one shared iterator: each voter is taken once
            await cast(voter)

    await asyncio.gather(*(client() for _ in range(count)))


def endpoint_caster(
    http: httpx.AsyncClient, vote_id: uuid.UUID, outcome: Outcome
) -> Callable[[Voter], Awaitable[None]]:
    choices = itertools.cycle(CHOICES)

    async def cast(voter: Voter) -> None:
        body = {"query": CAST, "variables": {"v": str(vote_id), "c": next(choices), "t": None}}
        response = await http.post(
            "/graphql",
            content=orjson.dumps(body),
            headers={"Authorization": f"Bearer {voter.token}", "Content-Type": "application/json"},
        )
        answer = orjson.loads(response.content)["data"]["castBallot"]
        if answer["__typename"] == "BallotReceipt":
            outcome.receipts[voter.key] = answer["receipt"]
        else:
            outcome.refused += 1

    return cast


def floor_caster(
    db: Database, vote_id: uuid.UUID, community: uuid.UUID, outcome: Outcome
) -> Callable[[Voter], Awaitable[None]]:
    vote, log = Vote.__table__.c, BallotLogEntry.__table__.c
    choices = itertools.cycle(Choice)
    # the service's way to a write transaction, writers' queue included (older trees: none)
    writing = getattr(db, "write_connection", db.write_engine.begin)

    async def cast(voter: Voter) -> None:
        secret = new_voter_secret()
        receipt = receipt_of(secret)
        async with writing() as connection:
            await connection.execute(select(vote.id).where(vote.id == vote_id).with_for_update())
            head = (
                await connection.execute(
                    select(log.seq, log.entry_hash)
                    .where(log.vote_id == vote_id)
                    .order_by(log.seq.desc())
                    .limit(1)
                )
            ).one()
            link = ballot_log.next_link(
                ballot_log.LogLink(head.seq, "", "", "", head.entry_hash),
                "cast",
                {"receipt": receipt},
            )
            common = {"community_id": community, "vote_id": vote_id}
            await connection.execute(
                insert(VoterRecord.__table__).values(
                    **common,
                    id=uuid.uuid4(),
                    voter_key=voter.key,
                    account_id=voter.account_id,
                    channel=Channel.WEB,
                    receipt=receipt,
                    commitment_salt=new_commitment_salt(),
                )
            )
            await connection.execute(
                insert(Ballot.__table__).values(
                    **common,
                    id=uuid.uuid4(),
                    choice=next(choices),
                    change_key_hash=change_key_of(secret),
                    superseded=False,
                )
            )
            await connection.execute(
                insert(BallotLogEntry.__table__).values(
                    **common,
                    id=uuid.uuid4(),
                    seq=link.seq,
                    kind=link.kind,
                    payload=link.payload,
                    prev_hash=link.prev_hash,
                    entry_hash=link.entry_hash,
                )
            )
        outcome.receipts[voter.key] = receipt

    return cast


async def bench(
    servers: Servers, dialect: str, runs: int, levels: list[int], ballots: int, residents: int
) -> list[dict[str, Any]]:
    async with fresh_database(servers, dialect, f"bench_ballots_{dialect[:2]}") as db:
        world = await world_in(db)
        await load_residents(db, world, residents, per_household=3, run=1)
        settings = test_settings(access_token_seconds=24 * 3600)
        app = create_app(settings, db=db)
        async with contextlib.AsyncExitStack() as stack:
            await stack.enter_async_context(app.router.lifespan_context(app))
            http = await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench")
            )
            api = Api(http)
            admin = await api.login("admin")
            endpoint_vote = await open_secret_vote(db, world, api, admin)
            floor_vote = await open_secret_vote(db, world, api, admin)
            needed = WARM_UP + runs * len(levels) * ballots
            voters = await sign_in(db, world, settings, await eligible_residents(db, needed))
            assert len(voters) == needed, f"{len(voters)} eligible voters, {needed} needed"
            electorate = (
                await api.ok(
                    "query($v: UUID!) { vote(id: $v) { ... on Vote { electorateSize } } }",
                    {"v": str(endpoint_vote)},
                    admin,
                )
            )["vote"]["electorateSize"]

            said = {"endpoint": Outcome(), "floor": Outcome()}
            endpoint = endpoint_caster(http, endpoint_vote, said["endpoint"])
            floor = floor_caster(db, floor_vote, world.community, said["floor"])
            warm = voters[:WARM_UP]
            await _clients(4, iter(warm), endpoint)
            await _clients(4, iter(warm), floor)
            queue = iter(voters[WARM_UP:])
            times: dict[tuple[str, int], list[float]] = {}
            for run in range(runs):
                for clients in levels:
                    batch = list(itertools.islice(queue, ballots))
                    order = (("floor", floor), ("endpoint", endpoint))
                    for name, cast in order if run % 2 == 0 else order[::-1]:
                        took, _ = await timed(partial(_clients, clients, iter(batch), cast))
                        times.setdefault((name, clients), []).append(took)
                print(f"[{dialect}] run {run + 1}/{runs} done", flush=True)
            audits = {
                "endpoint": await audit(db, endpoint_vote, said["endpoint"]),
                "floor": await audit(db, floor_vote, said["floor"]),
            }
    rows = []
    for clients in levels:
        cast_rate = ballots / median(times[("endpoint", clients)])
        floor_rate = ballots / median(times[("floor", clients)])
        rows.append(
            {
                "db": dialect,
                "clients": clients,
                "ballots_per_run": ballots,
                "runs": runs,
                "electorate": electorate,
                "ballots_per_s": round(cast_rate, 1),
                "floor_ballots_per_s": round(floor_rate, 1),
                "ratio": round(cast_rate / floor_rate, 3),
                "endpoint_runs_s": [round(t, 3) for t in times[("endpoint", clients)]],
                "floor_runs_s": [round(t, 3) for t in times[("floor", clients)]],
                "lost": audits["endpoint"]["lost"],
                "duplicated": audits["endpoint"]["duplicated"],
                "audit": audits,
            }
        )
    return rows


def report(rows: list[dict[str, Any]]) -> str:
    headers = ["db", "clients", "ballots/s", "floor ballots/s", "ratio", "lost", "duplicated"]
    cells = [
        [
            r["db"],
            str(r["clients"]),
            f"{r['ballots_per_s']:.1f}",
            f"{r['floor_ballots_per_s']:.1f}",
            f"{r['ratio'] * 100:.1f}%",
            str(r["lost"]),
            str(r["duplicated"]),
        ]
        for r in rows
    ]
    return table(headers, cells)


async def main(
    dialects: list[str], runs: int, levels: list[int], ballots: int, residents: int
) -> None:
    servers = Servers()
    rows: list[dict[str, Any]] = []
    try:
        for dialect in dialects:
            rows += await bench(servers, dialect, runs, levels, ballots, residents)
    finally:
        servers.close()
    print(f"medians of {runs} runs of {ballots} ballots per run and client count")
    print(report(rows))
    print("target: ratio >= 25% at 16 and 64 clients, 0 lost, 0 duplicated")
    print(orjson.dumps(rows).decode())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("both", *DIALECTS), default="both")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--clients", default="16,64", help="comma-separated client counts")
    parser.add_argument("--ballots", type=int, default=192, help="ballots per timed batch")
    parser.add_argument("--residents", type=int, default=6000, help="residents loaded")
    args = parser.parse_args()
    levels = [int(n) for n in args.clients.split(",")]
    dialects = list(DIALECTS) if args.db == "both" else [args.db]
    asyncio.run(main(dialects, args.runs, levels, args.ballots, args.residents))
