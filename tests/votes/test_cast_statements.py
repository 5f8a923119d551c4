"""What one cast costs the database: a fixed, small number of statements, most outside the lock.

Every ballot of a vote waits for the vote's row lock (on SQLite, for the one writer), so the
ballots per second of a busy vote are about one over the time a cast holds it, and each
statement inside is a round trip plus a turn of a loaded event loop. The counts below are
what ``castBallot`` sends for a first ballot, from the token's check to the commit.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from domain.database import Database
from domain.models import VoterRecord
from tests.votes.helpers import Voters, statements
from tests.world import World

CAST_BUDGET = {"sqlite": 10, "postgresql": 7}
"""Before the lock: the request's question about ended rating windows and the token's check,
each in a read transaction; then the lock, the voter's facts with the topic's status and the
log's last link, three INSERTs. SQLite counts its three ``BEGIN``s (the writer's IMMEDIATE).
It was 18 and 14: the vote read once more to settle it, the topic, the account, the
resident, the panels, every grid of the community, the record, the log's head, apart."""
LOCKED_BUDGET = 5
"""From the lock to the commit: the lock itself, the facts and last link, three INSERTs."""


def _locked(seen: list[str]) -> list[str]:
    """The statements from the lock (the first ``FOR UPDATE``, or on SQLite the
    ``BEGIN IMMEDIATE`` that already serializes writers) to the end."""
    for index, text in enumerate(seen):
        if "FOR UPDATE" in text or text.strip().upper() == "BEGIN IMMEDIATE":
            return seen[index:]
    raise AssertionError(f"no lock taken: {seen}")


async def test_a_first_ballot_costs_a_fixed_few_statements(
    database: Database, world: World, voters: Voters
) -> None:
    vote = await voters.open_vote(database, world)
    await voters.token("H1a-x")
    await voters.cast(vote, "H1a-y", "AGAINST")  # caches warm, the log has a cast already
    with statements(database) as seen:
        cast = await voters.cast(vote, "H1a-x", "FOR")
    assert cast["__typename"] == "BallotReceipt", cast
    locked = _locked(seen)
    inserts = [s for s in locked if re.match(r"\s*INSERT", s)]
    print(f"\n{database.dialect}: {len(seen)} statements per cast, {len(locked)} under the lock")
    assert len(inserts) == 3, inserts
    assert len(locked) <= LOCKED_BUDGET + (database.dialect == "sqlite"), locked
    assert len(seen) <= CAST_BUDGET[database.dialect], seen
    async with database.read() as session:
        record = await session.scalar(
            select(VoterRecord).where(VoterRecord.receipt == cast["receipt"])
        )
    assert record is not None and record.created_at is not None  # Core INSERTs keep defaults
    assert record.updated_at is not None and record.commitment_salt == cast["commitmentSalt"]
