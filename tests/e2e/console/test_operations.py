"""运维 in Chromium on the demo community: a sync conflict made through the push API (a phone
edits a resident's phone from a base the server has since changed) resolved in the inbox;
a device logged in through the API revoked from 设备, after which its refresh fails; a reveal
made through the API found in 访问记录 by its purpose; a grid chief without 访问记录 or 社区设置;
the settings saved and read back (and a bad pair refused in the form)."""

from __future__ import annotations

from datetime import date
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.console.conftest import DEMO_PASSWORD, OpenConsole, Served, check_page
from tests.e2e.graphql_http import graphql, login, result
from tests.sync.client import pull_query, push_query, row

UPDATE_RESIDENT = """mutation($id: UUID!, $f: ResidentFields!) {
  updateResident(id: $id, fields: $f) { __typename ... on Error { code message } } }"""
RESIDENT_PHONE = (
    """query($id: UUID!) { resident(id: $id) { __typename ... on Resident { phone { value } } } }"""
)
CONFLICTS = "{ syncConflicts { id subject field } }"
LOGIN = """mutation($u: String!, $p: String!, $d: String!) {
  login(username: $u, password: $p, deviceName: $d) {
    __typename ... on AuthSession { accessToken refreshToken } ... on Error { code message } } }"""
REFRESH = """mutation($t: String!) { refreshSession(refreshToken: $t) {
  __typename ... on Error { code message } } }"""
REVEAL = """mutation($r: UUID!, $p: String!) { revealPersonalData(residentId: $r, purpose: $p) {
  __typename ... on Error { code message } } }"""
SETTINGS = """{ communitySettings { ... on CommunitySettings { ratingWindowDays ratingFloor
  minimumRatings escalationToCadreDays escalationToAdminDays } } }"""


def menu(page: Page) -> Any:
    return page.get_by_role("navigation", name="主菜单")


def go(page: Page, item: str) -> None:
    menu(page).get_by_text(item, exact=True).click()
    expect(page.locator(".layout-header h1")).to_have_text(item)


def a_phone_conflict(base: str) -> tuple[dict[str, Any], str, str]:
    """micro1-1's phone pulls its residents; the server changes one's phone; the phone, from
    its stale base, pushes another: one open conflict. The resident, server and device values."""
    phone = login(base, "micro1-1")
    page = graphql(base, pull_query("resident"), {"checkpoint": None, "limit": 50}, phone)
    documents = page["pullResident"]["documents"]
    base_doc = next(d for d in documents if d["phone"] and not d["deleted"])
    server_value, device_value = "13911112222", "13933334444"
    admin = login(base)
    changed = graphql(
        base, UPDATE_RESIDENT, {"id": base_doc["id"], "f": {"phone": server_value}}, admin
    )
    assert changed["updateResident"]["__typename"] == "Resident", changed
    pushed = graphql(
        base,
        push_query("resident"),
        {"residentPushRow": [row({**base_doc, "phone": device_value}, base_doc)]},
        phone,
    )
    assert pushed["pushResident"], "the push answers the server's state as a conflict"
    return base_doc, server_value, device_value


def test_a_sync_conflict_is_resolved_in_the_inbox(
    console_server: Served, open_console: OpenConsole
) -> None:
    base = console_server.base
    resident, server_value, device_value = a_phone_conflict(base)
    admin = login(base)
    [conflict] = [
        c for c in graphql(base, CONFLICTS, token=admin)["syncConflicts"] if c["field"] == "phone"
    ]
    assert conflict["subject"].startswith(resident["name"])

    page = open_console(base, "admin")
    go(page, "同步冲突")
    card = page.locator(f"[data-conflict='{conflict['id']}']")
    expect(card).to_contain_text(f"居民：{resident['name']}")
    values = card.locator(".conflict-values tbody tr")
    expect(values).to_contain_text("联系电话")
    expect(values).to_contain_text(server_value)
    expect(values).to_contain_text(device_value)
    expect(card.locator(".conflict-values thead")).to_contain_text("原值服务器设备")
    check_page(page, "conflicts")

    card.get_by_role("button", name="采用设备的值").click()
    expect(page.locator(".el-message--success")).to_contain_text("已处理")
    expect(card).to_have_count(0)
    stored = graphql(base, RESIDENT_PHONE, {"id": resident["id"]}, admin)["resident"]
    assert stored["phone"]["value"] == f"{device_value[:3]}****{device_value[-4:]}"  # masked
    page.locator(".conflicts .el-radio-button").filter(has_text="已处理").click()
    expect(card).to_contain_text("采用设备的值")


def test_a_revoked_device_can_no_longer_refresh(
    console_server: Served, open_console: OpenConsole
) -> None:
    base = console_server.base
    signed = graphql(base, LOGIN, {"u": "micro1-1", "p": DEMO_PASSWORD, "d": "走访用的旧手机"})
    session = result(signed, "login", "AuthSession")

    page = open_console(base, "admin", viewport="tablet")
    go(page, "设备")
    device = page.locator(".device-table tbody tr").filter(has_text="走访用的旧手机")
    expect(device).to_have_count(1)
    expect(page.locator(".device-table tbody tr").filter(has_text="本机")).to_have_count(1)
    check_page(page, "devices")
    device.get_by_role("button", name="吊销").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("立即退出登录")
    expect(dialog).to_contain_text("不能再同步数据")
    dialog.get_by_role("button", name="吊销").click()
    expect(page.locator(".el-message--success")).to_contain_text("已吊销")
    expect(device).to_have_count(0)
    page.locator(".devices .el-switch").click()
    expect(device).to_contain_text("已吊销")

    refreshed = graphql(base, REFRESH, {"t": session["refreshToken"]})["refreshSession"]
    assert refreshed["__typename"] == "InvalidCredentialsError", refreshed


def test_the_access_log_finds_a_reveal_by_its_purpose(
    console_server: Served, open_console: OpenConsole
) -> None:
    base = console_server.base
    admin = login(base)
    people = graphql(base, "{ residents(first: 5) { edges { node { id name } } } }", token=admin)
    resident = people["residents"]["edges"][3]["node"]
    chief = login(base, "chief1")
    revealed = graphql(base, REVEAL, {"r": resident["id"], "p": "矛盾调解"}, chief)
    if revealed["revealPersonalData"]["__typename"] != "PersonalData":  # not in chief1's grid
        revealed = graphql(base, REVEAL, {"r": resident["id"], "p": "矛盾调解"}, admin)
    assert revealed["revealPersonalData"]["__typename"] == "PersonalData", revealed

    page = open_console(base, "admin")
    go(page, "访问记录")
    expect(page.locator(".log-table tbody tr").first).to_be_visible()
    page.get_by_role("combobox", name="用途").click()
    page.locator(".el-select-dropdown__item:visible").filter(has_text="查看：矛盾调解").click()
    rows = page.locator(".log-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(resident["name"])
    expect(rows.first).to_contain_text("矛盾调解")
    expect(rows.first).to_contain_text("查看")
    check_page(page, "access-log")  # before the date picker, whose open panel axe cannot name

    today = date.today().isoformat()
    page.get_by_placeholder("开始日期").fill(today)
    page.get_by_placeholder("结束日期").fill(today)
    page.get_by_placeholder("结束日期").press("Enter")
    page.get_by_role("button", name="查询").click()
    expect(rows).to_have_count(1)
    page.get_by_placeholder("开始日期").fill("2000-01-01")
    page.get_by_placeholder("结束日期").fill("2000-01-02")
    page.get_by_placeholder("结束日期").press("Enter")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_text("没有符合条件的访问记录")).to_be_visible()
    page.get_by_placeholder("开始日期").fill(today)
    page.get_by_placeholder("结束日期").fill(today)
    page.get_by_placeholder("结束日期").press("Enter")
    page.get_by_role("button", name="查询").click()
    expect(rows).to_have_count(1)


def test_a_grid_chief_has_no_access_log_or_settings(
    console_server: Served, open_console: OpenConsole
) -> None:
    base = console_server.base
    chief = graphql(base, "{ viewer { displayName } }", token=login(base, "chief1"))
    name = chief["viewer"]["displayName"]
    page = open_console(base, "chief1")
    expect(menu(page)).to_contain_text("同步冲突")
    expect(menu(page)).to_contain_text("设备")
    expect(menu(page)).not_to_contain_text("访问记录")
    expect(menu(page)).not_to_contain_text("社区设置")
    go(page, "设备")
    accounts = page.locator(".device-table tbody tr td:first-child")
    expect(accounts.first).to_have_text(name)
    assert set(accounts.all_inner_texts()) == {name}
    check_page(page, "devices-staff")
    go(page, "同步冲突")
    expect(page.locator(".conflicts")).to_be_visible()
    check_page(page, "conflicts-staff")
    for path in ("access-log", "settings"):
        page.goto(f"{base}/console/#/{path}")
        expect(page.locator(".layout-header h1")).to_have_text("无权查看")


def test_the_settings_are_saved_and_read_back(
    console_server: Served, open_console: OpenConsole
) -> None:
    base = console_server.base
    page = open_console(base, "admin")
    go(page, "社区设置")
    expect(page.locator(".setting-help").first).to_contain_text("评菜")
    check_page(page, "settings")
    page.locator("#setting-ratingWindowDays").fill("12")
    page.locator("#setting-ratingFloor").fill("3.5")
    page.locator("#setting-escalationToCadreDays").fill("9")
    page.locator("#setting-escalationToAdminDays").fill("20")
    page.locator("#setting-escalationToAdminDays").blur()
    page.get_by_role("button", name="保存设置").click()
    expect(page.locator(".el-message--success")).to_contain_text("设置已保存")
    saved = graphql(base, SETTINGS, token=login(base))["communitySettings"]
    assert saved["ratingWindowDays"] == 12 and saved["ratingFloor"] == 3.5
    assert (saved["escalationToCadreDays"], saved["escalationToAdminDays"]) == (9, 20)

    page.reload()
    expect(page.locator("#setting-ratingWindowDays")).to_have_value("12")
    expect(page.locator("#setting-ratingFloor")).to_have_value("3.5")

    page.locator("#setting-escalationToAdminDays").fill("5")
    page.locator("#setting-escalationToAdminDays").blur()
    page.get_by_role("button", name="保存设置").click()
    error = page.locator(".el-form-item__error")
    expect(error).to_be_visible()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error.inner_text())
    kept = graphql(base, SETTINGS, token=login(base))["communitySettings"]
    assert kept["escalationToAdminDays"] == 20, "a refused change writes nothing"
