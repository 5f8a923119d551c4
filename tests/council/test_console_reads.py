"""What the console's council pages read beyond the council's own flow: topics found by a
part of their text, and the accounts a meeting may name as a resolution's contact."""

from __future__ import annotations

from domain.database import Database
from tests.api_client import Api
from tests.council.helpers import raised_id, resident_token
from tests.schema.test_statement_count import counting_statements
from tests.world import World

SEARCH = """query($f: ProposalFilter) { proposals(first: 50, filter: $f) {
  totalCount edges { node { title } } } }"""

CONTACTS = "{ contactAccounts { id displayName kind } }"


async def test_topics_are_found_by_part_of_their_title_or_description(
    api: Api, world: World
) -> None:
    resident = await resident_token(api, world, "H1a-x")
    await raised_id(api, resident, "东门停车难", description="晚上车位不够")
    await raised_id(api, resident, "楼道灯坏了", description="夜里看不见台阶，停电时更危险")
    await raised_id(api, resident, "100%_不是通配符")
    admin = await api.login("admin")

    async def titles(search: str | None, **more: str) -> list[str]:
        data = await api.ok(SEARCH, {"f": {"search": search, **more}}, admin)
        found = data["proposals"]
        assert found["totalCount"] == len(found["edges"])
        return sorted(edge["node"]["title"] for edge in found["edges"])

    assert await titles("停车") == ["东门停车难"]
    assert await titles("停") == ["东门停车难", "楼道灯坏了"]  # 停电 in the description
    assert await titles("停", category="REPAIRS") == []
    assert await titles("%") == ["100%_不是通配符"]  # LIKE's wildcards are escaped
    assert await titles("_") == ["100%_不是通配符"]
    assert len(await titles("  ")) == 3  # blank: no filter
    assert len(await titles(None)) == 3


async def test_a_search_too_long_is_refused_with_its_field(api: Api, world: World) -> None:
    admin = await api.login("admin")
    body = await api.post(SEARCH, {"f": {"search": "停" * 51}}, admin)
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert error["extensions"]["field"] == "search"


async def test_contacts_to_choose_are_the_communitys_staff_in_one_statement(
    api: Api, world: World, database: Database
) -> None:
    admin = await api.login("admin")
    with counting_statements(database) as statements:
        data = await api.ok(CONTACTS, token=admin)
    names = [a["displayName"] for a in data["contactAccounts"]]
    # every staff and admin account of community A, none of B's, no resident's
    assert names == sorted(["admin", "chief1", "member1a", "chief2", "nopost"])
    assert {a["kind"] for a in data["contactAccounts"]} == {"ADMIN", "STAFF"}
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # the principal's account, then the whole list at once: no statement per account
    assert len([s for s in selects if "FROM account" in s]) == 2

    chief = await api.login("chief1")
    assert len((await api.ok(CONTACTS, token=chief))["contactAccounts"]) == 5

    resident = await resident_token(api, world, "H1a-x")
    body = await api.post(CONTACTS, token=resident)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = await api.post(CONTACTS)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
