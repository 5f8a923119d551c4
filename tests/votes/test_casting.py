"""Casting a ballot: who may, when, how often; every refusal is typed and records nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from domain.database import Database
from domain.electorate import adult_cutoff
from domain.models import ProposalStatus, Resident
from domain.models.base import utcnow
from domain.services.ballot_keys import commitment_of
from tests.votes.helpers import (
    CAST,
    RECORD,
    STATUS,
    Clock,
    Voters,
    execute,
    make_proposal,
    row_counts,
    set_proposal_status,
)
from tests.world import World


async def test_a_resident_casts_and_gets_a_receipt_and_a_change_token(
    database: Database, world: World, voters: Voters
) -> None:
    vote = await voters.open_vote(database, world)
    cast = await voters.cast(vote, "H1a-x", "FOR")
    assert cast["__typename"] == "BallotReceipt", cast
    assert len(cast["receipt"]) == 64
    assert cast["changeToken"] and cast["changed"] is False and cast["channel"] == "WEB"
    status = await voters.query(STATUS, vote, "H1a-x")
    assert status == {
        "__typename": "VoterStatus",
        "eligible": True,
        "reason": None,
        "hasVoted": True,
        "receipt": cast["receipt"],
        "canChange": False,
        "commitmentSalt": cast["commitmentSalt"],
        "commitment": commitment_of(cast["commitmentSalt"], cast["receipt"]),
    }


async def _refused(
    database: Database, voters: Voters, vote: str, who: str, code: str, token: str | None = None
) -> None:
    before = await row_counts(database)
    cast = await voters.cast(vote, who, "AGAINST", token)
    assert cast["__typename"] == "RuleViolationError" or cast["code"] == code, cast
    assert cast["code"] == code, cast
    assert await row_counts(database) == before


async def test_voting_twice_where_changes_are_off_is_already_voted(
    database: Database, world: World, voters: Voters
) -> None:
    vote = await voters.open_vote(database, world, allowChange=False)
    first = await voters.cast(vote, "H1a-x", "FOR")
    await _refused(database, voters, vote, "H1a-x", "ALREADY_VOTED")
    await _refused(database, voters, vote, "H1a-x", "ALREADY_VOTED", first["changeToken"])


async def test_before_the_window_is_vote_not_open(
    database: Database, world: World, voters: Voters
) -> None:
    opens = (utcnow() + timedelta(hours=1)).isoformat()
    closes = (utcnow() + timedelta(hours=2)).isoformat()
    vote = await voters.open_vote(database, world, opensAt=opens, closesAt=closes)
    await _refused(database, voters, vote, "H1a-x", "VOTE_NOT_OPEN")


async def test_after_the_window_is_vote_closed(
    database: Database, world: World, voters: Voters, clock: Clock
) -> None:
    vote = await voters.open_vote(database, world)
    clock.advance(timedelta(hours=2))
    await voters.query(STATUS, vote, "H1a-x")  # the first read closes the vote
    await _refused(database, voters, vote, "H1a-x", "VOTE_CLOSED")


async def test_a_vote_on_a_merged_withdrawn_or_declined_topic_takes_no_ballots(
    database: Database, world: World, voters: Voters
) -> None:
    for status in (ProposalStatus.MERGED, ProposalStatus.WITHDRAWN, ProposalStatus.DECLINED):
        proposal = await make_proposal(database, world)
        put = await voters.put(proposal)
        await set_proposal_status(database, proposal, status)
        await _refused(database, voters, put["id"], "H1a-x", "PROPOSAL_NOT_VOTABLE")


async def test_another_communitys_vote_is_not_found(
    database: Database, world: World, voters: Voters
) -> None:
    vote = await voters.open_vote(database, world)
    await _refused(database, voters, vote, "HB-x", "NOT_FOUND")
    await _refused(database, voters, vote, "admin-b", "NOT_FOUND")


async def test_an_unknown_vote_is_not_found(
    database: Database, world: World, voters: Voters
) -> None:
    await _refused(database, voters, str(world.community), "H1a-x", "NOT_FOUND")


async def test_a_wrong_change_token_is_refused(
    database: Database, world: World, voters: Voters
) -> None:
    vote = await voters.open_vote(database, world, allowChange=True)
    await voters.cast(vote, "H1a-x", "FOR")
    other = await voters.cast(vote, "H1b-x", "FOR")
    await _refused(database, voters, vote, "H1a-x", "INVALID_CHANGE_TOKEN", other["changeToken"])
    await _refused(database, voters, vote, "H1a-x", "INVALID_CHANGE_TOKEN", "x" * 5000)
    await _refused(database, voters, vote, "H1a-x", "ALREADY_VOTED")


async def test_anonymous_callers_are_unauthenticated(
    database: Database, world: World, voters: Voters
) -> None:
    vote = await voters.open_vote(database, world)
    data = await voters.api.ok(CAST, {"v": vote, "c": "FOR"})
    assert data["castBallot"]["code"] == "UNAUTHENTICATED"


# Eligibility per electorate -------------------------------------------------------------


async def test_adult_residents_means_eighteen_on_the_opening_day(
    database: Database, world: World, voters: Voters
) -> None:
    eighteen_today = adult_cutoff(utcnow())  # born that day: 18 today, in China's time zone
    for name, born in (("H1a-x", eighteen_today), ("H1a-y", eighteen_today + timedelta(days=1))):
        await execute(
            database,
            update(Resident).where(Resident.id == world.residents[name]).values(birth_date=born),
        )
    await execute(
        database,
        update(Resident).where(Resident.id == world.residents["H1b-y"]).values(birth_date=None),
    )
    vote = await voters.open_vote(database, world)
    assert (await voters.cast(vote, "H1a-x", "FOR"))["__typename"] == "BallotReceipt"
    child = await voters.query(STATUS, vote, "H1a-y")
    assert child["eligible"] is False and "18" in child["reason"]
    await _refused(database, voters, vote, "H1a-y", "NOT_ELIGIBLE")
    await _refused(database, voters, vote, "H1b-y", "NOT_ELIGIBLE")  # birth date unknown


async def test_a_grid_vote_is_for_the_residents_of_that_subtree(
    database: Database, world: World, voters: Voters
) -> None:
    vote = await voters.open_vote(database, world, gridId=str(world.grids["G1"]))
    for inside in ("H1a-x", "H1b-x"):
        assert (await voters.cast(vote, inside, "FOR"))["__typename"] == "BallotReceipt"
    await _refused(database, voters, vote, "H2a-x", "NOT_ELIGIBLE")
    micro = await voters.open_vote(database, world, gridId=str(world.grids["M1b"]))
    await _refused(database, voters, micro, "H1a-x", "NOT_ELIGIBLE")


async def test_staff_without_a_residence_are_not_residents_electorate(
    database: Database, world: World, voters: Voters
) -> None:
    vote = await voters.open_vote(database, world)
    await _refused(database, voters, vote, "chief1", "NOT_ELIGIBLE")


async def test_households_vote_once_through_any_adult_when_no_delegate_is_set(
    database: Database, world: World, voters: Voters
) -> None:
    vote = await voters.open_vote(database, world, electorate="HOUSEHOLDS")
    assert (await voters.cast(vote, "H1a-y", "FOR"))["__typename"] == "BallotReceipt"
    await _refused(database, voters, vote, "H1a-x", "ALREADY_VOTED")
    housemate = await voters.query(STATUS, vote, "H1a-x")
    assert housemate["hasVoted"] is True and housemate["receipt"] is None


async def test_households_vote_through_their_delegate_once_one_is_set(
    database: Database, world: World, voters: Voters
) -> None:
    delegate = await voters.api.ok(
        """mutation($h: UUID!, $r: UUID) { setHouseholdDelegate(householdId: $h, residentId: $r) {
             __typename ... on Error { code } } }""",
        {"h": str(world.households["H1a"]), "r": str(world.residents["H1a-y"])},
        await voters.token("member1a"),
    )
    assert delegate["setHouseholdDelegate"]["__typename"] == "Household", delegate
    vote = await voters.open_vote(database, world, electorate="HOUSEHOLDS")
    await _refused(database, voters, vote, "H1a-x", "NOT_ELIGIBLE")
    assert (await voters.cast(vote, "H1a-y", "FOR"))["__typename"] == "BallotReceipt"


async def test_only_covering_staff_set_a_delegate_and_only_a_member_can_be_one(
    database: Database, world: World, voters: Voters
) -> None:
    query = """mutation($h: UUID!, $r: UUID) { setHouseholdDelegate(householdId: $h, residentId: $r)
                 { __typename ... on Error { code } } }"""
    h1a = str(world.households["H1a"])
    cases = (
        ("chief2", h1a, "H1a-y", "NotFoundError"),
        ("H1a-x", h1a, "H1a-y", "ForbiddenError"),
        ("admin", h1a, "H2a-x", "InvalidInputError"),
    )
    for who, household, resident, expected in cases:
        data = await voters.api.ok(
            query, {"h": household, "r": str(world.residents[resident])}, await voters.token(who)
        )
        assert data["setHouseholdDelegate"]["__typename"] == expected, (who, data)


async def test_a_panel_vote_is_for_its_members_only(
    database: Database, world: World, voters: Voters
) -> None:
    panel = await voters.api.ok(
        """mutation($m: [PanelMemberInput!]!) { createPanel(name: "五方协商小组", members: $m) {
             __typename ... on Panel { id members { displayName role } } } }""",
        {
            "m": [
                {"accountId": str(world.accounts["chief1"]), "role": "小巷管家"},
                {"accountId": str(world.accounts["member1a"]), "role": "物业公司"},
            ]
        },
        await voters.token("admin"),
    )
    panel_id = panel["createPanel"]["id"]
    vote = await voters.open_vote(
        database, world, electorate="PANEL", panelId=panel_id, threshold="UNANIMITY"
    )
    assert (await voters.cast(vote, "chief1", "FOR"))["__typename"] == "BallotReceipt"
    await _refused(database, voters, vote, "chief2", "NOT_ELIGIBLE")
    await _refused(database, voters, vote, "H1a-x", "NOT_ELIGIBLE")


# Changing a ballot ----------------------------------------------------------------------


async def test_with_allow_change_the_token_replaces_the_ballot(
    database: Database, world: World, voters: Voters
) -> None:
    vote = await voters.open_vote(database, world, allowChange=True)
    first = await voters.cast(vote, "H1a-x", "FOR")
    status = await voters.query(STATUS, vote, "H1a-x")
    assert status["canChange"] is True
    before = await row_counts(database)
    changed = await voters.cast(vote, "H1a-x", "AGAINST", first["changeToken"])
    assert changed["__typename"] == "BallotReceipt" and changed["changed"] is True
    assert changed["receipt"] == first["receipt"]
    after = await row_counts(database)
    assert after["voter_record"] == before["voter_record"]
    assert after["ballot"] == before["ballot"] + 1  # the old one is kept, superseded


async def test_on_an_open_vote_a_change_needs_no_token(
    database: Database, world: World, voters: Voters
) -> None:
    vote = await voters.open_vote(database, world, allowChange=True, secret=False)
    first = await voters.cast(vote, "H1a-x", "FOR")
    assert first["changeToken"] is None
    changed = await voters.cast(vote, "H1a-x", "AGAINST")
    assert changed["changed"] is True


# In person ------------------------------------------------------------------------------


async def test_staff_record_in_person_ballots_for_households_they_cover(
    database: Database, world: World, voters: Voters, meeting: str
) -> None:
    vote = await voters.open_vote(database, world)

    async def record(who: str, resident: str) -> dict:
        data = await voters.api.ok(
            RECORD,
            {"v": vote, "c": "FOR", "m": meeting, "r": str(world.residents[resident])},
            await voters.token(who),
        )
        return dict(data["recordInPersonBallot"])

    before = await row_counts(database)
    assert (await record("chief2", "H1a-x"))["code"] == "NOT_FOUND"
    assert (await record("H1b-x", "H1a-x"))["code"] == "FORBIDDEN"
    assert await row_counts(database) == before
    recorded = await record("member1a", "H1a-x")
    assert recorded["channel"] == "IN_PERSON" and recorded["changeToken"]
    assert recorded["commitmentSalt"] is None  # the voter's alone, never the recorder's
    again = await record("admin", "H1a-x")  # set aside, answered like a first ballot
    assert again["__typename"] == "BallotReceipt" and again["receipt"] != recorded["receipt"]
    assert (await voters.cast(vote, "H1a-x", "AGAINST"))["code"] == "ALREADY_VOTED"
    own = await voters.query(STATUS, vote, "H1a-x")
    assert own["hasVoted"] is True and own["receipt"] == recorded["receipt"]
