"""导入花名册 and 居民标签 in Chromium on the demo community: a GBK CSV with one new, one
updated and one refused row previews as those three outcomes, the refused row downloads as
a workbook, the import applies, and the new resident is there through GraphQL."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
from playwright.sync_api import expect

from tests.e2e.console.conftest import OpenConsole, Served, check_page
from tests.e2e.graphql_http import graphql, login

HOUSEHOLD = """{ households(first: 1) { edges { node { building unit room { value }
  grid { name } residents { id name } } } } }"""
REVEAL = """mutation($r: UUID!) { revealPersonalData(residentId: $r, purpose: "核实信息") {
  __typename ... on PersonalData { idNumber } } }"""
FIND = """query($s: String) { residents(first: 5, filter: {search: $s}) {
  edges { node { name phone { value } gender } } } }"""


def register(base: str, tmp_path: Path) -> Path:
    token = login(base)
    node = graphql(base, HOUSEHOLD, token=token)["households"]["edges"][0]["node"]
    person = node["residents"][0]
    id_number = graphql(base, REVEAL, {"r": person["id"]}, token)["revealPersonalData"]["idNumber"]
    building, unit, room = node["building"], node["unit"], node["room"]["value"]
    out = io.StringIO()
    csv.writer(out).writerows([
        ["楼栋", "单元", "房号", "姓名", "性别", "身份证号", "手机", "微网格"],
        [building, unit, "9901", "导入新人", "女", "", "", node["grid"]["name"]],
        [building, unit, room, person["name"], "", id_number, "13900001111", ""],
        [building, unit, "9902", "号码变形", "男", "1.20104E+17", "", node["grid"]["name"]],
    ])  # fmt: skip
    path = tmp_path / "花名册.csv"
    path.write_bytes(out.getvalue().encode("gbk"))
    return path


def test_the_secretary_previews_downloads_refused_rows_and_imports(
    console_server: Served, open_console: OpenConsole, tmp_path: Path
) -> None:
    base = console_server.base
    path = register(base, tmp_path)
    page = open_console(base, "admin")
    page.goto(f"{base}/console/#/import")
    expect(page.locator(".layout-header h1")).to_have_text("导入花名册")
    page.locator(".register-import input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="预览").click()
    for outcome, expected in (
        ("create", "1"),
        ("update", "1"),
        ("unchanged", "0"),
        ("refused", "1"),
    ):
        expect(page.locator(f"[data-test=count-{outcome}]")).to_have_text(expected)
    rows = page.locator(".rows .el-table__body tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(1)).to_contain_text("139****1111")
    expect(rows.nth(2)).to_contain_text("身份证号：1.20104E+17")
    expect(rows.nth(2)).to_contain_text("文本")
    page.get_by_text("拒绝（1）").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("4")
    check_page(page, "register-import")

    with page.expect_download() as download:
        page.get_by_role("button", name="下载被拒绝的行（XLSX）").click()
    saved = tmp_path / "refused.xlsx"
    download.value.save_as(saved)
    sheet = openpyxl.load_workbook(saved).worksheets[0]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][-1] == "错误原因" and [r[3] for r in values[1:]] == ["号码变形"]

    page.get_by_text("跳过被拒绝的行").click()
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator("[data-test=applied]")).to_contain_text("新增 1 人，更新 1 人")
    found = graphql(base, FIND, {"s": "导入新人"}, login(base))["residents"]["edges"]
    assert [e["node"]["name"] for e in found] == ["导入新人"]
    assert found[0]["node"]["gender"] == "FEMALE"


def test_the_secretary_adds_and_renames_a_tag(
    console_server: Served, open_console: OpenConsole
) -> None:
    base = console_server.base
    page = open_console(base, "admin")
    page.goto(f"{base}/console/#/tags")
    expect(page.locator(".layout-header h1")).to_have_text("居民标签")
    page.get_by_label("新标签").fill("失独家庭")
    page.get_by_role("button", name="添加").click()
    row = page.locator(".el-table__body tr").filter(has_text="失独家庭")
    expect(row).to_have_count(1)
    row.get_by_role("button", name="改名").click()
    page.locator(".el-message-box input").fill("失独老人")
    page.get_by_role("button", name="改名", exact=True).last.click()
    expect(page.locator(".el-table__body tr").filter(has_text="失独老人")).to_have_count(1)
    assert "失独老人" in graphql(base, "{ residentTags }", token=login(base))["residentTags"]
    check_page(page, "tags")
