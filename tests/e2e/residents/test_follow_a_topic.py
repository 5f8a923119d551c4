"""A resident raises a topic from a phone, follows it to its closure and rates it.

Raise (with a photo, similar topics shown while typing) → my topics → the community accepts
it onto a meeting's agenda, deliberates, reports and closes it through the API → the
timeline shows each step → the resident rates the outcome. Also: the anonymous box says what
anonymity means, 附议 only where support is possible, and the large-text switch.
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from playwright.sync_api import expect

from tests.e2e.console.conftest import Served
from tests.e2e.graphql_http import adult_residents, graphql, issue_code, login, result
from tests.e2e.residents.conftest import ARTIFACTS, check_screen, sign_in, tab

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
SUPPORT = re.compile("^附议$")
TITLE = "晚上停车难，东门附近没有车位"


def _api(base: str, token: str, query: str, variables: dict[str, Any], field: str, kind: str):
    return result(graphql(base, query, variables, token), field, kind)


def _meeting(base: str, admin: str, kind: str, starts: datetime, title: str) -> str:
    return str(
        _api(
            base,
            admin,
            """mutation($k: MeetingKind!, $t: String!, $s: DateTime!) { scheduleMeeting(kind: $k,
                 title: $t, startsAt: $s, place: "3号楼长廊") { __typename ... on Meeting { id }
                 ... on Error { code message } } }""",
            {"k": kind, "t": title, "s": starts.isoformat()},
            "scheduleMeeting",
            "Meeting",
        )["id"]
    )


def _carry_through(base: str, admin: str, proposal: str) -> None:
    """Accepted onto an agenda, deliberated with a contact and a deadline, reported, closed."""
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    held = _meeting(base, admin, "DELIBERATION", an_hour_ago, "十二月长廊议事会")
    reported_at = _meeting(
        base, admin, "REPORT_BACK", datetime.now(UTC) - timedelta(minutes=30), "十二月长廊汇报会"
    )
    _meeting(base, admin, "REPORT_BACK", datetime.now(UTC) + timedelta(days=3), "一月长廊汇报会")
    _api(
        base,
        admin,
        """mutation($m: UUID!, $p: UUID!) { addAgendaItem(meetingId: $m, proposalId: $p) {
             __typename ... on Meeting { id } ... on Error { code message } } }""",
        {"m": held, "p": proposal},
        "addAgendaItem",
        "Meeting",
    )
    _api(
        base,
        admin,
        """mutation($m: UUID!, $p: UUID!, $a: AgreementInput!) { deliberate(meetingId: $m,
             proposalId: $p, agreement: $a) { __typename ... on Resolution { id }
             ... on Error { code message } } }""",
        {
            "m": held,
            "p": proposal,
            "a": {
                "solution": "物业在东门内侧道路施划二十个夜间临时车位",
                "deadline": (date.today() + timedelta(days=14)).isoformat(),
                "contactName": "王师傅",
            },
        },
        "deliberate",
        "Resolution",
    )
    _api(
        base,
        admin,
        """mutation($p: UUID!, $m: UUID!) { reportProgress(proposalId: $p,
             text: "二十个临时车位已划好", percentDone: 100, meetingId: $m) {
             __typename ... on ProgressReport { id }
             ... on Error { code message } } }""",
        {"p": proposal, "m": reported_at},
        "reportProgress",
        "ProgressReport",
    )
    closed = graphql(
        base,
        """mutation($p: UUID!) { closeProposal(id: $p) { __typename
             ... on Error { code message } } }""",
        {"p": proposal},
        admin,
    )["closeProposal"]
    assert "Error" not in closed["__typename"], closed


def test_a_resident_raises_follows_and_rates_a_topic(console_server: Served, phones) -> None:
    base = console_server.base
    admin = login(base)
    resident = adult_residents(base, admin, 1)[0]
    _context, page = phones()
    sign_in(page, base, issue_code(base, admin, resident["id"]), resident["name"])
    check_screen(page, f"topics-{console_server.dialect}")

    tab(page, "raise")
    page.fill("#raise-title", TITLE)
    expect(page.locator("#similar")).to_be_visible()  # the demo has open parking topics
    expect(page.locator("#similar-list li").first).to_contain_text("停车")
    page.select_option("#raise-category", "PARKING")
    page.fill("#raise-description", "晚上八点以后东门附近找不到车位，车只能停在消防通道上。")
    page.set_input_files(
        "#raise-photos", files=[{"name": "东门.png", "mimeType": "image/png", "buffer": PNG}]
    )
    expect(page.locator("#photo-list li")).to_contain_text("✓ 东门.png")
    check_screen(page, f"raise-{console_server.dialect}")
    page.click("#raise-submit")
    expect(page.locator("#mine-panel")).to_be_visible()
    mine = page.locator("#mine li", has_text=TITLE)
    expect(mine).to_contain_text("待受理")
    expect(mine).to_contain_text("我反映的")
    expect(mine.get_by_role("button", name="附议")).to_have_count(0)

    found = graphql(
        base,
        """query($s: String!) { proposals(filter: {search: $s}) { edges { node { id source
             attachments { sha256 } } } } }""",
        {"s": TITLE},
        admin,
    )["proposals"]["edges"]
    assert len(found) == 1 and found[0]["node"]["source"] == "ONLINE"
    assert len(found[0]["node"]["attachments"]) == 1
    proposal = found[0]["node"]["id"]
    _carry_through(base, admin, proposal)

    page.reload()
    tab(page, "mine")
    pending = page.locator(f"[data-rating-for='{proposal}']")
    expect(pending).to_contain_text(TITLE)
    expect(page.locator("#report-meetings")).to_contain_text("一月长廊汇报会")
    check_screen(page, f"mine-{console_server.dialect}")
    pending.get_by_role("button", name=f"去评价：{TITLE}").click()
    expect(page.locator("#topic-view")).to_be_visible()
    timeline = page.locator("#timeline")
    steps = (
        "提出议题",
        "列入“十二月长廊议事会”的议程",
        "议定方案：物业在东门",
        "联系人：王师傅",
        "进展汇报：完成 100%",
        "在「十二月长廊汇报会」上汇报",
        "已销号",
        "居民评价",
    )
    for step in steps:
        expect(timeline).to_contain_text(step)
    expect(page.locator("#topic-photos img")).to_have_count(1)
    expect(page.locator("#topic-photos img")).to_have_js_property("complete", True)
    check_screen(page, f"timeline-{console_server.dialect}")
    page.get_by_role("button", name="4 分 满意").click()
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator("#topic-message")).to_contain_text("谢谢您的评价（4 分）")
    expect(page.locator("#rating")).to_be_hidden()
    check_screen(page, f"rated-{console_server.dialect}")


def test_support_only_where_possible_and_the_box_says_what_anonymity_means(
    console_server: Served, phones
) -> None:
    base = console_server.base
    admin = login(base)
    resident = adult_residents(base, admin, 3)[2]
    for number in range(12):  # more than one page of the list, with the demo's own
        _api(
            base,
            admin,
            """mutation($t: String!) { raiseProposal(input: {title: $t, category: OTHER,
                 source: MEETING}) { __typename ... on RaisedProposal { proposal { id } }
                 ... on Error { code message } } }""",
            {"t": f"议事会上提出的第 {number + 1} 件事"},
            "raiseProposal",
            "RaisedProposal",
        )
    _context, page = phones()
    sign_in(page, base, issue_code(base, admin, resident["id"]), resident["name"])
    cards = page.locator("#topics li")
    expect(cards).to_have_count(30)
    page.get_by_role("button", name="显示更多议题").click()
    expect(page.get_by_role("button", name="显示更多议题")).to_be_hidden()
    assert cards.count() > 30
    merged = cards.filter(has_text="已合并").first
    merged.get_by_role("button", name=re.compile("^查看进展")).click()
    expect(page.locator("#topic-actions")).to_contain_text("合并办理")
    was = page.locator("#topic-title").inner_text()
    page.get_by_role("button", name="查看合并后的议题").click()
    expect(page.locator("#topic-title")).not_to_have_text(was)
    page.locator("#topic-view .back").click()
    for status in ("已销号", "已撤回", "已合并", "未采纳"):
        for card in cards.filter(has_text=status).all():
            expect(card.locator("button", has_text=SUPPORT)).to_have_count(0)
    proposal = cards.filter(has=page.locator("button", has_text=SUPPORT)).first.get_attribute(
        "data-proposal-id"
    )
    open_card = page.locator(f"#topics li[data-proposal-id='{proposal}']")
    title = open_card.locator("h3").inner_text()
    open_card.get_by_role("button", name=f"附议：{title}").click()
    expect(open_card).to_contain_text("✓ 我已附议")
    expect(open_card.locator("button", has_text=SUPPORT)).to_have_count(0)
    tab(page, "mine")
    expect(page.locator("#mine li", has_text=title)).to_contain_text("✓ 我已附议")

    tab(page, "raise")
    page.check("input[name=way][value=box]")
    expect(page.locator("#box-explain")).to_contain_text("不带确切时间")
    page.fill("#raise-title", "有人在楼道里堆放杂物")
    check_screen(page, f"box-{console_server.dialect}")
    page.click("#raise-submit")
    expect(page.locator("#raise-message")).to_contain_text("谁都看不出哪一条是您的")

    page.click("#large-text")
    expect(page.locator("html")).to_have_class("large")
    tab(page, "topics")
    check_screen(page, f"large-text-{console_server.dialect}")
    page.reload()
    expect(page.locator("#large-text")).to_have_attribute("aria-pressed", "true")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
