"""A new community's first day in the browser, without GraphQL, as the note's timing run:
from an empty database (the secretary's account made with ``changlang create-admin``) to a
grid tree, staff on their posts, a register imported from the server's own template, every
household covered by its 红色微网格员, and the first 议事会 scheduled.

Prints the wall time and the number of actions a person takes (clicks, files chosen, fields
typed); ``-s`` shows them."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
from playwright.sync_api import Page, expect

from tests.e2e.console.conftest import OpenConsole, Served, check_page
from tests.e2e.console.test_setup import download, filled, upload
from tests.e2e.graphql_http import graphql, login

PASSWORD = "secretary-password-1"
GRIDS = [["第一网格", "1号楼1单元"], ["第一网格", "1号楼2单元"], ["第二网格", "2号楼1单元"]]
STAFF = [
    ["赵红", "zhaohong", "网格长", "第一网格", ""],
    ["钱明", "qianming", "网格长", "第二网格", ""],
    ["孙丽", "sunli", "红色微网格员", "第一网格/1号楼1单元", ""],
    ["李强", "liqiang", "红色微网格员", "第一网格/1号楼2单元", ""],
    ["周敏", "zhoumin", "红色微网格员", "第二网格/2号楼1单元", ""],
]
SURNAMES = "王李张刘陈杨黄赵吴周"
CHECK = "{ coverage { households covered } meetings { title } residents(first: 1) { totalCount } }"


def register_rows(header: list[str]) -> list[list[str]]:
    """Three floors of two flats in each stairwell, two residents each (the head first)."""
    rows = []
    for _grid, micro in GRIDS:
        building, unit = micro.split("号楼")
        for floor in (1, 2, 3):
            for flat in (1, 2):
                for person in (0, 1):
                    values = {
                        "楼栋": f"{building}号楼",
                        "单元": unit,
                        "房号": f"{floor}0{flat}",
                        "姓名": f"{SURNAMES[len(rows) % 10]}居民{len(rows)}",
                        "性别": "男" if person == 0 else "女",
                        "与户主关系": "本人" if person == 0 else "配偶",
                        "微网格": micro,
                    }
                    rows.append([values.get(column, "") for column in header])
    return rows


def step(page: Page, counter: list[int]) -> Page:
    counter[0] += 1
    return page


def test_an_empty_community_reaches_its_register_coverage_and_first_meeting(
    empty_server: Served, open_console: OpenConsole, tmp_path: Path
) -> None:
    base = empty_server.base
    made = empty_server.cli(
        "create-admin", "--username", "shuji", "--display-name", "社区书记 王芳",
        "--community", "春晖苑社区", input=f"{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    started = time.perf_counter()
    actions = [3]  # username, password, 登录
    page = open_console(base, "shuji", PASSWORD)

    step(page, actions).get_by_role("button", name="开始设置").click()
    step(page, actions).get_by_role("button", name="下一步：网格").click()
    template = download(step(page, actions), "[data-test=grid-template]", tmp_path)
    upload(step(page, actions), "grid", filled(template, GRIDS, tmp_path / "网格.xlsx"))
    step(page, actions).click("[data-test=grid-apply]")
    expect(page.locator("[data-test=grid-tree]")).to_contain_text("2号楼1单元")

    step(page, actions).click("[data-test=to-staff]")
    staff_template = download(step(page, actions), "[data-test=staff-template]", tmp_path)
    upload(step(page, actions), "staff", filled(staff_template, STAFF, tmp_path / "人员.xlsx"))
    step(page, actions).click("[data-test=staff-apply]")
    expect(page.locator("[data-test=staff-table]")).to_contain_text(
        "红色微网格员：第二网格/2号楼1单元"
    )
    download(step(page, actions), "[data-test=passwords-download]", tmp_path)

    step(page, actions).get_by_role("button", name="下一步：居民花名册").click()
    register_template = download(step(page, actions), "[data-test=register-template]", tmp_path)
    sheet = openpyxl.load_workbook(register_template).active
    assert sheet is not None
    header = [str(cell.value) for cell in sheet[1]]
    register = filled(register_template, register_rows(header), tmp_path / "花名册.xlsx")
    step(page, actions).get_by_role("button", name="导入居民花名册").click()
    step(page, actions).locator(".register-import input[type=file]").set_input_files(str(register))
    step(page, actions).get_by_role("button", name="预览").click()
    expect(page.locator("[data-test=count-create]")).to_have_text("36")
    expect(page.locator("[data-test=count-refused]")).to_have_text("0")
    step(page, actions).get_by_role("button", name="确认导入").click()
    expect(page.locator("[data-test=applied]")).to_contain_text("新增 36 人")

    page.goto(f"{base}/console/#/coverage")  # the menu's 联系覆盖
    actions[0] += 1
    expect(page.locator("[data-test=coverage-uncovered]")).to_have_text("18")
    table = page.locator(".uncovered-table")
    step(page, actions).locator(".uncovered-table .el-table__header .el-checkbox").click()
    step(page, actions).get_by_role("button", name="为选中的 18 户指定联系人").click()
    dialog = page.get_by_role("dialog", name="指定联系人")
    step(dialog.page, actions)
    dialog.get_by_role("button", name="确定").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("[data-test=coverage-uncovered]")).to_have_text("0")
    expect(table.locator(".el-table__row")).to_have_count(0)
    paused = time.perf_counter()
    check_page(page, "first-day-coverage")
    started += time.perf_counter() - paused  # the checks are not the secretary's time

    page.goto(f"{base}/console/#/meetings")  # the menu's 会议
    actions[0] += 1
    step(page, actions).get_by_role("button", name="安排会议").click()
    step(page, actions).fill("#meeting-title", "春晖苑第一次长廊议事会")
    when = (datetime.now() + timedelta(days=7)).strftime("%Y-%m-%d 19:00")
    step(page, actions).fill("#meeting-time", when)
    page.keyboard.press("Enter")
    step(page, actions).fill("#meeting-place", "1号楼楼道口")
    dialog = page.get_by_role("dialog", name="安排会议")
    step(page, actions)
    dialog.get_by_role("button", name="安排").click()
    expect(page.locator(".layout-header h1")).to_have_text("会议详情")
    elapsed = time.perf_counter() - started
    check_page(page, "first-day-meeting")

    state = graphql(base, CHECK, token=login(base, "shuji", PASSWORD))
    assert state["coverage"] == {"households": 18, "covered": 18}
    assert [m["title"] for m in state["meetings"]] == ["春晖苑第一次长廊议事会"]
    assert state["residents"]["totalCount"] == 36
    print(
        f"\nfirst day ({empty_server.dialect}): {elapsed:.1f} s in the browser, "
        f"{actions[0]} actions, 3 grids · 5 staff · 18 households · 36 residents · 1 meeting"
    )
