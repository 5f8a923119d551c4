"""Many voters at once, each trying more than once: one counted ballot each, a sound chain.

The first-ballot path (``domain.services.first_ballot``) reads the log's last link and
inserts the record, ballot and link in separate statements under the vote's lock; if the
lock did not order them, two casts would claim the same link number (refused by the unique
index: a voter told "refused" who should have been counted) or chain to the same parent
(``verifyTally`` reports it). A voter's repeated tries must find their own record, never
write a second.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from domain.database import Database
from domain.models import AccountKind, Ballot, BallotLogEntry, VoterRecord
from domain.principal import Principal
from domain.services import residents
from tests.votes.helpers import VERIFY, Clock, Voters
from tests.world import CIPHER, World, id_number

VOTERS = 24
TRIES = 3


async def _add_residents(database: Database, world: World) -> list[str]:
    admin = Principal(
        account_id=world.accounts["admin"], community_id=world.community, kind=AccountKind.ADMIN
    )
    names = []
    async with database.transaction() as session:
        for number in range(VOTERS):
            name = f"crowd-{number}"
            resident = await residents.create_resident(
                session,
                admin,
                CIPHER,
                household_id=world.households[("H1a", "H1b", "H2a")[number % 3]],
                fields={"name": name, "id_number": id_number(100 + number)},
            )
            world.residents[name] = resident.id
            names.append(name)
    return names


@pytest.mark.parametrize("secret", [True, False], ids=["secret", "open"])
async def test_many_voters_casting_at_once_and_again_count_once_each(
    secret: bool, database: Database, world: World, voters: Voters, clock: Clock
) -> None:
    crowd = await _add_residents(database, world)
    vote = await voters.open_vote(database, world, secret=secret)
    for name in crowd:
        await voters.token(name)
    tries = [(name, ("FOR", "AGAINST", "ABSTAIN")[i % 3]) for i, name in enumerate(crowd)]
    tries = tries * TRIES
    random.Random(12).shuffle(tries)
    answers = await asyncio.gather(*(voters.cast(vote, name, choice) for name, choice in tries))

    outcomes: dict[str, Counter[str]] = {name: Counter() for name in crowd}
    receipts: dict[str, str] = {}
    for (name, _), answer in zip(tries, answers, strict=True):
        outcomes[name][answer.get("code", answer["__typename"])] += 1
        if answer["__typename"] == "BallotReceipt":
            receipts[name] = answer["receipt"]
    expected = Counter({"BallotReceipt": 1, "ALREADY_VOTED": TRIES - 1})
    assert all(seen == expected for seen in outcomes.values()), outcomes

    async with database.read() as session:
        stored = dict(
            (await session.execute(select(VoterRecord.voter_key, VoterRecord.receipt))).all()
        )
        counted = list(
            await session.scalars(select(Ballot.voter_key).where(Ballot.superseded.is_(False)))
        )
        every = await session.scalar(select(func.count()).select_from(Ballot))
        links = await session.scalar(select(func.count()).select_from(BallotLogEntry))
    assert stored == {f"resident:{world.residents[n]}": r for n, r in receipts.items()}
    assert len(counted) == every == VOTERS
    if not secret:
        assert sorted(counted) == sorted(stored)  # an open ballot names its voter: one each
    assert links == 1 + VOTERS  # the rule, then one cast each

    running = await voters.query(VERIFY, vote)
    assert running["ok"] is True and running["problems"] == [], running
    clock.advance(timedelta(hours=2))
    closed = await voters.query(VERIFY, vote)
    assert closed["ok"] is True, closed
    per_choice = VOTERS // 3
    assert closed["recount"] == {
        "for": per_choice,
        "against": per_choice,
        "abstain": per_choice,
        "passed": False,
    }
    assert closed["receipts"] == closed["countedBallots"] == VOTERS
