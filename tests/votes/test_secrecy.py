"""A secret ballot stays secret: no table, query, event or order pairs a voter with a choice."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import DateTime, select

from api.events import LocalEventBus
from domain.database import Database
from domain.models import Account, Ballot, BallotLogEntry, VoterRecord
from domain.personal_data import mask_name
from domain.services.ballot_keys import commitment_of
from tests.votes.helpers import (
    CHOICES,
    COMMITMENTS,
    RECORD,
    STATUS,
    VERIFY,
    VOTE,
    VOTE_FIELDS,
    Clock,
    Voters,
)
from tests.world import World

VOTERS = {"H1a-x": "FOR", "H1b-x": "AGAINST", "H2a-x": "FOR"}
CHOICE_WORDS = ("FOR", "AGAINST", "ABSTAIN", "for", "against", "abstain")


def test_the_ballot_table_has_no_time_and_no_order() -> None:
    columns = Ballot.__table__.columns
    assert not [c.name for c in columns if isinstance(c.type, DateTime)]
    assert not [c.name for c in columns if c.autoincrement is True]
    assert Ballot.__table__.dialect_options["sqlite"]["with_rowid"] is False
    shared = {c.name for c in columns} & {c.name for c in VoterRecord.__table__.columns}
    assert shared == {"id", "community_id", "vote_id", "voter_key"}


async def _identities(database: Database, world: World) -> set[str]:
    """Everything that names a voter: ids, names, masked names, voter keys, account ids."""
    found = {str(i) for i in world.residents.values()} | {str(i) for i in world.households.values()}
    found |= {f"resident:{i}" for i in world.residents.values()}
    found |= {str(i) for i in world.accounts.values()}
    async with database.read() as session:
        accounts = (await session.execute(select(Account.id, Account.display_name))).all()
    found |= {str(account_id) for account_id, _ in accounts}
    for name in world.residents:
        found |= {name, mask_name(name)}
    return found


async def test_no_row_of_a_secret_ballot_names_its_voter(
    database: Database, world: World, voters: Voters, clock: Clock
) -> None:
    vote = await voters.open_vote(database, world, allowChange=True)
    first = await voters.cast(vote, "H1a-x", "FOR")
    await voters.cast(vote, "H1b-x", "AGAINST")
    await voters.cast(vote, "H1a-x", "ABSTAIN", first["changeToken"])
    async with database.read() as session:
        ballots = (await session.scalars(select(Ballot))).all()
        records = (await session.scalars(select(VoterRecord))).all()
        log = (await session.scalars(select(BallotLogEntry))).all()
    assert ballots and all(b.voter_key is None for b in ballots)
    record_values = {r.receipt for r in records} | {str(r.id) for r in records}
    ballot_values = {b.change_key_hash for b in ballots} | {str(b.id) for b in ballots}
    assert not record_values & ballot_values
    for entry in log:
        if entry.kind in ("cast", "recast"):
            assert set(json.loads(entry.payload)) == {"receipt"}, entry.payload
    assert first["changeToken"] not in {b.change_key_hash for b in ballots}


async def test_staff_who_record_in_person_see_no_ones_choice_through_any_query(
    database: Database,
    world: World,
    voters: Voters,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    meeting: str,
) -> None:
    events: list[dict[str, Any]] = []

    async def publish(self: LocalEventBus, channel: str, payload: dict[str, Any]) -> None:
        events.append({"channel": channel, **payload})

    monkeypatch.setattr(LocalEventBus, "publish", publish)
    vote = await voters.open_vote(database, world)
    for who, choice in VOTERS.items():
        await voters.cast(vote, who, choice)
    recorded = await voters.api.ok(
        RECORD,
        {"v": vote, "c": "AGAINST", "m": meeting, "r": str(world.residents["H1a-y"])},
        await voters.token("member1a"),
    )
    assert recorded["recordInPersonBallot"]["__typename"] == "BallotReceipt"
    identities = await _identities(database, world)
    everything = f"{{ votes {{ {VOTE_FIELDS} proposalId gridId panelId }} }}"

    async def answers(who: str) -> list[str]:
        token = await voters.token(who)
        found = [json.dumps(await voters.api.post(everything, token=token), ensure_ascii=False)]
        for query in (VOTE, STATUS, COMMITMENTS, CHOICES, VERIFY):
            body = await voters.api.post(query, {"v": vote}, token)
            found.append(json.dumps(body, ensure_ascii=False))
        return found

    for phase in ("open", "closed"):
        for who in ("admin", "member1a", "chief1", "H1a-x", "H2a-y"):
            for text in await answers(who):
                named = [i for i in identities if i in text]
                chosen = [w for w in CHOICE_WORDS if f'"{w}"' in text]
                assert not (named and chosen), (phase, who, named, chosen, text[:400])
        clock.advance(timedelta(hours=2))
    synced = [e for e in events if e["channel"].startswith("sync:")]  # which tables, not rows
    assert all(set(e) == {"channel", "collections", "reemit"} and not e["reemit"] for e in synced)
    tallies = [e for e in events if e not in synced]
    assert tallies and all(set(e) == {"channel", "voteId"} for e in tallies), events


async def test_while_a_secret_vote_is_open_the_tally_shows_turnout_only(
    database: Database, world: World, voters: Voters, clock: Clock
) -> None:
    vote = await voters.open_vote(database, world)
    await voters.cast(vote, "H1a-x", "FOR")
    tally = (await voters.query(VOTE, vote, "H1b-x"))["tally"]
    assert tally["ballots"] == 1 and tally["turnout"] == 0.125
    assert (tally["for"], tally["against"], tally["abstain"], tally["passed"]) == (None,) * 4
    assert tally["countsHidden"] is True and tally["final"] is False
    clock.advance(timedelta(hours=2))
    assert (await voters.query(VOTE, vote, "H1b-x"))["tally"]["for"] == 1


async def test_hide_results_until_close_hides_the_counts_of_an_open_ballot_too(
    database: Database, world: World, voters: Voters, clock: Clock
) -> None:
    shown = await voters.open_vote(database, world, secret=False)
    hidden = await voters.open_vote(database, world, secret=False, hideResultsUntilClose=True)
    for vote in (shown, hidden):
        await voters.cast(vote, "H1a-x", "FOR")
    assert (await voters.query(VOTE, shown))["tally"]["for"] == 1
    assert (await voters.query(VOTE, hidden))["tally"]["for"] is None
    assert (await voters.query(CHOICES, hidden))["code"] == "RESULTS_HIDDEN"
    named = await voters.query(CHOICES, shown)
    assert named["choices"] == [{"choice": "FOR", "ballotId": None, "voter": mask_name("H1a-x")}]


async def test_published_commitments_and_choices_cannot_be_matched_by_position(
    database: Database, world: World, voters: Voters, clock: Clock
) -> None:
    vote = await voters.open_vote(database, world)
    casts = {}
    for who in ("H1a-x", "H1a-y", "H1b-x", "H1b-y", "H2a-x", "H2a-y"):
        casts[who] = await voters.cast(vote, who, "FOR" if who.endswith("x") else "AGAINST")
    clock.advance(timedelta(hours=2))
    published = (await voters.query(COMMITMENTS, vote))["commitments"]
    choices = (await voters.query(CHOICES, vote))["choices"]
    mine = [commitment_of(c["commitmentSalt"], c["receipt"]) for c in casts.values()]
    assert published == sorted(mine)  # sorted by value, not by casting order
    ids = [c["ballotId"] for c in choices]
    assert ids == sorted(ids)
    assert {uuid.UUID(i).version for i in ids} == {4}  # random ids: no time, no sequence
