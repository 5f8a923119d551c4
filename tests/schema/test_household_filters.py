"""The households list as the console filters it: by grid node (a grid includes its
micro-grids), by a resident's tag, by text in the address or a resident's name, and
uncovered; each within the asker's coverage, with a statement count that does not grow with
the rows.

The world (tests/world.py): H1a, H1a2 in M1a and H1b in M1b (grid G1), H2a in M2a (G2), HB
in community B; each household's resident ``-x`` is tagged 高龄老人, ``-y`` has no tag; only
H1a has a contact (member1a's post).
"""

from __future__ import annotations

import uuid
from typing import Any

from domain.database import Database
from domain.models import Household, Resident
from tests.api_client import Api
from tests.schema.test_permissions import resident_token
from tests.schema.test_statement_count import counting_statements
from tests.world import World

LIST = """query($f: HouseholdFilter, $first: Int) { households(first: $first, filter: $f) {
  totalCount edges { node { building } } } }"""

PAGE = """query($f: HouseholdFilter, $first: Int) { households(first: $first, filter: $f) {
  totalCount edges { node { building grid { name parent { name } }
    contact { role account { displayName } }
    residents { name phone { value } tags partyMember } } } } }"""


async def buildings(api: Api, token: str | None, **where: Any) -> list[str]:
    data = await api.ok(LIST, {"f": where, "first": 50}, token)
    found = [edge["node"]["building"] for edge in data["households"]["edges"]]
    assert data["households"]["totalCount"] == len(found)
    return found


async def test_a_grid_includes_its_micro_grids_and_a_micro_grid_only_itself(
    api: Api, world: World
) -> None:
    admin = await api.login("admin")
    assert await buildings(api, admin, gridId=str(world.grids["G1"])) == ["H1a", "H1a2", "H1b"]
    assert await buildings(api, admin, gridId=str(world.grids["M1b"])) == ["H1b"]
    assert await buildings(api, admin, gridId=str(world.grids["G2"])) == ["H2a"]


async def test_search_finds_a_household_by_a_resident_s_name_or_its_address(
    api: Api, world: World
) -> None:
    admin = await api.login("admin")
    assert await buildings(api, admin, search="H1b-y") == ["H1b"]
    assert await buildings(api, admin, search="H2a-1-101") == ["H2a"]
    assert await buildings(api, admin, search="H1a") == ["H1a", "H1a2"]
    assert await buildings(api, admin, search="%") == []  # a LIKE wildcard is plain text


async def test_a_deleted_resident_s_name_finds_nothing(
    api: Api, world: World, database: Database
) -> None:
    async with database.transaction() as session:
        resident = await session.get(Resident, world.residents["H2a-y"])
        assert resident is not None
        resident.deleted = True
    admin = await api.login("admin")
    assert await buildings(api, admin, search="H2a-y") == []


async def test_the_tag_filter_keeps_households_with_a_resident_so_tagged(
    api: Api, world: World, database: Database
) -> None:
    async with database.transaction() as session:
        resident = await session.get(Resident, world.residents["H1b-y"])
        assert resident is not None
        resident.tags = ["儿童"]
    admin = await api.login("admin")
    assert await buildings(api, admin, tag="儿童") == ["H1b"]
    assert await buildings(api, admin, tag="高龄老人") == ["H1a", "H1a2", "H1b", "H2a"]
    assert await buildings(api, admin, tag="困难家庭") == []
    assert await buildings(api, admin, tag="儿童", gridId=str(world.grids["G2"])) == []


async def test_filters_combine_and_uncovered_means_no_contact(api: Api, world: World) -> None:
    admin = await api.login("admin")
    assert await buildings(api, admin, hasContact=False) == ["H1a2", "H1b", "H2a"]
    assert await buildings(api, admin, hasContact=True) == ["H1a"]
    assert await buildings(
        api, admin, hasContact=False, gridId=str(world.grids["G1"]), tag="高龄老人", search="H1"
    ) == ["H1a2", "H1b"]


async def test_staff_filter_only_within_their_posts(api: Api, world: World) -> None:
    member = await api.login("member1a")
    assert await buildings(api, member) == ["H1a", "H1a2"]
    assert await buildings(api, member, search="H1b-x") == []
    assert await buildings(api, member, tag="高龄老人") == ["H1a", "H1a2"]
    body = await api.post(LIST, {"f": {"gridId": str(world.grids["G2"])}}, member)
    assert body.get("data") is None or body["data"]["households"]["edges"] == []
    other = await api.login("staff-b")
    assert await buildings(api, other, search="H1a-x") == []


async def test_a_resident_cannot_find_their_household_by_a_housemate_s_hidden_tag(
    api: Api, world: World, database: Database
) -> None:
    """H1a-x reads their own household, but their housemate's tags are not theirs to see:
    filtering on them must not tell (a child in the household is sensitive under PIPL)."""
    async with database.transaction() as session:
        housemate = await session.get(Resident, world.residents["H1a-y"])
        assert housemate is not None
        housemate.tags = ["儿童"]
    token = await resident_token(api, world, "H1a-x")
    assert await buildings(api, token) == ["H1a"]
    assert await buildings(api, token, tag="儿童") == []
    assert await buildings(api, token, tag="高龄老人") == ["H1a"]  # their own tag


async def test_an_overlong_search_is_a_clear_error(api: Api, world: World) -> None:
    admin = await api.login("admin")
    body = await api.post(LIST, {"f": {"search": "长" * 51}}, admin)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT", body


async def add_tagged_households(database: Database, world: World, count: int, prefix: str) -> None:
    """Households in M1a and M1b, each with an elderly resident named 李…, none with a contact."""
    grids = [world.grids["M1a"], world.grids["M1b"]]
    async with database.transaction() as session:
        for number in range(count):
            household = Household(
                id=uuid.uuid4(),
                community_id=world.community,
                grid_id=grids[number % 2],
                building=f"{prefix}{number:03d}",
                unit="1",
                room="101",
            )
            session.add(household)
            session.add(
                Resident(
                    community_id=world.community,
                    household_id=household.id,
                    name=f"李{number:03d}",
                    phone=f"1390000{number:04d}",
                    tags=["高龄老人"],
                    party_member=number % 3 == 0,
                )
            )
        await session.flush()


async def test_a_filtered_page_costs_the_same_statements_for_100_rows_as_for_2(
    api: Api, world: World, database: Database, dialect: str
) -> None:
    where = {"gridId": str(world.grids["G1"]), "tag": "高龄老人", "search": "李"}
    where["hasContact"] = False
    await add_tagged_households(database, world, 2, "甲")
    for login in ("admin", "chief1"):
        token = await api.login(login)
        await api.ok(PAGE, {"f": where, "first": 2}, token)  # warm up
        with counting_statements(database) as small:
            data = await api.ok(PAGE, {"f": where, "first": 2}, token)
        assert len(data["households"]["edges"]) == 2
        before = data["households"]["totalCount"]
        await add_tagged_households(database, world, 100, login)
        with counting_statements(database) as large:
            data = await api.ok(PAGE, {"f": where, "first": 100}, token)
        assert data["households"]["totalCount"] == before + 100
        assert len(data["households"]["edges"]) == 100
        assert all(edge["node"]["residents"][0]["tags"] for edge in data["households"]["edges"])
        print(f"\n[{dialect}] {login}: {len(small)} statements for 2 rows, {len(large)} for 100")
        assert len(large) == len(small), "\n".join(large)
