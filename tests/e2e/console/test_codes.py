"""登录码 in Chromium on the demo community: a micro-grid member and the secretary print the
slips of one micro-grid (a warning first, then the sheet in a new tab with one QR code per
resident), a printed code signs in on the residents' page through ``/?code=``, and reissuing
one resident's code shows it once with the notice that the earlier one stopped working."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.console.conftest import ARTIFACTS, OpenConsole, Served, check_page, run_axe
from tests.e2e.console.test_households import choose
from tests.e2e.graphql_http import graphql, login

MICRO = "1号楼1单元"
RESIDENTS = """query($f: ResidentFilter) { residents(first: 100, filter: $f) {
  totalCount edges { node { name } } } }"""
GRIDS = "{ grids { id name } }"


def residents_of(base: str, token: str, grid_name: str) -> list[str]:
    grid = next(g for g in graphql(base, GRIDS, token=token)["grids"] if g["name"] == grid_name)
    data = graphql(base, RESIDENTS, {"f": {"gridId": grid["id"]}}, token)["residents"]
    assert data["totalCount"] == len(data["edges"])
    return [edge["node"]["name"] for edge in data["edges"]]


def print_slips(page: Page, name: str) -> Page:
    """Choose the micro-grid, confirm the warning, and return the sheet's new tab."""
    page.goto(page.url.split("#")[0] + "#/codes")
    expect(page.locator(".layout-header h1")).to_have_text("登录码")
    choose(page, "网格节点", MICRO)
    page.get_by_role("button", name="打印登录码").click()
    dialog = page.get_by_role("dialog", name="打印登录码")
    expect(dialog).to_contain_text("之前的登录码")
    with page.context.expect_page() as opened:
        dialog.get_by_role("button", name="发放并打印").click()
    sheet = opened.value
    sheet.wait_for_load_state()
    expect(page.locator("[data-test=printed]")).to_contain_text(MICRO)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    sheet.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    return sheet


def test_a_micro_grid_member_prints_slips_and_a_code_signs_in(
    console_server: Served, open_console: OpenConsole
) -> None:
    base = console_server.base
    names = residents_of(base, login(base, "micro1-1"), MICRO)
    assert names
    page = open_console(base, "micro1-1")
    page.goto(f"{base}/console/#/codes")
    expect(page.locator(".layout-header h1")).to_have_text("登录码")
    check_page(page, "codes-micro-grid-member")
    sheet = print_slips(page, "codes-slips-micro-grid-member")
    slips = sheet.locator(".slip")
    expect(slips).to_have_count(len(names))
    expect(sheet.locator(".slip .qr svg")).to_have_count(len(names))
    expect(sheet.locator("section.building h2")).to_have_text(["1号楼"])
    assert sorted(sheet.locator(".slip .name").all_inner_texts()) == sorted(names)
    expect(sheet.locator(".slip").first).to_contain_text("浩宇苑社区")
    # the sheet's own styles apply (cut lines) under the console's policy, in a blob tab
    assert sheet.locator(".slip").first.evaluate("e => getComputedStyle(e).borderStyle") == (
        "dashed"
    )
    bad = [v for v in run_axe(sheet) if v["impact"] in ("critical", "serious")]
    assert not bad, bad

    code = sheet.locator(".slip .code").first.inner_text()
    name = sheet.locator(".slip .name").first.inner_text()
    resident = page.context.browser.new_context(locale="zh-CN").new_page()  # type: ignore[union-attr]
    resident.goto(f"{base}/?code={code}")
    expect(resident.locator("#who-name")).to_have_text(name)
    assert "code=" not in resident.url
    resident.context.close()
    assert code not in console_server.log.read_text(encoding="utf-8")  # codes are never logged


def test_the_secretary_prints_slips_and_reissues_one_code(
    console_server: Served, open_console: OpenConsole
) -> None:
    base = console_server.base
    names = residents_of(base, login(base), MICRO)
    page = open_console(base, "admin")
    sheet = print_slips(page, "codes-slips-admin")
    expect(sheet.locator(".slip")).to_have_count(len(names))
    expect(sheet.locator(".slip .qr svg")).to_have_count(len(names))
    sheet.close()

    # everyone of the micro-grid has a live code now: a reissue replaces it
    someone = names[-1]
    page.get_by_label("居民", exact=True).fill(someone)
    page.get_by_role("button", name="查找").click()
    row = page.locator(".code-residents tr").filter(has_text=someone).first
    row.get_by_role("button", name="重新发放").click()
    page.get_by_role("dialog", name="重新发放").get_by_role("button", name="发放").click()
    shown = page.get_by_role("dialog", name="新的登录码")
    expect(shown.locator("[data-test=issued-code]")).to_have_text(
        re.compile(r"^[A-Z0-9]{5}-[A-Z0-9]{5}$")
    )
    expect(shown.locator("[data-test=replaced]")).to_contain_text("之前的登录码已失效")
    page.wait_for_function("() => document.getAnimations().length === 0")  # faded in
    check_page(page, "codes-reissued")
    shown.get_by_role("button", name="我已记下").click()
    expect(shown).to_be_hidden()
