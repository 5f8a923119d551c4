"""The community's tag vocabulary through GraphQL, and the register fields on Resident."""

from __future__ import annotations

from typing import Any

from tests.api_client import Api
from tests.world import World

SET_TAGS = """mutation($t: [String!]!) { setResidentTags(tags: $t) {
  __typename ... on ResidentTags { tags } ... on Error { code message } } }"""
RENAME = """mutation($f: String!, $t: String!) { renameResidentTag(from: $f, to: $t) {
  __typename ... on ResidentTags { tags } ... on Error { code message } } }"""
CREATE = """mutation($h: UUID!, $f: ResidentFields!) { createResident(householdId: $h, fields: $f) {
  __typename ... on Resident { tags gender relationToHead politicalStatus partyMember }
  ... on Error { code message } } }"""
RESIDENTS = """query($tag: String) { residents(first: 20, filter: {tag: $tag}) {
  edges { node { name tags gender relationToHead } } } }"""


async def test_everyone_signed_in_reads_the_words_and_only_the_admin_edits_them(
    api: Api, world: World
) -> None:
    chief = await api.login("chief1")
    words = (await api.ok("{ residentTags }", token=chief))["residentTags"]
    assert words[:2] == ["独居老人", "高龄老人"] and len(words) == 10
    refused = (await api.ok(SET_TAGS, {"t": ["儿童"]}, chief))["setResidentTags"]
    assert refused["__typename"] == "ForbiddenError", refused

    admin = await api.login("admin")
    in_use = (await api.ok(SET_TAGS, {"t": ["儿童"]}, admin))["setResidentTags"]
    assert in_use["__typename"] == "ConflictError" and "高龄老人" in in_use["message"]
    renamed = await api.ok(RENAME, {"f": "高龄老人", "t": "八十岁以上"}, admin)
    assert "八十岁以上" in renamed["renameResidentTag"]["tags"]
    found = await api.ok(RESIDENTS, {"tag": "八十岁以上"}, admin)
    names = sorted(e["node"]["name"] for e in found["residents"]["edges"])
    assert names == ["H1a-x", "H1a2-x", "H1b-x", "H2a-x"]
    done = (await api.ok(SET_TAGS, {"t": ["八十岁以上", "低保户"]}, admin))["setResidentTags"]
    assert done == {"__typename": "ResidentTags", "tags": ["八十岁以上", "低保户"]}


async def test_an_unknown_tag_is_refused_naming_the_allowed_ones(api: Api, world: World) -> None:
    token = await api.login("member1a")
    household = str(world.households["H1a"])
    bad = await api.ok(CREATE, {"h": household, "f": {"name": "新人", "tags": ["外星人"]}}, token)
    result: dict[str, Any] = bad["createResident"]
    assert result["__typename"] == "InvalidInputError"
    assert "外星人" in result["message"] and "独居老人、高龄老人" in result["message"]

    fields = {"name": "新人", "tags": ["儿童"], "gender": "FEMALE", "relationToHead": "CHILD",
              "politicalStatus": "中共预备党员"}  # fmt: skip
    made = (await api.ok(CREATE, {"h": household, "f": fields}, token))["createResident"]
    assert made == {
        "__typename": "Resident",
        "tags": ["儿童"],
        "gender": "FEMALE",
        "relationToHead": "CHILD",
        "politicalStatus": "中共预备党员",
        "partyMember": True,
    }
    second_head = {"name": "另一户主", "relationToHead": "HEAD"}
    first = (await api.ok(CREATE, {"h": household, "f": second_head}, token))["createResident"]
    assert first["__typename"] == "Resident"
    clash = await api.ok(CREATE, {"h": household, "f": {**second_head, "name": "第三人"}}, token)
    assert clash["createResident"]["__typename"] == "ConflictError"
    assert "另一户主" in clash["createResident"]["message"]


async def test_gender_and_relation_are_hidden_from_staff_who_do_not_cover(
    api: Api, world: World
) -> None:
    admin = await api.login("admin")
    household = str(world.households["H2a"])
    fields = {"name": "户主甲", "gender": "MALE", "relationToHead": "HEAD"}
    await api.ok(CREATE, {"h": household, "f": fields}, admin)
    chief1 = await api.login("chief1")  # covers G1, not G2
    seen = await api.ok(RESIDENTS, {"tag": None}, chief1)
    assert all(e["node"]["name"] != "户主甲" for e in seen["residents"]["edges"]) or all(
        e["node"]["gender"] is None
        for e in seen["residents"]["edges"]
        if e["node"]["name"] == "户主甲"
    )
    chief2 = await api.login("chief2")
    own = await api.ok(RESIDENTS, {"tag": None}, chief2)
    mine = [e["node"] for e in own["residents"]["edges"] if e["node"]["name"] == "户主甲"]
    assert mine == [{"name": "户主甲", "tags": [], "gender": "MALE", "relationToHead": "HEAD"}]
