"""Lists people read come in natural order through the API, across pages, on both engines.

Grids: 第一, 第二 … 第十一 (numerals as numbers) unless staff set an explicit order with
``reorderGrids``; households: building, unit, room compared as numbers (101 < 102 < 1001,
2单元 < 10单元, A座 after numbers), whichever path wrote them (API, phone push, register
import); residents: household by household in that order, then by name.
"""

from __future__ import annotations

import csv
import uuid
from pathlib import Path
from typing import Any

from api.residents_io import import_residents
from domain.database import Database
from tests.api_client import Api
from tests.sync.client import Phone, row
from tests.world import CIPHER, World

ERRORS = "__typename ... on Error { code message } ... on InvalidInputError { field }"
CREATE_GRID = """mutation($name: String!, $parentId: UUID) {
  createGrid(name: $name, parentId: $parentId) { ... on Grid { id } } }"""
GRIDS = "query { grids { id name parentId sortOrder } }"
CHILDREN = """query($id: UUID!) { grid(id: $id) { ... on Grid { children { name } } } }"""
REORDER = f"""mutation($parentId: UUID, $ids: [UUID!]!) {{
  reorderGrids(parentId: $parentId, ids: $ids) {{
    {ERRORS} ... on GridOrder {{ parentId grids {{ id name sortOrder }} }} }} }}"""
CREATE_HOUSEHOLD = """mutation($gridId: UUID!, $b: String!, $u: String!, $r: String!) {
  createHousehold(gridId: $gridId, building: $b, unit: $u, room: $r) {
    __typename ... on Household { id } } }"""
HOUSEHOLDS = """query($first: Int, $after: String, $grid: UUID) {
  households(first: $first, after: $after, filter: {gridId: $grid}) {
    edges { cursor node { building unit room { value } } }
    pageInfo { hasNextPage endCursor } } }"""
RESIDENTS = """query($first: Int, $after: String, $grid: UUID) {
  residents(first: $first, after: $after, filter: {gridId: $grid}) {
    edges { node { name } } pageInfo { hasNextPage endCursor } } }"""
COVERAGE = "query { coverage { grids { grid { name } households } } }"


async def _grid(api: Api, token: str, name: str, parent: Any = None) -> str:
    data = await api.ok(CREATE_GRID, {"name": name, "parentId": parent and str(parent)}, token)
    return str(data["createGrid"]["id"])


async def _household(api: Api, token: str, grid: str, b: str, u: str, r: str) -> str:
    data = await api.ok(CREATE_HOUSEHOLD, {"gridId": grid, "b": b, "u": u, "r": r}, token)
    assert data["createHousehold"]["__typename"] == "Household", data
    return str(data["createHousehold"]["id"])


async def _addresses(api: Api, token: str, grid: str, first: int) -> list[tuple[str, str, str]]:
    """Every household of ``grid``, page by page of ``first``, through the cursors."""
    found: list[tuple[str, str, str]] = []
    after = None
    while True:
        page = (await api.ok(HOUSEHOLDS, {"first": first, "after": after, "grid": grid}, token))[
            "households"
        ]
        found.extend(
            (e["node"]["building"], e["node"]["unit"], e["node"]["room"]["value"])
            for e in page["edges"]
        )
        assert len(page["edges"]) <= first
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


async def _names(api: Api, token: str) -> list[str]:
    return [grid["name"] for grid in (await api.ok(GRIDS, token=token))["grids"]]


TOP = ["第三网格", "第二网格", "第十一网格", "第一网格", "第二十网格", "第四网格"]
TOP_IN_ORDER = ["第一网格", "第二网格", "第三网格", "第四网格", "第十一网格", "第二十网格"]
BUILDINGS = ["10号楼", "A座", "2号楼", "1号楼"]


async def test_grids_and_their_children_read_with_numerals_as_numbers(
    api: Api, world: World
) -> None:
    admin = await api.login("admin")
    ids = {name: await _grid(api, admin, name) for name in TOP}
    for name in BUILDINGS:
        await _grid(api, admin, name, ids["第二网格"])
    for name in ("3号楼", "1号楼"):
        await _grid(api, admin, name, ids["第一网格"])

    names = await _names(api, admin)
    assert [n for n in names if n in TOP] == TOP_IN_ORDER
    # top grids first, then the micro-grids grouped under their grids in the grids' order
    assert names[-6:] == ["1号楼", "3号楼", "1号楼", "2号楼", "10号楼", "A座"]
    children = await api.ok(CHILDREN, {"id": ids["第二网格"]}, admin)
    assert [c["name"] for c in children["grid"]["children"]] == ["1号楼", "2号楼", "10号楼", "A座"]


async def test_the_coverage_list_follows_the_tree_order(api: Api, world: World) -> None:
    admin = await api.login("admin")
    tops = {name: await _grid(api, admin, name) for name in ("第十一网格", "第二网格")}
    for top, building in (("第十一网格", "1号楼"), ("第二网格", "10号楼"), ("第二网格", "2号楼")):
        micro = await _grid(api, admin, building, tops[top])
        await _household(api, admin, micro, building, "1单元", "101")
    listed = [
        item["grid"]["name"] for item in (await api.ok(COVERAGE, token=admin))["coverage"]["grids"]
    ]
    ours = [n for n in listed if "号楼" in n or n in tops]
    assert ours == ["第二网格", "第十一网格", "2号楼", "10号楼", "1号楼"]


async def test_households_page_by_address_with_numbers_as_numbers(api: Api, world: World) -> None:
    admin = await api.login("admin")
    micro = await _grid(api, admin, "9号楼", world.grids["G1"])
    addresses = [
        (building, unit, room)
        for building in ("10号楼", "2号楼", "A座")
        for unit in ("10单元", "2单元")
        for room in ("1001", "1002", "101", "102", "99")
    ]
    for address in reversed(addresses):
        await _household(api, admin, micro, *address)
    expected = [
        (building, unit, room)
        for building in ("2号楼", "10号楼", "A座")
        for unit in ("2单元", "10单元")
        for room in ("99", "101", "102", "1001", "1002")
    ]
    for first in (4, 7, 100):
        assert await _addresses(api, admin, micro, first) == expected
    chief = await api.login("chief1")  # staff covering the node see the same order
    assert await _addresses(api, chief, micro, 6) == expected


async def test_residents_page_household_by_household_then_by_name(api: Api, world: World) -> None:
    admin = await api.login("admin")
    micro = await _grid(api, admin, "8号楼", world.grids["G1"])
    create = """mutation($h: UUID!, $name: String!) {
      createResident(householdId: $h, fields: {name: $name}) { __typename } }"""
    for room in ("1001", "2", "101"):
        household = await _household(api, admin, micro, "1号楼", "1单元", room)
        for name in ("乙", "甲"):
            await api.ok(create, {"h": household, "name": f"{room}{name}"}, admin)
    seen: list[str] = []
    after = None
    while True:
        page = (await api.ok(RESIDENTS, {"first": 4, "after": after, "grid": micro}, admin))[
            "residents"
        ]
        seen.extend(edge["node"]["name"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ["2乙", "2甲", "101乙", "101甲", "1001乙", "1001甲"]


async def test_staff_set_an_explicit_order_and_can_take_it_away(api: Api, world: World) -> None:
    admin = await api.login("admin")
    for name in ("第二网格", "第一网格"):
        await _grid(api, admin, name)
    tops = {g["name"]: g["id"] for g in (await api.ok(GRIDS, token=admin))["grids"]}
    top_ids = [tops[n] for n in ("第二网格", "G2", "第一网格", "G1")]
    done = (await api.ok(REORDER, {"parentId": None, "ids": top_ids}, admin))["reorderGrids"]
    assert done["__typename"] == "GridOrder"
    assert [(g["name"], g["sortOrder"]) for g in done["grids"]] == [
        ("第二网格", 1),
        ("G2", 2),
        ("第一网格", 3),
        ("G1", 4),
    ]
    assert (await _names(api, admin))[:4] == ["第二网格", "G2", "第一网格", "G1"]
    await _grid(api, admin, "第三网格")  # not placed: after the placed ones
    assert (await _names(api, admin))[:5] == ["第二网格", "G2", "第一网格", "G1", "第三网格"]

    reset = await api.ok(REORDER, {"parentId": None, "ids": []}, admin)
    assert {g["sortOrder"] for g in reset["reorderGrids"]["grids"]} == {None}
    names = await _names(api, admin)
    assert [n for n in names if n.startswith("第")][:3] == ["第一网格", "第二网格", "第三网格"]

    chief = await api.login("chief1")  # 网格长 of G1: may order G1's micro-grids
    g1 = str(world.grids["G1"])
    order = [str(world.grids["M1b"]), str(world.grids["M1a"])]
    mine = await api.ok(REORDER, {"parentId": g1, "ids": order}, chief)
    assert [g["id"] for g in mine["reorderGrids"]["grids"]] == order
    children = await api.ok(CHILDREN, {"id": g1}, chief)
    assert [c["name"] for c in children["grid"]["children"]] == ["M1b", "M1a"]


async def _refused(api: Api, token: str, parent: Any, ids: list[Any], code: str) -> None:
    variables = {"parentId": parent and str(parent), "ids": [str(i) for i in ids]}
    result = (await api.ok(REORDER, variables, token))["reorderGrids"]
    assert result.get("code") == code, result
    if code == "INVALID_INPUT":
        assert result["field"] == "ids"


async def test_reordering_is_refused_to_those_not_covering_the_node_and_for_bad_lists(
    api: Api, world: World
) -> None:
    g = world.grids
    admin = await api.login("admin")
    before = (await api.ok(GRIDS, token=admin))["grids"]
    chief1, chief2 = await api.login("chief1"), await api.login("chief2")
    member = await api.login("member1a")  # 红色微网格员 on M1a: does not cover G1
    await _refused(api, chief2, g["G1"], [g["M1b"], g["M1a"]], "FORBIDDEN")
    await _refused(api, chief1, None, [g["G2"], g["G1"]], "FORBIDDEN")
    await _refused(api, member, g["G1"], [g["M1b"], g["M1a"]], "FORBIDDEN")
    await _refused(api, admin, g["G1"], [g["M1b"]], "INVALID_INPUT")  # one missing
    await _refused(api, admin, g["G1"], [g["M1b"], g["M1a"], g["M1a"]], "INVALID_INPUT")
    await _refused(api, admin, g["G1"], [g["M1b"], g["M2a"]], "INVALID_INPUT")  # not a child
    await _refused(api, admin, g["G1"], [g["M1b"], g["M1a"], g["MB"]], "INVALID_INPUT")
    await _refused(api, admin, g["GB"], [g["MB"]], "NOT_FOUND")  # another community's node
    await _refused(api, admin, uuid.uuid4(), [], "NOT_FOUND")
    assert (await api.ok(GRIDS, token=admin))["grids"] == before  # nothing changed


def _blank_household(grid: str, building: str, unit: str, room: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "gridId": grid,
        "building": building,
        "unit": unit,
        "room": room,
        "contactPostId": None,
        "updatedAt": None,
        "deleted": False,
    }


async def test_households_a_phone_pushes_take_their_place_in_the_order(
    api: Api, world: World
) -> None:
    chief = await api.login("chief1")
    phone = Phone(api, chief)
    grid = str(world.grids["M1b"])
    created = [_blank_household(grid, "7号楼", "1单元", r) for r in ("1001", "102", "11")]
    assert await phone.push("household", [row(doc) for doc in created]) == []
    moved = next(doc for doc in await phone.pull_all("household") if doc["room"] == "1001")
    assert await phone.push("household", [row({**moved, "room": "1"}, moved)]) == []
    ours = [a for a in await _addresses(api, chief, grid, 2) if a[0] == "7号楼"]
    assert [room for _, _, room in ours] == ["1", "11", "102"]


async def test_households_the_register_import_creates_take_their_place_in_the_order(
    api: Api, world: World, database: Database, tmp_path: Path
) -> None:
    header = ["楼栋", "单元", "房号", "姓名", "微网格"]
    rows = [["5号楼", "1单元", room, f"住户{room}", "M2a"] for room in ("1001", "99", "101")]
    path = tmp_path / "register.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    report = await import_residents(database, CIPHER, path, community="浩宇苑社区")
    assert report.applied and report.counts()["create"] == 3, report.refused
    admin = await api.login("admin")
    ours = [a for a in await _addresses(api, admin, str(world.grids["M2a"]), 2) if a[0] == "5号楼"]
    assert [room for _, _, room in ours] == ["99", "101", "1001"]
