"""Putting a topic to a vote: who may, under which rules, and what is frozen then."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from domain.database import Database
from domain.models import BallotLogEntry, ProposalStatus
from domain.models.base import utcnow
from tests.votes.helpers import Voters, make_proposal, row_counts
from tests.world import World

LATER = timedelta(hours=1)

BAD_RULES = {
    "closes before it opens": (
        lambda w: {"opensAt": (utcnow() + 2 * LATER).isoformat()},
        "INVALID_INPUT",
    ),
    "closes in the past": (
        lambda w: {
            "opensAt": (utcnow() - 3 * LATER).isoformat(),
            "closesAt": (utcnow() - LATER).isoformat(),
        },
        "INVALID_INPUT",
    ),
    "quorum over 100%": (lambda w: {"quorumPercent": 101}, "INVALID_INPUT"),
    "negative quorum": (lambda w: {"quorumBallots": -1}, "INVALID_INPUT"),
    "unanimity without a panel": (lambda w: {"threshold": "UNANIMITY"}, "INVALID_INPUT"),
    "a panel vote without a panel": (lambda w: {"electorate": "PANEL"}, "INVALID_INPUT"),
    "an unknown panel": (
        lambda w: {"electorate": "PANEL", "panelId": str(uuid.uuid4())},
        "NOT_FOUND",
    ),
    "a panel vote limited to a grid": (
        lambda w: {
            "electorate": "PANEL",
            "panelId": str(uuid.uuid4()),
            "gridId": str(w.grids["G1"]),
        },
        "INVALID_INPUT",
    ),
    "another community's grid": (lambda w: {"gridId": str(w.grids["GB"])}, "NOT_FOUND"),
    "a time without a time zone": (
        lambda w: {"closesAt": (utcnow() + LATER).replace(tzinfo=None).isoformat()},
        "INVALID_INPUT",
    ),
}


@pytest.mark.parametrize("case", list(BAD_RULES))
async def test_a_bad_rule_is_refused_and_nothing_is_created(
    case: str, database: Database, world: World, voters: Voters
) -> None:
    overrides, code = BAD_RULES[case]
    proposal = await make_proposal(database, world)
    before = await row_counts(database)
    put = await voters.put(proposal, **overrides(world))
    assert put.get("code") == code, put
    assert await row_counts(database) == before


@pytest.mark.parametrize(
    ("who", "overrides", "expected"),
    [
        ("admin", {}, "Vote"),
        ("chief1", {"gridId": "G1"}, "Vote"),
        ("chief1", {"gridId": "M1a"}, "Vote"),
        ("chief1", {}, "FORBIDDEN"),  # the whole community is not their grid
        ("chief1", {"gridId": "G2"}, "FORBIDDEN"),
        ("chief2", {"gridId": "G2"}, "FORBIDDEN"),  # the topic is in G1
        ("member1a", {"gridId": "M1a"}, "FORBIDDEN"),  # a micro-grid member calls no vote
        ("H1a-x", {"gridId": "G1"}, "FORBIDDEN"),
        ("admin-b", {}, "NOT_FOUND"),
    ],
)
async def test_who_may_put_a_topic_to_a_vote(
    who: str,
    overrides: dict[str, str],
    expected: str,
    database: Database,
    world: World,
    voters: Voters,
) -> None:
    proposal = await make_proposal(database, world, grid="M1a")
    rule = {key: str(world.grids[value]) for key, value in overrides.items()}
    put = await voters.put(proposal, by=who, **rule)
    assert put.get("code", put["__typename"]) == expected, put


@pytest.mark.parametrize(
    "status", [ProposalStatus.SUBMITTED, ProposalStatus.CLOSED, ProposalStatus.MERGED]
)
async def test_only_an_accepted_or_deliberated_topic_goes_to_a_vote(
    status: ProposalStatus, database: Database, world: World, voters: Voters
) -> None:
    proposal = await make_proposal(database, world, status=status)
    assert (await voters.put(proposal))["code"] == "PROPOSAL_NOT_VOTABLE"
    deliberated = await make_proposal(database, world, status=ProposalStatus.DELIBERATED)
    assert (await voters.put(deliberated))["__typename"] == "Vote"


async def test_one_vote_per_topic(database: Database, world: World, voters: Voters) -> None:
    proposal = await make_proposal(database, world)
    assert (await voters.put(proposal))["__typename"] == "Vote"
    assert (await voters.put(proposal))["code"] == "CONFLICT"


@pytest.mark.parametrize(
    ("overrides", "size"),
    [
        ({}, 8),  # every adult of community A
        ({"gridId": "G1"}, 6),
        ({"gridId": "M1a"}, 4),
        ({"electorate": "HOUSEHOLDS"}, 4),
        ({"electorate": "HOUSEHOLDS", "gridId": "G1"}, 3),
    ],
)
async def test_the_electorate_is_counted_and_frozen_when_the_vote_is_called(
    overrides: dict[str, str], size: int, database: Database, world: World, voters: Voters
) -> None:
    rule = {k: str(world.grids[v]) if k == "gridId" else v for k, v in overrides.items()}
    put = await voters.put(await make_proposal(database, world), **rule)
    assert put["electorateSize"] == size, put
    async with database.read() as session:
        first = await session.scalar(
            select(BallotLogEntry).where(BallotLogEntry.vote_id == uuid.UUID(put["id"]))
        )
    assert first is not None and first.kind == "open" and first.seq == 1
    assert f'"electorate_size":{size}' in first.payload


async def test_a_resident_registered_after_the_call_may_not_vote(
    database: Database, world: World, voters: Voters
) -> None:
    vote = await voters.open_vote(database, world)
    created = await voters.api.ok(
        """mutation($h: UUID!) { createResident(householdId: $h,
             fields: {name: "新来的", birthDate: "1970-05-05"}) {
             __typename ... on Resident { id } ... on Error { code message } } }""",
        {"h": str(world.households["H1a"])},
        await voters.token("admin"),
    )
    assert created["createResident"]["__typename"] == "Resident", created
    voters.world.residents["newcomer"] = uuid.UUID(created["createResident"]["id"])
    cast = await voters.cast(vote, "newcomer", "FOR")
    assert cast["code"] == "NOT_ELIGIBLE", cast


async def test_panel_members_are_frozen_while_its_vote_runs(
    database: Database, world: World, voters: Voters
) -> None:
    admin = await voters.token("admin")
    panel = await voters.api.ok(
        """mutation($m: [PanelMemberInput!]!) { createPanel(name: "五方协商小组", members: $m) {
             ... on Panel { id } } }""",
        {"m": [{"accountId": str(world.accounts["chief1"]), "role": "居民代表"}]},
        admin,
    )
    panel_id = panel["createPanel"]["id"]
    add = """mutation($p: UUID!, $a: UUID!) {
               addPanelMember(panelId: $p, accountId: $a, role: "业委会") {
               __typename ... on Panel { members { role } } ... on Error { code } } }"""
    remove = """mutation($p: UUID!, $a: UUID!) { removePanelMember(panelId: $p, accountId: $a) {
                  __typename ... on Error { code } } }"""
    chief2 = str(world.accounts["chief2"])
    denied = await voters.api.ok(add, {"p": panel_id, "a": chief2}, await voters.token("chief1"))
    assert denied["addPanelMember"]["code"] == "FORBIDDEN"
    added = await voters.api.ok(add, {"p": panel_id, "a": chief2}, admin)
    assert added["addPanelMember"]["__typename"] == "Panel"
    await voters.open_vote(
        database, world, electorate="PANEL", panelId=panel_id, threshold="UNANIMITY"
    )
    removed = await voters.api.ok(remove, {"p": panel_id, "a": chief2}, admin)
    assert removed["removePanelMember"]["code"] == "CONFLICT"
    listed = await voters.api.ok(
        "{ panels { name members { displayName role } } }", token=await voters.token("H1a-x")
    )
    assert listed["panels"] == [
        {
            "name": "五方协商小组",
            "members": [
                {"displayName": "chief1", "role": "居民代表"},
                {"displayName": "chief2", "role": "业委会"},
            ],
        }
    ]
