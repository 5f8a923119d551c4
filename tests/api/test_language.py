"""Words people read come in Chinese by default and in English on ``Accept-Language: en``;
codes stay the same English for programs (both databases, through the real app)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from domain.database import Database
from tests.api.test_limits import nested_grids
from tests.api_client import Api, api_for
from tests.sync.client import Phone, edited, row
from tests.world import World

LOGIN_WITH_CODE = """mutation($code: String!) { loginWithCode(code: $code, deviceName: "web") {
  __typename ... on Error { code message } } }"""

HOUSEHOLD = """query($id: UUID!) { household(id: $id) {
  __typename ... on Error { code message } } }"""

DELETE_GRID = """mutation($id: UUID!) { deleteGrid(id: $id) {
  __typename ... on Error { code message } } }"""


@pytest.fixture
async def english(database: Database) -> AsyncIterator[Api]:
    client = api_for(database, language="en-US,en;q=0.9")
    try:
        yield client
    finally:
        await client.client.aclose()


async def test_a_wrong_login_code_is_refused_in_chinese_unless_english_is_asked_for(
    api: Api, english: Api, world: World
) -> None:
    chinese = (await api.ok(LOGIN_WITH_CODE, {"code": "WRONG-CODE1"}))["loginWithCode"]
    asked = (await english.ok(LOGIN_WITH_CODE, {"code": "WRONG-CODE1"}))["loginWithCode"]
    assert chinese == {
        "__typename": "InvalidCredentialsError",
        "code": "INVALID_CREDENTIALS",
        "message": "登录码不对、已用过或已过期，请联系您的网格员",
    }
    assert asked == chinese | {
        "message": "this code is wrong, used or expired; ask your grid contact"
    }


async def test_the_kind_of_a_missing_record_is_translated_with_its_message(
    api: Api, english: Api, world: World
) -> None:
    admin = await api.login("admin")
    missing = str(uuid.uuid4())
    chinese = (await api.ok(HOUSEHOLD, {"id": missing}, admin))["household"]
    asked = (await english.ok(HOUSEHOLD, {"id": missing}, admin))["household"]
    assert chinese["code"] == asked["code"] == "NOT_FOUND"
    assert chinese["message"] == f"找不到编号为 {missing} 的户"
    assert asked["message"] == f"no household with id {missing}"


async def test_a_word_given_as_a_parameter_is_translated_too(
    api: Api, english: Api, world: World
) -> None:
    """``grid still has {what}``: the households are 住户 in Chinese, not "households"."""
    admin = await api.login("admin")
    grid = {"id": str(world.grids["M1a"])}
    chinese = (await api.ok(DELETE_GRID, grid, admin))["deleteGrid"]
    asked = (await english.ok(DELETE_GRID, grid, admin))["deleteGrid"]
    assert chinese["code"] == asked["code"] == "CONFLICT"
    assert "households" not in chinese["message"] and "住户" in chinese["message"]
    assert asked["message"] == "grid still has households; move or delete them first"


async def test_an_unknown_or_unwanted_language_gets_chinese(api: Api, world: World) -> None:
    for header in ("fr-FR", "en;q=0, zh-CN", "*", "de, zh-TW;q=0.5"):
        body = await api.post(LOGIN_WITH_CODE, {"code": "WRONG-CODE1"}, language=header)
        assert body["data"]["loginWithCode"]["message"].startswith("登录码不对"), header


async def test_a_validation_limit_and_the_body_limit_speak_the_reader_s_language(
    api: Api, english: Api, world: World
) -> None:
    admin = await api.login("admin")
    chinese = (await api.post(nested_grids(30), token=admin))["errors"][0]
    asked = (await english.post(nested_grids(30), token=admin))["errors"][0]
    assert chinese["extensions"]["code"] == asked["extensions"]["code"]
    assert "嵌套层数超过上限" in chinese["message"]
    assert "exceeds maximum operation depth" in asked["message"]
    body = {"query": "{ viewer { displayName } }", "padding": "x" * 2_000_000}
    too_big = await api.client.post("/graphql", json=body)
    assert too_big.status_code == 413 and "请求内容超过" in too_big.text


async def test_a_device_notice_is_read_in_the_language_of_the_phone_that_pulls_it(
    api: Api, english: Api, world: World
) -> None:
    """The refusal is stored as its template: the same notice reads in Chinese on one pull
    and in English on another (``Accept-Language`` of the pull)."""
    token = await api.login("member1a")
    phone = Phone(api, token)
    [base] = [d for d in await phone.pull_all("resident") if d["name"] == "H1a-x"] or [None]
    assert base is not None
    await phone.push("resident", [row(edited(base, householdId=None), base)])
    [chinese] = await Phone(api, token).pull_all("deviceNotice")
    [asked] = await Phone(english, token).pull_all("deviceNotice")
    assert chinese["code"] == asked["code"] == "INVALID_INPUT"
    assert chinese["message"] == "householdId：必须填写，不能清空"
    assert asked["message"] == "householdId: is required: it cannot be cleared"
    assert {**chinese, "message": None} == {**asked, "message": None}
