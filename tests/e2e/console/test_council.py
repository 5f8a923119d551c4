"""议事 in Chromium on the demo community: the secretary schedules a 议事会, puts two accepted
topics on its agenda, reorders them by dragging and from the keyboard, checks a resident in
by searching the register, saves the minutes and records a resolution with the property
company's account as its contact, which the topic's history then shows; the ledger filters
and exports, the overdue queue lists the demo's overdue item, the report-back list its open
items, and a grid chief starts on the topics of their own grid."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.console.conftest import OpenConsole, Served, check_page
from tests.e2e.graphql_http import graphql, login

AGENDA = """query($id: UUID!) { meeting(id: $id) { ... on Meeting {
  minutes attendance { name } agenda { proposal { id title } } } } }"""
ACCEPTED = """{ proposals(first: 50, filter: { status: ACCEPTED }) {
  edges { node { id title } } } }"""
STATUS = """query($id: UUID!) { proposal(id: $id) { ... on Proposal { status } } }"""
REPORT_BACK = """query($m: UUID!) { reportBack(meetingId: $m) { ... on ReportBack {
  items { id title status } } } }"""
LEDGER = """query($f: LedgerFilter) { ledger(first: 1, filter: $f) { totalCount } }"""


def choose(page: Page, label: str, option: str, *, typed: str | None = None) -> None:
    """Pick the option containing ``option`` in the Element Plus select labelled ``label``;
    ``typed`` is the text a remote search needs first."""
    wanted = page.locator(".el-select-dropdown__item:visible").filter(has_text=option).first
    for _attempt in range(3):
        page.get_by_role("combobox", name=label, exact=True).click(force=True)
        if typed is not None:
            page.keyboard.type(typed)
        try:
            wanted.wait_for(state="visible", timeout=3_000)
            break
        except PlaywrightTimeout:
            continue
    wanted.click()


def agenda_titles(base: str, token: str, meeting_id: str) -> list[str]:
    meeting = graphql(base, AGENDA, {"id": meeting_id}, token)["meeting"]
    return [item["proposal"]["title"] for item in meeting["agenda"]]


def wait_for_agenda(base: str, token: str, meeting_id: str, wanted: list[str]) -> None:
    page_deadline = datetime.now() + timedelta(seconds=10)
    while agenda_titles(base, token, meeting_id) != wanted:
        assert datetime.now() < page_deadline, agenda_titles(base, token, meeting_id)
        time.sleep(0.2)


def drag(page: Page, source: Any, target: Any) -> None:
    """A real mouse drag of one agenda item's handle onto another's, in small steps."""
    start = source.bounding_box()
    end = target.bounding_box()
    assert start and end
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    for step in range(1, 11):
        y = start["y"] + (end["y"] - start["y"]) * step / 10 + (end["height"] / 2 - 4)
        page.mouse.move(end["x"] + end["width"] / 2, y)
        page.wait_for_timeout(30)
    page.mouse.up()


def test_the_secretary_runs_a_meeting_from_agenda_to_resolution(
    console_server: Served, open_console: OpenConsole
) -> None:
    base = console_server.base
    admin = login(base)
    first, second = [e["node"] for e in graphql(base, ACCEPTED, token=admin)["proposals"]["edges"]][
        :2
    ]
    wuye = graphql(base, "{ viewer { displayName } }", token=login(base, "wuye"))["viewer"]
    resident = graphql(base, "{ residents(first: 1) { edges { node { name } } } }", token=admin)[
        "residents"
    ]["edges"][0]["node"]["name"]

    page = open_console(base, "admin")
    page.get_by_role("navigation", name="主菜单").get_by_text("会议", exact=True).click()
    expect(page.locator(".layout-header h1")).to_have_text("会议")
    check_page(page, "meetings")
    page.get_by_role("button", name="安排会议").click()
    page.fill("#meeting-title", "楼道长廊议事会（测试）")
    started = (datetime.now() - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
    page.fill("#meeting-time", started)
    page.keyboard.press("Enter")
    page.fill("#meeting-place", "3号楼楼道口")
    page.get_by_role("dialog", name="安排会议").get_by_role("button", name="安排").click()
    expect(page.locator(".layout-header h1")).to_have_text("会议详情")
    meeting_id = page.url.rsplit("/", 1)[1]

    for topic in (first, second):
        choose(page, "添加议题", topic["title"])
        page.get_by_role("button", name="加入议程").click()
        expect(page.locator(".agenda-item").filter(has_text=topic["title"])).to_have_count(1)
    wait_for_agenda(base, admin, meeting_id, [first["title"], second["title"]])

    items = page.locator(".agenda-item")
    drag(page, items.nth(1).locator(".drag-handle"), items.nth(0).locator(".drag-handle"))
    wait_for_agenda(base, admin, meeting_id, [second["title"], first["title"]])
    expect(items.nth(0)).to_contain_text(second["title"])
    page.get_by_role("button", name=f"上移：{first['title']}").focus()
    page.keyboard.press("Enter")
    wait_for_agenda(base, admin, meeting_id, [first["title"], second["title"]])
    expect(items.nth(0)).to_contain_text(first["title"])

    choose(page, "查找居民签到", resident, typed=resident)
    page.get_by_role("button", name="签到", exact=True).click()
    expect(page.locator("[data-test=attendance]")).to_contain_text(resident)

    page.fill("#minutes", "主持：社区书记。到会居民逐项议定。")
    page.get_by_role("button", name="保存纪要").click()
    expect(page.locator("[data-test=minutes-saved]")).to_be_visible()
    stored = graphql(base, AGENDA, {"id": meeting_id}, admin)["meeting"]
    assert stored["minutes"] == "主持：社区书记。到会居民逐项议定。"
    assert resident in [a["name"] for a in stored["attendance"]]

    page.get_by_role("button", name=f"议定：{first['title']}").click()
    dialog = page.get_by_role("dialog", name=f"议定：{first['title']}")
    page.fill("#deliberation-solution", "物业两周内完成整改，网格员每周回访。")
    choose(page, "联系人账号", wuye["displayName"])
    deadline = date.today() + timedelta(days=14)
    page.fill("#deliberation-deadline", deadline.isoformat())
    page.keyboard.press("Enter")
    dialog.get_by_role("button", name="记录议定事项").click()
    decided = page.locator(".agenda-item").filter(has_text=first["title"])
    expect(decided.locator("[data-test=agenda-resolution]")).to_contain_text("物业两周内完成整改")
    expect(dialog).to_be_hidden()
    expect(page.locator(".el-picker__popper:visible")).to_have_count(0)
    page.wait_for_timeout(400)  # the dialog and the date panel have faded out
    check_page(page, "meeting")

    decided.get_by_role("link", name=first["title"]).click()
    expect(page.locator(".layout-header h1")).to_have_text("议题")
    resolution = page.locator("[data-test=resolution]")
    expect(resolution).to_contain_text("物业两周内完成整改")
    expect(resolution).to_contain_text(wuye["displayName"])
    expect(resolution).to_contain_text(f"{deadline.year}/{deadline.month}/{deadline.day}")
    expect(page.locator("[data-test=topic-detail]")).to_contain_text("议事会议定")
    page.wait_for_timeout(500)  # the drawer has slid in (axe reads colours mid-animation)
    check_page(page, "topic-detail")


def test_the_ledger_filters_and_exports(
    console_server: Served, open_console: OpenConsole, tmp_path: Path
) -> None:
    base = console_server.base
    admin = login(base)
    everything = graphql(base, LEDGER, {"f": {}}, admin)["ledger"]["totalCount"]
    overdue = graphql(base, LEDGER, {"f": {"overdue": True}}, admin)["ledger"]["totalCount"]
    assert 0 < overdue < everything
    page = open_console(base, "admin")
    page.goto(f"{base}/console/#/ledger")
    count = page.locator("[data-test=ledger-count]")
    expect(count).to_contain_text(f"共 {everything} 项")
    choose(page, "逾期", "已逾期")
    expect(count).to_contain_text(f"共 {overdue} 项")
    expect(page.get_by_role("table").last.locator("tbody tr")).to_have_count(overdue)
    check_page(page, "ledger")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="导出 CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    saved = tmp_path / "ledger.csv"
    download.save_as(saved)
    lines = saved.read_text(encoding="utf-8-sig").strip().splitlines()
    assert "议题" in lines[0] and "逾期" in lines[0]
    assert len(lines) == overdue + 1  # the same filter as the table


def test_the_overdue_queue_and_the_report_back_list(
    console_server: Served, open_console: OpenConsole
) -> None:
    base = console_server.base
    admin = login(base)
    queue = graphql(base, "{ overdueQueue { daysOverdue proposal { title } } }", token=admin)
    (item,) = queue["overdueQueue"]
    page = open_console(base, "admin")
    page.goto(f"{base}/console/#/overdue")
    row = page.locator("[data-test=overdue-table] tbody tr").filter(
        has_text=item["proposal"]["title"]
    )
    expect(row).to_contain_text(f"{item['daysOverdue']} 天")
    expect(row).to_contain_text("社区书记督办")
    check_page(page, "overdue")
    row.get_by_role("link").click()
    expect(page.get_by_role("dialog", name=item["proposal"]["title"])).to_be_visible()
    expect(page.locator("[data-test=resolution]")).to_be_visible()

    page.goto(f"{base}/console/#/report-back")
    expect(page.get_by_role("table").last).to_contain_text(item["proposal"]["title"])
    expect(page.locator(".report-back .el-progress").first).to_be_visible()
    check_page(page, "report-back")

    meetings = graphql(base, "{ meetings { id kind } }", token=admin)["meetings"]
    meeting_id = next(m["id"] for m in meetings if m["kind"] == "REPORT_BACK")  # the latest
    listed = graphql(base, REPORT_BACK, {"m": meeting_id}, admin)["reportBack"]["items"]
    working = next(i for i in listed if i["status"] == "IN_PROGRESS")
    reported = next(i for i in listed if i["status"] == "REPORTED")
    page.get_by_role("button", name=f"汇报进展：{working['title']}").click()
    page.fill("#report-text", "施工队已进场，预计下周完工。")
    page.get_by_role("dialog", name=f"汇报进展：{working['title']}").get_by_role(
        "button", name="记录汇报"
    ).click()
    row = page.get_by_role("table").last.locator("tr").filter(has_text=working["title"])
    expect(row).to_contain_text("施工队已进场")
    expect(row).to_contain_text("已汇报")
    page.get_by_role("button", name=f"销号：{reported['title']}").click()
    page.get_by_role("dialog", name=f"销号：{reported['title']}").get_by_role(
        "button", name="确认销号"
    ).click()
    expect(page.get_by_role("table").last).not_to_contain_text(reported["title"])
    status = graphql(base, STATUS, {"id": reported["id"]}, admin)["proposal"]["status"]
    assert status == "CLOSED"


def test_the_secretary_declines_a_topic_and_merges_another(
    console_server: Served, open_console: OpenConsole
) -> None:
    base = console_server.base
    admin = login(base)
    submitted = graphql(
        base,
        "{ proposals(filter: { status: SUBMITTED }) { edges { node { id title } } } }",
        token=admin,
    )["proposals"]["edges"][0]["node"]
    page = open_console(base, "admin")
    page.goto(f"{base}/console/#/topics?open={submitted['id']}")
    drawer = page.get_by_role("dialog", name=submitted["title"])
    expect(drawer).to_be_visible()
    drawer.get_by_role("button", name="不予采纳").click()
    page.fill("#action-reason", "属于市政管理范围，已转交街道城管科。")
    page.get_by_role("dialog", name="不予采纳").get_by_role("button", name="确定").click()
    detail = page.locator("[data-test=topic-detail]")
    expect(detail).to_contain_text("未采纳")
    expect(detail).to_contain_text("属于市政管理范围，已转交街道城管科。")
    assert graphql(base, STATUS, {"id": submitted["id"]}, admin)["proposal"]["status"] == "DECLINED"
    source = graphql(
        base,
        "{ proposals(filter: { status: SUBMITTED }) { edges { node { id title } } } }",
        token=admin,
    )["proposals"]["edges"][0]["node"]
    target = graphql(
        base,
        "{ proposals(filter: { status: IN_PROGRESS }) { edges { node { id title } } } }",
        token=admin,
    )["proposals"]["edges"][0]["node"]
    page.goto(f"{base}/console/#/topics?open={source['id']}")
    drawer = page.get_by_role("dialog", name=source["title"])
    drawer.get_by_role("button", name="合并到其他议题").click()
    choose(page, "并入的议题", target["title"], typed=target["title"][:6])
    page.get_by_role("dialog", name="合并到其他议题").get_by_role("button", name="确定").click()
    expect(page.locator("[data-test=topic-detail]")).to_contain_text("已合并")
    merged = graphql(
        base,
        "query($id: UUID!) { proposal(id: $id) { ... on Proposal { status mergedIntoId } } }",
        {"id": source["id"]},
        admin,
    )["proposal"]
    assert merged == {"status": "MERGED", "mergedIntoId": target["id"]}


def test_a_grid_chief_starts_on_the_topics_of_their_grid(
    console_server: Served, open_console: OpenConsole
) -> None:
    base = console_server.base
    chief = login(base, "chief1")
    grid = graphql(base, "{ viewer { posts { gridId grid { name } } } }", token=chief)
    post = grid["viewer"]["posts"][0]
    mine = graphql(
        base,
        """query($g: UUID) { proposals(first: 100, filter: { gridId: $g }) {
             totalCount edges { node { title } } } }""",
        {"g": post["gridId"]},
        chief,
    )["proposals"]
    everyone = graphql(base, "{ proposals { totalCount } }", token=chief)["proposals"]
    assert 0 < mine["totalCount"] < everyone["totalCount"]
    page = open_console(base, "chief1", viewport="tablet")
    page.get_by_role("navigation", name="主菜单").get_by_text("议题", exact=True).click()
    expect(page.locator("[data-test=topic-count]")).to_have_text(f"共 {mine['totalCount']} 个议题")
    table = page.get_by_role("table").last
    for edge in mine["edges"]:
        expect(table).to_contain_text(edge["node"]["title"])
    expect(page.get_by_role("combobox", name="网格", exact=True)).to_have_count(1)
    expect(page.locator(".topics .el-select").nth(1)).to_contain_text(post["grid"]["name"])
    check_page(page, "topics-chief")
    submitted = graphql(
        base,
        "query($g: UUID) { proposals(filter: { gridId: $g, status: SUBMITTED }) { totalCount } }",
        {"g": post["gridId"]},
        chief,
    )["proposals"]["totalCount"]
    page.get_by_role("tab", name="已提交").click()
    expect(page.locator("[data-test=topic-count]")).to_have_text(f"共 {submitted} 个议题")
