"""The published log reveals no order: no chain over it, no receipt in it, nothing to replay.

The attack this answers: with the published receipts and the chain head that verifyTally
showed after each cast, recomputing the chain placed every receipt (11 of 11) in casting
order, and so gave each one its cast time.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from domain import ballot_log
from domain.database import Database
from domain.models import BallotLogEntry, Vote, VoterRecord
from domain.services.ballot_keys import commitment_of
from domain.services.votes import rule_payload
from tests.api_client import Api
from tests.votes.helpers import CHOICES, COMMITMENTS, VERIFY, Clock, Voters
from tests.world import World

ADULTS_OF_A = ("H1a-x", "H1a-y", "H1a2-x", "H1a2-y", "H1b-x", "H1b-y", "H2a-x", "H2a-y")


def _strings(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(_strings(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_strings(v) for v in value)) if value else set()
    return {value} if isinstance(value, str) else set()


async def test_recomputing_a_chain_over_the_published_log_cannot_order_it(
    database: Database, world: World, voters: Voters, clock: Clock, api: Api
) -> None:
    vote = await voters.open_vote(database, world, secret=True)
    casts: list[dict[str, Any]] = []
    seen_while_open: list[dict[str, Any]] = []
    for who in ADULTS_OF_A:  # in this order; the attacker wants to recover it
        casts.append(await voters.cast(vote, who, "FOR" if who.endswith("x") else "AGAINST"))
        seen_while_open.append(await voters.query(VERIFY, vote, "H1a-y"))
        assert (await voters.query(COMMITMENTS, vote, "H1a-y"))["code"] == "RESULTS_HIDDEN"
    # while the vote runs, nothing that changes with each cast but the counts
    assert all(v["digest"] is None and v["sealedDigest"] is None for v in seen_while_open)
    clock.advance(timedelta(hours=2))
    verified = await voters.query(VERIFY, vote, "H1a-y")
    published = (await voters.query(COMMITMENTS, vote, "H1a-y"))["commitments"]
    choices = (await voters.query(CHOICES, vote, "H1a-y"))["choices"]
    assert verified["ok"] is True and verified["digest"] == verified["sealedDigest"]
    receipts = [cast["receipt"] for cast in casts]
    # the published order is the sorted order, and no entry is a receipt
    assert published == sorted(published) and len(published) == len(receipts)
    assert not set(published) & set(receipts)
    # the strongest attacker holds every receipt (every voter's slip) and every published
    # value; the chain of their casts, in the true order, is what they would have to match
    async with database.read() as session:
        links = list(
            await session.scalars(
                select(BallotLogEntry)
                .where(BallotLogEntry.vote_id == uuid.UUID(vote))
                .order_by(BallotLogEntry.seq)
            )
        )
        row = await session.get(Vote, uuid.UUID(vote))
        assert row is not None
        opened = ballot_log.next_link(None, "open", rule_payload(row))
    link = opened
    chain = {opened.entry_hash}
    for receipt in receipts:
        link = ballot_log.next_link(link, "cast", {"receipt": receipt})
        chain.add(link.entry_hash)
    assert chain <= {entry.entry_hash for entry in links}  # the attack on the old log
    everything = (
        _strings(verified) | _strings(published) | _strings(choices) | _strings(seen_while_open)
    )
    assert not everything & {entry.entry_hash for entry in links}  # no link is published
    assert not everything & chain
    introspected = await api.ok('{ __type(name: "VerifyResult") { fields { name } } }')
    fields = {f["name"] for f in introspected["__type"]["fields"]}
    assert "headHash" not in fields and {"digest", "sealedDigest"} <= fields


async def test_anyone_recomputes_the_sealed_digest_from_the_published_lists(
    database: Database, world: World, voters: Voters, clock: Clock
) -> None:
    for secret in (True, False):
        vote = await voters.open_vote(database, world, secret=secret)
        for who in ("H1a-x", "H1b-y", "H2a-x"):
            await voters.cast(vote, who, "AGAINST" if who == "H1b-y" else "FOR")
        clock.advance(timedelta(hours=2))
        verified = await voters.query(VERIFY, vote, "H2a-y")
        published = (await voters.query(COMMITMENTS, vote, "H2a-y"))["commitments"]
        choices = (await voters.query(CHOICES, vote, "H2a-y"))["choices"]
        entries = [
            f"{c['ballotId']}:{c['choice'].lower()}" if secret else c["choice"].lower()
            for c in choices
        ]
        assert verified["sealedDigest"] == ballot_log.published_digest(vote, published, entries)


async def test_verify_tally_detects_an_added_voter_in_the_published_log(
    database: Database, world: World, voters: Voters, clock: Clock
) -> None:
    vote = await voters.open_vote(database, world)
    for who in ("H1a-x", "H1b-x"):
        await voters.cast(vote, who, "FOR")
    clock.advance(timedelta(hours=2))
    assert (await voters.query(VERIFY, vote))["ok"] is True
    async with database.transaction() as session:
        [record] = list(
            await session.scalars(select(VoterRecord).where(VoterRecord.vote_id == uuid.UUID(vote)))
        )[:1]
        session.add(
            VoterRecord(
                id=uuid.uuid4(),
                community_id=record.community_id,
                vote_id=record.vote_id,
                voter_key="resident:" + str(world.residents["H2a-x"]),
                account_id=record.account_id,
                channel=record.channel,
                receipt="f" * 64,
                commitment_salt="0" * 64,
            )
        )
    found = await voters.query(VERIFY, vote)
    assert found["ok"] is False
    assert any("截止时封存的摘要" in p for p in found["problems"]), found["problems"]  # zh
    published = (await voters.query(COMMITMENTS, vote))["commitments"]
    assert commitment_of("0" * 64, "f" * 64) in published
