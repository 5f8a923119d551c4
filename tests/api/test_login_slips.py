"""Residents' login codes: a reissue says the old code stopped working (and it does), and the
printable slips for a grid node (``POST /console/slips``) follow ``issueLoginCode``'s rule."""

from __future__ import annotations

import re
from typing import Any

import httpx

from api.login_slips import qr_svg
from domain.database import Database
from tests.api_client import Api
from tests.council.helpers import resident_token
from tests.council.test_ledger import counting
from tests.world import World

ISSUE = """mutation($r: UUID!) { issueLoginCode(residentId: $r) { __typename
  ... on LoginCode { code expiresAt replacedEarlierCode } ... on Error { code message } } }"""
LOGIN = """mutation($c: String!) { loginWithCode(code: $c) { __typename
  ... on AuthSession { viewer { displayName } } ... on Error { code message } } }"""
CODE = re.compile(r'class="code">([A-Z0-9-]+)<')


async def issue(api: Api, token: str, resident: Any) -> dict[str, Any]:
    return dict((await api.ok(ISSUE, {"r": str(resident)}, token))["issueLoginCode"])


async def login(api: Api, code: str) -> dict[str, Any]:
    return dict((await api.ok(LOGIN, {"c": code}))["loginWithCode"])


async def slips(
    client: httpx.AsyncClient, token: str | None, body: Any, **headers: str
) -> httpx.Response:
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.post("/console/slips", json=body, headers=auth | headers)


async def test_a_reissued_code_says_so_and_the_old_one_fails(api: Api, world: World) -> None:
    admin = await api.login("admin")
    first = await issue(api, admin, world.residents["H1a-x"])
    second = await issue(api, admin, world.residents["H1a-x"])
    assert first["replacedEarlierCode"] is False and second["replacedEarlierCode"] is True
    assert (await login(api, first["code"]))["__typename"] == "InvalidCredentialsError"
    assert (await login(api, second["code"]))["viewer"]["displayName"] == "H1a-x"
    # a code that was used is not "replaced": nothing live stopped working
    assert (await issue(api, admin, world.residents["H1a-x"]))["replacedEarlierCode"] is False


async def test_slips_for_a_micro_grid_issue_codes_grouped_by_building(
    api: Api, world: World, database: Database
) -> None:
    admin = await api.login("admin")
    earlier = await issue(api, admin, world.residents["H1a2-y"])
    member = await api.login("member1a")
    answer = await slips(api.client, member, {"gridId": str(world.grids["M1a"])})
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    assert "style-src 'sha256-" in answer.headers["content-security-policy"]
    page = answer.text
    assert page.count('class="slip"') == 4 and page.count("<svg") == 4
    names = re.findall(r'class="name">([^<]+)<', page)
    assert names == ["H1a-x", "H1a-y", "H1a2-x", "H1a2-y"]
    assert re.findall(r"<h2>([^<]+)</h2>", page) == ["H1a", "H1a2"]
    assert page.count("之前的登录码已失效") == 2  # H1a2-y's slip and the header's count
    assert "其中 1 位居民之前的登录码已失效" in page and "浩宇苑社区" in page
    codes = CODE.findall(page)
    assert len(set(codes)) == 4
    # each QR code is the residents' page with that slip's code
    assert all(qr_svg(f"http://testserver/?code={code}") in page for code in codes)
    assert (await login(api, earlier["code"]))["__typename"] == "InvalidCredentialsError"
    assert (await login(api, codes[3]))["viewer"]["displayName"] == "H1a2-y"


async def test_slips_for_a_grid_and_one_building_as_admin(api: Api, world: World) -> None:
    admin = await api.login("admin")
    whole = await slips(api.client, admin, {"gridId": str(world.grids["G1"])})
    one = await slips(api.client, admin, {"gridId": str(world.grids["G1"]), "building": "H1b"})
    assert whole.text.count('class="slip"') == 6
    assert re.findall(r"<h2>([^<]+)</h2>", whole.text) == ["H1a", "H1a2", "H1b"]
    assert re.findall(r'class="name">([^<]+)<', one.text) == ["H1b-x", "H1b-y"]
    # the first sheet's codes for H1b stopped working when the second was printed
    first_h1b = CODE.findall(whole.text)[4]
    assert (await login(api, first_h1b))["__typename"] == "InvalidCredentialsError"


async def test_slips_are_refused_outside_ones_posts(api: Api, world: World) -> None:
    member = await api.login("member1a")
    admin = await api.login("admin")
    nopost = await api.login("nopost")
    resident = await resident_token(api, world, "H1a-x")
    grid = {"gridId": str(world.grids["M1b"])}
    answers = [
        await slips(api.client, member, grid),
        await slips(api.client, member, {"gridId": str(world.grids["G1"])}),
        await slips(api.client, nopost, grid),
        await slips(api.client, resident, grid),
        await slips(api.client, None, grid),
        await slips(api.client, admin, {"gridId": "not-a-uuid"}),
        await slips(api.client, admin, ["a list"]),
        await slips(api.client, admin, {"gridId": str(world.grids["MB"])}),
    ]
    assert [a.status_code for a in answers] == [403, 403, 403, 403, 401, 400, 400, 404]
    assert answers[0].json()["message"] == "这个网格不在您负责的范围内"
    assert "请选择网格节点" in answers[5].json()["message"]
    # nothing was issued: H1b-x's earlier code still works after the refused requests
    code = await issue(api, admin, world.residents["H1b-x"])
    await slips(api.client, member, grid)
    assert (await login(api, code["code"]))["__typename"] == "AuthSession"


async def test_a_sheet_costs_the_same_statements_for_2_and_6_residents(
    api: Api, world: World, database: Database
) -> None:
    admin = await api.login("admin")
    await slips(api.client, admin, {"gridId": str(world.grids["G1"])})  # every code now live
    with counting(database) as few:
        small = await slips(api.client, admin, {"gridId": str(world.grids["M1b"])})
    with counting(database) as many:
        large = await slips(api.client, admin, {"gridId": str(world.grids["G1"])})
    assert small.text.count('class="slip"') == 2 and large.text.count('class="slip"') == 6
    assert len(many) == len(few)
