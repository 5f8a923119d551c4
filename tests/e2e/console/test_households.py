"""住户与居民 and 联系覆盖 in Chromium on the demo community: finding a household by a
resident's name, revealing a phone with a reason (and finding that read in the access log),
filtering by grid and by contact, editing a household and a resident with the server's
refusals shown in the form, assigning contacts until the uncovered count drops, and a
micro-grid member seeing only their own stairwell."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.console.conftest import OpenConsole, Served, check_page
from tests.e2e.graphql_http import graphql, login

COUNT = """query($f: HouseholdFilter) { households(first: 1, filter: $f) { totalCount } }"""
FIRST_RESIDENTS = """{ households(first: 100) { edges { node { building unit
  residents { id name } } } } }"""
LOG = """query($r: UUID) { personalDataAccessLog(residentId: $r) {
  kind purpose accountName residentId } }"""
UNCOVERED = "{ coverage { households covered } }"


def count(base: str, token: str, **where: Any) -> int:
    return int(graphql(base, COUNT, {"f": where}, token)["households"]["totalCount"])


def a_resident_found_only_in_one_household(base: str, token: str) -> dict[str, Any]:
    """A resident whose name no other resident's contains, so that a search finds one row."""
    households = graphql(base, FIRST_RESIDENTS, token=token)["households"]["edges"]
    residents = [r for edge in households for r in edge["node"]["residents"]]
    names = [r["name"] for r in residents]
    for resident in residents[40:]:
        alone = sum(resident["name"] in name for name in names) == 1
        if alone and count(base, token, search=resident["name"]) == 1:
            return dict(resident)
    raise AssertionError("the demo has no resident with a name of their own")


def total(page: Page) -> int:
    text = page.locator("[data-test=total]").inner_text()
    return int(re.sub(r"\D", "", text))


def choose(page: Page, label: str, option: str) -> None:
    """Pick ``option`` in the Element Plus select labelled ``label`` (a click that lands while
    a dialog is still opening may not open the list: then click again)."""
    wanted = page.locator(".el-select-dropdown__item:visible, .el-tree-node__label:visible")
    wanted = wanted.filter(has_text=re.compile(f"^{re.escape(option)}$")).first
    for _attempt in range(3):
        page.get_by_role("combobox", name=label, exact=True).click(force=True)
        try:
            wanted.wait_for(state="visible", timeout=3_000)
            break
        except PlaywrightTimeout:
            continue
    wanted.click()
    expect(page.locator(".el-select-dropdown:visible")).to_have_count(0)


def test_the_secretary_finds_a_resident_and_reveals_a_phone_with_a_reason(
    console_server: Served, open_console: OpenConsole
) -> None:
    base = console_server.base
    admin = login(base)
    resident = a_resident_found_only_in_one_household(base, admin)
    page = open_console(base, "admin")
    page.get_by_role("navigation", name="主菜单").get_by_text("住户与居民").click()
    expect(page.locator(".layout-header h1")).to_have_text("住户与居民")
    expect(page.locator("[data-test=total]")).to_have_text(f"共 {count(base, admin)} 户")

    page.get_by_label("搜索", exact=True).fill(resident["name"])
    page.get_by_role("button", name="查询").click()
    expect(page.locator("[data-test=total]")).to_have_text("共 1 户")
    page.get_by_role("button", name="居民", exact=True).click()
    row = page.locator(".residents tr").filter(has_text=resident["name"])
    masked = row.locator(".protected").first
    expect(masked).to_contain_text("****")
    masked.get_by_role("button", name="查看").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("记入个人信息访问记录")
    check_page(page, "households-reveal")
    dialog.get_by_role("button", name="查看").click()
    expect(dialog).to_contain_text("请选择或填写查看原因")  # the reason is required
    choose(page, "查看原因", "上门走访")
    dialog.get_by_role("button", name="查看").click()
    expect(dialog).to_be_hidden()
    revealed = row.locator("[data-test=revealed]")
    expect(revealed).to_have_text(re.compile(r"^1\d{10}$"))
    expect(row).to_contain_text("秒后隐藏")

    log = graphql(base, LOG, {"r": resident["id"]}, admin)["personalDataAccessLog"]
    assert [(e["kind"], e["purpose"]) for e in log] == [("READ", "上门走访")]
    row.get_by_role("button", name="隐藏").click()
    expect(revealed).to_have_count(0)
    check_page(page, "households-admin")

    page.get_by_label("搜索", exact=True).fill("")
    choose(page, "网格", "第二网格")
    expect(page.locator("[data-test=total]")).to_have_text("共 40 户")
    choose(page, "联系人", "未落实联系人")
    second_grid = graphql(base, "{ grids { id name } }", token=admin)["grids"]
    grid_id = next(g["id"] for g in second_grid if g["name"] == "第二网格")
    expected = count(base, admin, gridId=grid_id, hasContact=False)
    expect(page.locator("[data-test=total]")).to_have_text(f"共 {expected} 户")
    expect(page.locator(".household-table .el-table__body tr.el-table__row")).to_have_count(
        expected
    )


def test_staff_add_a_household_and_a_resident_and_see_refusals_in_chinese(
    console_server: Served, open_console: OpenConsole
) -> None:
    base = console_server.base
    page = open_console(base, "admin")
    page.goto(f"{base}/console/#/households")
    page.get_by_role("button", name="新增住户").click()
    dialog = page.get_by_role("dialog", name="新增住户")
    choose(page, "微网格", "3号楼1单元（第二网格）")
    dialog.get_by_label("楼栋").fill("3号楼")
    dialog.get_by_label("单元").fill("1单元")
    dialog.get_by_label("房号").fill("101")  # taken
    dialog.get_by_role("button", name="保存").click()
    expect(dialog.get_by_role("alert")).to_contain_text("已经登记")
    check_page(page, "households-form-refused")
    dialog.get_by_label("房号").fill("1101")
    dialog.get_by_role("button", name="保存").click()
    expect(dialog).to_be_hidden()

    page.get_by_label("搜索", exact=True).fill("3号楼-1单元-1101")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("[data-test=total]")).to_have_text("共 1 户")
    page.get_by_role("button", name="居民", exact=True).click()
    page.get_by_role("button", name="添加居民").click()
    form = page.get_by_role("dialog", name=re.compile("添加居民"))
    form.get_by_label("姓名").fill("测试居民")
    form.get_by_label("手机号").fill("12345")
    form.get_by_role("button", name="保存").click()
    expect(form.locator(".el-form-item__error")).to_contain_text("手机")
    form.get_by_label("手机号").fill("13812345678")
    form.get_by_text("高龄老人", exact=True).click()
    form.get_by_role("button", name="保存").click()
    expect(form).to_be_hidden()
    row = page.locator(".residents tr").filter(has_text="测试居民")
    expect(row).to_contain_text("138****5678")
    expect(row).to_contain_text("高龄老人")
    row.get_by_role("button", name="编辑").click()
    form = page.get_by_role("dialog", name=re.compile("编辑居民"))
    expect(form.get_by_label("手机号")).to_have_attribute(
        "placeholder", re.compile("138\\*{4}5678")
    )
    form.get_by_label("姓名").fill("测试居民乙")
    form.get_by_label("身份证号").fill("120104198001010012")  # a wrong check digit
    form.get_by_role("button", name="保存").click()
    expect(form.locator(".el-form-item__error")).to_contain_text("身份证")
    form.get_by_label("身份证号").fill("")
    form.get_by_role("button", name="保存").click()
    expect(form).to_be_hidden()
    row = page.locator(".residents tr").filter(has_text="测试居民乙")
    expect(row).to_contain_text("138****5678")  # left blank: kept

    page.get_by_role("button", name="删除").first.click()  # the household: it has a resident
    page.get_by_role("dialog", name="请确认").get_by_role("button", name="删除").click()
    expect(page.get_by_role("dialog", name="没有删除")).to_contain_text("居民")
    page.get_by_role("dialog", name="没有删除").get_by_role("button", name="知道了").click()
    row.get_by_role("button", name="删除").click()
    page.get_by_role("dialog", name="请确认").get_by_role("button", name="删除").click()
    expect(row).to_have_count(0)
    page.locator(".household-table .el-table__row").first.get_by_role("button", name="删除").click()
    page.get_by_role("dialog", name="请确认").get_by_role("button", name="删除").click()
    expect(page.locator("[data-test=total]")).to_have_text("共 0 户")


def test_assigning_contacts_brings_the_uncovered_count_down(
    console_server: Served, open_console: OpenConsole
) -> None:
    base = console_server.base
    admin = login(base)
    before = graphql(base, UNCOVERED, token=admin)["coverage"]
    uncovered = before["households"] - before["covered"]
    assert uncovered >= 3
    page = open_console(base, "admin")
    page.goto(f"{base}/console/#/coverage")
    expect(page.locator("[data-test=coverage-uncovered]")).to_have_text(str(uncovered))
    expect(page.locator(".coverage-tree")).to_contain_text("第一网格")

    table = page.locator(".uncovered-table")
    table.locator(".el-table__row").first.get_by_role("button", name="指定联系人").click()
    dialog = page.get_by_role("dialog", name="指定联系人")
    expect(dialog).to_contain_text("红色微网格员")
    check_page(page, "coverage-assign")
    dialog.get_by_role("button", name="确定").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("[data-test=coverage-uncovered]")).to_have_text(str(uncovered - 1))

    rows = table.locator(".el-table__row")
    expect(rows).to_have_count(uncovered - 1)
    for index in (0, 1):
        rows.nth(index).locator(".el-checkbox").click()
    page.get_by_role("button", name="为选中的 2 户指定联系人").click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="确定").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("[data-test=coverage-uncovered]")).to_have_text(str(uncovered - 3))
    after = graphql(base, UNCOVERED, token=admin)["coverage"]
    assert after["households"] - after["covered"] == uncovered - 3
    check_page(page, "coverage-admin")

    micro = page.locator(".coverage-tree .el-table__row--level-1").filter(has_text="看未落实").first
    name = micro.locator(".grid-name").inner_text()
    micro.get_by_role("button", name=re.compile("看未落实")).click()
    expect(page.locator(".uncovered-title")).to_contain_text(name)
    expect(page.locator("[data-test=uncovered-total]")).to_have_text("共 1 户")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(name)
    page.get_by_role("button", name="显示全部网格").click()
    expect(rows).to_have_count(uncovered - 3)


def test_a_micro_grid_member_sees_only_their_own_households(
    console_server: Served, open_console: OpenConsole
) -> None:
    base = console_server.base
    token = login(base, "micro1-1")
    theirs = count(base, token)
    assert 0 < theirs < count(base, login(base))
    page = open_console(base, "micro1-1", viewport="tablet")
    page.goto(f"{base}/console/#/households")
    expect(page.locator("[data-test=total]")).to_have_text(f"共 {theirs} 户")
    expect(page.locator(".household-table")).not_to_contain_text("2号楼")
    check_page(page, "households-micro-grid-member")
    page.goto(f"{base}/console/#/coverage")
    coverage = graphql(base, UNCOVERED, token=token)["coverage"]
    expect(page.locator("[data-test=coverage-households]")).to_have_text(
        str(coverage["households"])
    )
    check_page(page, "coverage-micro-grid-member")
