"""Raising topics: who may use the suggestion box, similar topics, 附议 once per resident.

The suggestion box's own rules (民主决议箱: batches, anonymity) are in test_suggestion_box.py
and test_box_anonymity.py.
"""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import func, select

from domain.database import Database
from domain.models import BoxSuggestion, Proposal, ProposalSupport
from tests.api_client import Api
from tests.council.helpers import drop_in, raise_topic, raised_id, resident_token, support, topic
from tests.world import World


async def test_only_residents_may_use_the_suggestion_box_and_never_through_raise_proposal(
    api: Api, world: World, database: Database
) -> None:
    staff = await api.login("chief1")
    refused = await drop_in(api, staff, "匿名")
    assert refused["__typename"] == "InvalidInputError" and refused["code"] == "INVALID_INPUT"
    resident = await resident_token(api, world, "H1a-x")
    direct = await raise_topic(api, resident, "匿名", source="SUGGESTION_BOX")
    assert direct["__typename"] == "InvalidInputError" and direct["code"] == "INVALID_INPUT"
    admin = await api.login("admin")
    assert (await api.ok("{ proposals { totalCount } }", token=admin))["proposals"] == {
        "totalCount": 0
    }
    async with database.read() as session:
        assert await session.scalar(select(func.count()).select_from(BoxSuggestion)) == 0


async def test_an_open_topic_shows_its_raisers_display_name(api: Api, world: World) -> None:
    resident = await resident_token(api, world, "H1a-x")
    pid = await raised_id(api, resident, "小区路灯坏了")
    seen = await topic(api, await api.login("admin"), pid, "raiserName grid { name }")
    assert seen["raiserName"]  # the account's display name
    assert seen["grid"] == {"name": "M1a"}  # defaults to the resident's own micro-grid


async def test_a_new_topic_comes_with_similar_open_topics(api: Api, world: World) -> None:
    resident = await resident_token(api, world, "H1a-x")
    first = await raised_id(api, resident, "小区停车难，车位太少")
    await raised_id(api, resident, "楼上装修噪音扰民", category="RENOVATION_NOISE")
    second = await raise_topic(api, resident, "停车位不够，停车难")
    assert [s["proposal"]["id"] for s in second["similar"]] == [first]
    assert 0.3 <= second["similar"][0]["score"] <= 1

    typed = await api.ok(
        "query($t: String!) { similarTopics(text: $t) { proposal { title } } }",
        {"t": "停车难"},
        resident,
    )
    titles = {s["proposal"]["title"] for s in typed["similarTopics"]}
    assert titles == {"小区停车难，车位太少", "停车位不够，停车难"}
    on_topic = await topic(api, resident, first, "similar { proposal { title } }")
    assert on_topic["similar"] == [{"proposal": {"title": "停车位不够，停车难"}}]


async def test_bad_topics_are_typed_errors_and_store_nothing(
    api: Api, world: World, database: Database
) -> None:
    resident = await resident_token(api, world, "H1a-x")
    good = {"url": "https://img.example/a.jpg", "sha256": "b" * 64}
    cases = {
        "title": {"title": ""},
        "title ": {"title": "长" * 101},
        "attachments": {"attachments": [{"url": "ftp://x/y", "sha256": "b" * 64}]},
        "attachments ": {"attachments": [{"url": good["url"], "sha256": "xyz"}]},
        "source": {"source": "VISIT"},
        "description": {"description": "长" * 2001},
    }
    for field, change in cases.items():
        values = {"title": "正常的标题", "attachments": [good]} | change
        title = values.pop("title")
        result = await raise_topic(api, resident, title, **values)
        assert result["__typename"] == "InvalidInputError", (field, result)
    other_grid = await raise_topic(api, resident, "x", gridId=str(world.grids["MB"]))
    assert other_grid["code"] == "NOT_FOUND"
    async with database.read() as session:
        assert await session.scalar(select(func.count(Proposal.id))) == 0


async def test_support_counts_once_per_resident_and_only_residents_support(
    api: Api, world: World
) -> None:
    raiser = await resident_token(api, world, "H1a-x")
    neighbour = await resident_token(api, world, "H1a2-x")
    pid = await raised_id(api, raiser, "楼道堆物")
    assert await support(api, neighbour, pid) == {
        "__typename": "Proposal",
        "supportCount": 1,
        "viewerSupports": True,
    }
    assert (await support(api, neighbour, pid))["code"] == "ALREADY_SUPPORTED"
    assert (await support(api, await api.login("admin"), pid))["code"] == "NOT_ELIGIBLE"
    outsider = await resident_token(api, world, "HB-x")
    assert (await support(api, outsider, pid))["code"] == "NOT_FOUND"
    seen = await topic(api, raiser, pid, "supportCount viewerSupports")
    assert seen == {"__typename": "Proposal", "supportCount": 1, "viewerSupports": False}


async def test_twenty_concurrent_supports_by_one_resident_leave_one_row(
    api: Api, world: World, database: Database
) -> None:
    raiser = await resident_token(api, world, "H1a-x")
    eager = await resident_token(api, world, "H1b-x")
    pid = await raised_id(api, raiser, "充电桩不够")
    results = await asyncio.gather(*(support(api, eager, pid) for _ in range(20)))
    kinds = sorted(r["__typename"] for r in results)
    assert kinds.count("Proposal") == 1, results
    assert {r.get("code") for r in results if r["__typename"] != "Proposal"} <= {
        "ALREADY_SUPPORTED",
        "CONFLICT",
    }
    async with database.read() as session:
        count = await session.scalar(
            select(func.count(ProposalSupport.id)).where(
                ProposalSupport.proposal_id == uuid.UUID(pid)
            )
        )
    assert count == 1


async def test_filtering_topics_by_a_grid_includes_the_micro_grids_below_it(
    api: Api, world: World
) -> None:
    admin = await api.login("admin")
    in_m1a = await raised_id(
        api, admin, "一号楼漏水", source="MEETING", gridId=str(world.grids["M1a"])
    )
    in_m1b = await raised_id(
        api, admin, "二号楼漏水", source="MEETING", gridId=str(world.grids["M1b"])
    )
    await raised_id(api, admin, "五号楼漏水", source="MEETING", gridId=str(world.grids["M2a"]))

    async def ids(grid: str) -> set[str]:
        data = await api.ok(
            "query($g: UUID!) { proposals(filter: {gridId: $g}) { edges { node { id } } } }",
            {"g": str(world.grids[grid])},
            admin,
        )
        return {edge["node"]["id"] for edge in data["proposals"]["edges"]}

    assert await ids("G1") == {in_m1a, in_m1b}
    assert await ids("M1a") == {in_m1a}


async def test_a_topic_recorded_on_a_visit_belongs_to_the_residents_grid(
    api: Api, world: World
) -> None:
    """The volunteer who recorded it may work on it, and it is on that grid's ledger."""
    member = await api.login("member1a")
    visited = {"residentId": str(world.residents["H1a-x"])}
    first = await raised_id(api, member, "楼道灯不亮", source="VISIT", **visited)
    second = await raised_id(api, member, "楼道的灯坏了", source="VISIT", **visited)
    seen = await topic(api, await api.login("admin"), first, "grid { name }")
    assert seen["grid"] == {"name": "M1a"}

    merged = await api.ok(
        """mutation($t: UUID!, $s: [UUID!]!) { mergeProposals(targetId: $t, sourceIds: $s) {
             __typename ... on Error { code } } }""",
        {"t": first, "s": [second]},
        member,
    )
    assert merged["mergeProposals"] == {"__typename": "Proposal"}
    ledger = await api.ok(
        "{ ledger(first: 10) { edges { node { proposalId gridName } } } }", token=member
    )
    lines = {(e["node"]["proposalId"], e["node"]["gridName"]) for e in ledger["ledger"]["edges"]}
    assert (first, "M1a") in lines
    chief = await api.login("chief1")
    in_g1 = await api.ok(
        "query($g: UUID!) { proposals(filter: {gridId: $g}) { totalCount } }",
        {"g": str(world.grids["G1"])},
        chief,
    )
    assert in_g1["proposals"]["totalCount"] == 2


async def test_staff_may_name_only_a_grid_they_cover_and_the_named_grid_wins(
    api: Api, world: World
) -> None:
    chief = await api.login("chief1")
    visited = {"residentId": str(world.residents["H1a-x"])}
    named = await raised_id(
        api, chief, "一单元门禁坏了", source="VISIT", gridId=str(world.grids["M1b"]), **visited
    )
    seen = await topic(api, chief, named, "grid { name }")
    assert seen["grid"] == {"name": "M1b"}
    refused = await raise_topic(
        api, chief, "二号网格的事", source="VISIT", gridId=str(world.grids["M2a"])
    )
    assert refused["code"] == "FORBIDDEN", refused


async def test_my_topics_are_those_i_raised_or_supported(api: Api, world: World) -> None:
    mine = await resident_token(api, world, "H1a-x")
    neighbour = await resident_token(api, world, "H1b-x")
    raised = await raised_id(api, mine, "单元门禁坏了")
    backed = await raised_id(api, neighbour, "小区停车难", category="PARKING")
    await raised_id(api, neighbour, "楼道灯不亮", category="REPAIRS")
    assert (await support(api, mine, backed))["__typename"] == "Proposal"
    query = "{ proposals(filter: {mine: true}) { totalCount edges { node { id } } } }"
    listed = (await api.ok(query, token=mine))["proposals"]
    assert listed["totalCount"] == 2
    assert {edge["node"]["id"] for edge in listed["edges"]} == {raised, backed}
    staff = (await api.ok(query, token=await api.login("admin")))["proposals"]
    assert staff["totalCount"] == 0
