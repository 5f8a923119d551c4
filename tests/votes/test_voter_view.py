"""What the residents' page shows a voter about themself: the choice counted for them on an
open vote (never on a secret one), and who in the household cast a household's ballot."""

from __future__ import annotations

from domain.database import Database
from tests.votes.helpers import Voters
from tests.world import World

MINE = """query($v: UUID!) { myVoteStatus(voteId: $v) { __typename
  ... on VoterStatus { eligible hasVoted choice castByName receipt } } }"""


async def _name(voters: Voters, who: str) -> str:
    data = await voters.api.ok("{ viewer { displayName } }", {}, await voters.token(who))
    return str(data["viewer"]["displayName"])


async def test_an_open_vote_shows_its_voter_the_choice_counted_and_a_secret_one_does_not(
    database: Database, world: World, voters: Voters
) -> None:
    shown = await voters.open_vote(database, world, secret=False)
    secret = await voters.open_vote(database, world, secret=True)
    for vote in (shown, secret):
        assert (await voters.cast(vote, "H1a-x", "AGAINST"))["__typename"] == "BallotReceipt"
    assert (await voters.query(MINE, shown, "H1a-x"))["choice"] == "AGAINST"
    assert (await voters.query(MINE, secret, "H1a-x"))["choice"] is None
    assert (await voters.query(MINE, shown, "H1a-y"))["choice"] is None


async def test_a_household_member_sees_which_member_cast_the_households_ballot(
    database: Database, world: World, voters: Voters
) -> None:
    vote = await voters.open_vote(database, world, electorate="HOUSEHOLDS", secret=True)
    assert (await voters.cast(vote, "H1a-y", "FOR"))["__typename"] == "BallotReceipt"
    housemate = await voters.query(MINE, vote, "H1a-x")
    assert housemate["hasVoted"] is True and housemate["receipt"] is None
    assert housemate["castByName"] == await _name(voters, "H1a-y")
    caster = await voters.query(MINE, vote, "H1a-y")
    assert caster["castByName"] is None and caster["receipt"]
    neighbour = await voters.query(MINE, vote, "H1b-x")
    assert neighbour["hasVoted"] is False and neighbour["castByName"] is None


async def test_a_member_who_is_not_the_delegate_still_sees_the_delegates_ballot_in(
    database: Database, world: World, voters: Voters
) -> None:
    await voters.api.ok(
        """mutation($h: UUID!, $r: UUID) { setHouseholdDelegate(householdId: $h, residentId: $r) {
             __typename } }""",
        {"h": str(world.households["H1a"]), "r": str(world.residents["H1a-y"])},
        await voters.token("member1a"),
    )
    vote = await voters.open_vote(database, world, electorate="HOUSEHOLDS")
    before = await voters.query(MINE, vote, "H1a-x")
    assert before["eligible"] is False and before["hasVoted"] is False
    assert (await voters.cast(vote, "H1a-y", "FOR"))["__typename"] == "BallotReceipt"
    after = await voters.query(MINE, vote, "H1a-x")
    assert after["hasVoted"] is True and after["castByName"] == await _name(voters, "H1a-y")
