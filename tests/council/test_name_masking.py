"""Names of people outside one's household are masked (张*) on every path a resident reads.

The bug this pins: a raiser's name was their account's display name once they had one, so
issuing a login code turned "叶**" into "叶霞娜" for residents of other households. The rule
now depends on who reads and where the named person lives, never on the person's account.
"""

from __future__ import annotations

import json
from typing import Any

from domain.database import Database
from domain.personal_data import mask_name
from tests.api_client import Api
from tests.council.helpers import (
    add_to_agenda,
    deliberate,
    mutate,
    raised_id,
    resident_token,
    schedule,
    support,
)
from tests.votes.helpers import CAST, PUT, make_proposal, rule
from tests.world import World

NAMED = ("H1a-x", "H1a-y", "H1b-x")  # residents of H1a and H1b, named by the council's records

EVERYTHING = """query($v: UUID!) {
  proposals(first: 50) { edges { node { id raiserName history { actorName }
    resolution { contactName } similar { proposal { raiserName } } } } }
  meetings { attendance { name residentId } }
  voteChoices(voteId: $v) { __typename ... on ChoiceList { choices { voter choice } } }
  myPendingRatings { raiserName }
}"""


async def _issue_code(api: Api, world: World, resident: str) -> None:
    issued = await api.ok(
        """mutation($r: UUID!) { issueLoginCode(residentId: $r) {
             __typename ... on LoginCode { code } } }""",
        {"r": str(world.residents[resident])},
        await api.login("admin"),
    )
    assert issued["issueLoginCode"]["__typename"] == "LoginCode"


async def _council(api: Api, world: World, database: Database) -> tuple[str, str, str]:
    """A visit topic, a resident's own topic (supported, deliberated, attended), an open vote."""
    member = await api.login("member1a")
    visit = await raised_id(
        api, member, "电梯噪音大", source="VISIT", residentId=str(world.residents["H1a-y"])
    )
    raiser = await resident_token(api, world, "H1a-x")
    backer = await resident_token(api, world, "H1b-x")
    own = await raised_id(api, raiser, "电梯噪音很大")  # similar to the visit topic
    assert (await support(api, backer, own))["supportCount"] == 1

    admin = await api.login("admin")
    meeting = await schedule(api, admin)
    await add_to_agenda(api, admin, meeting, own)
    for person in ("H1a-x", "H1b-x"):
        recorded = await mutate(
            api,
            admin,
            """mutation($m: UUID!, $r: UUID!) { recordAttendance(meetingId: $m, residentId: $r) {
                 __typename } }""",
            {"m": meeting, "r": str(world.residents[person])},
        )
        assert recorded["__typename"] == "Attendance", recorded
    assert (await deliberate(api, admin, meeting, own))["__typename"] == "Resolution"

    voted_on = await make_proposal(database, world)
    put = await api.ok(PUT, {"p": str(voted_on), "r": rule(secret=False)}, admin)
    vote = put["putToVote"]["id"]
    cast = await api.ok(CAST, {"v": vote, "c": "FOR", "t": None}, raiser)
    assert cast["castBallot"]["__typename"] == "BallotReceipt", cast
    return visit, own, vote


def _names_in(data: Any) -> set[str]:
    text = json.dumps(data, ensure_ascii=False)
    return {name for name in NAMED if name in text}


def _raisers(data: Any) -> dict[str, str | None]:
    edges = data["proposals"]["edges"]
    return {e["node"]["id"]: e["node"]["raiserName"] for e in edges if e["node"]["raiserName"]}


async def test_no_resident_of_another_household_reads_a_full_name_anywhere(
    api: Api, world: World, database: Database
) -> None:
    visit, own, vote = await _council(api, world, database)
    reader = await resident_token(api, world, "H2a-x")
    before = await api.ok(EVERYTHING, {"v": vote}, reader)
    assert _raisers(before) == {visit: mask_name("H1a-y"), own: mask_name("H1a-x")}

    await _issue_code(api, world, "H1a-y")  # the visited resident now gets an account
    await resident_token(api, world, "H1a-y")  # and uses it
    await _issue_code(api, world, "H1a-x")  # a second code for the raiser
    after = await api.ok(EVERYTHING, {"v": vote}, reader)
    assert _names_in(after) == set(), after
    assert _raisers(after) == _raisers(before)
    actors = {h["actorName"] for e in after["proposals"]["edges"] for h in e["node"]["history"]}
    assert mask_name("H1a-x") in actors  # the raiser's own entry, masked
    assert {a["name"] for m in after["meetings"] for a in m["attendance"]} == {
        mask_name("H1a-x"),
        mask_name("H1b-x"),
    }
    assert after["voteChoices"]["choices"] == [{"voter": mask_name("H1a-x"), "choice": "FOR"}]


async def test_ones_own_household_and_the_covering_staff_read_the_full_name(
    api: Api, world: World, database: Database
) -> None:
    visit, own, vote = await _council(api, world, database)
    housemate = await resident_token(api, world, "H1a-y")
    seen = await api.ok(EVERYTHING, {"v": vote}, housemate)
    assert _raisers(seen) == {visit: "H1a-y", own: "H1a-x"}
    for staff, expected in (("admin", "H1a-x"), ("chief1", "H1a-x"), ("chief2", "H****")):
        shown = await api.ok(EVERYTHING, {"v": vote}, await api.login(staff))
        assert _raisers(shown)[own] == expected, staff
