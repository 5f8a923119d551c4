"""表决 in the console: the secretary puts an accepted topic to a vote with the rule form,
watches the tally move live as a resident votes online, records an in-person ballot at a
meeting under way, tries to close too early, sees the result fixed at the close, and
verifies it (every check passing on screen)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.console.conftest import DIALECT_PARAMS, OpenConsole, Served, _serve, check_page
from tests.e2e.graphql_http import (
    adult_residents,
    cast,
    graphql,
    issue_code,
    login,
    login_with_code,
    result,
)

OPEN_SECONDS = 45
"""How long the vote runs: long enough for the steps before the close, short for the suite."""


@pytest.fixture(scope="module", params=DIALECT_PARAMS)
def console_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """The demo with no counting window for offline ballots, so a vote's result is fixed at
    its close (the default waits a day for phones that recorded ballots offline)."""
    yield from _serve(
        request,
        tmp_path_factory,
        "--demo",
        extra_env={"CHANGLANG_OFFLINE_BALLOT_GRACE_SECONDS": "0"},
    )


def choose(scope: Any, name: str) -> None:
    """An Element Plus radio by its label: the label takes the click (the input is hidden
    under it), once no closing dropdown covers it; then the choice must have taken."""
    radio = scope.get_by_role("radio", name=name, exact=True)
    radio.locator("xpath=ancestor::label[1]").click()
    expect(radio).to_be_checked()


def _accepted_topic(base: str, admin: str) -> dict[str, str]:
    data = graphql(
        base,
        """{ proposals(first: 100, filter: {status: ACCEPTED}) { edges { node { id title } } }
             votes { proposalId status } }""",
        token=admin,
    )
    running = {v["proposalId"] for v in data["votes"] if v["status"] != "CLOSED"}
    return next(e["node"] for e in data["proposals"]["edges"] if e["node"]["id"] not in running)


def _meeting_under_way(base: str, admin: str) -> str:
    started = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    data = graphql(
        base,
        """mutation($s: DateTime!) { scheduleMeeting(kind: DELIBERATION, title: "长廊现场表决会",
             startsAt: $s, place: "3号楼长廊") {
             __typename ... on Meeting { id } ... on Error { code message } } }""",
        {"s": started},
        admin,
    )
    return str(result(data, "scheduleMeeting", "Meeting")["id"])


def test_a_vote_from_the_rule_form_to_its_verified_result(
    console_server: Served, open_console: OpenConsole
) -> None:
    base = console_server.base
    admin = login(base)
    topic = _accepted_topic(base, admin)
    _meeting_under_way(base, admin)
    online, in_person = adult_residents(base, admin, 2)
    resident = login_with_code(base, issue_code(base, admin, online["id"]))

    page = open_console(base, "admin")
    page.get_by_role("navigation", name="主菜单").get_by_role("menuitem", name="表决").click()
    expect(page.locator(".layout-header h1")).to_have_text("表决")
    expect(page.locator("[data-test=votes] tbody tr").first).to_be_visible()
    check_page(page, "votes")

    page.get_by_role("button", name="发起表决").click()
    dialog = page.get_by_role("dialog", name="发起表决")
    dialog.locator("#vote-topic").click()
    page.get_by_role("option", name=topic["title"]).click()
    choose(dialog, "按户表决")
    expect(dialog.locator("[data-test=electorate-help]")).to_contain_text("每户一票")
    choose(dialog, "全体成年居民")
    expect(dialog.get_by_role("radio", name="全体一致")).to_be_disabled()
    choose(dialog, "记名投票")
    expect(dialog).to_contain_text("结束后公布每位投票人")
    closes = page.evaluate(
        """(seconds) => { const d = new Date(Date.now() + seconds * 1000);
             const p = (n) => String(n).padStart(2, "0");
             return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
                    `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`; }""",
        OPEN_SECONDS,
    )
    closes_at = time.monotonic() + OPEN_SECONDS
    picker = dialog.get_by_placeholder("截止时间")
    picker.fill(closes)
    picker.press("Enter")
    dialog.locator(".el-dialog__title").click()  # the picker panel closes
    expect(page.locator(".el-picker__popper[aria-hidden=false]")).to_have_count(0)
    check_page(page, "votes-new")
    dialog.get_by_role("button", name="发起表决").click()

    expect(page.locator(".layout-header h1")).to_have_text("表决详情")
    expect(page.locator(".layout-main h2").first).to_have_text(topic["title"])
    expect(page.locator("[data-test=status]")).to_have_text("投票中")
    expect(page.locator("[data-test=ballots]")).to_have_text("0")
    vote_id = page.url.rsplit("/", 1)[-1]

    cast(base, resident, vote_id, "FOR")
    expect(page.locator("[data-test=ballots]")).to_have_text("1")
    expect(page.locator("[data-test=for]")).to_have_text("1")

    page.locator("#ballot-meeting").click(force=True)
    page.get_by_role("option", name="长廊现场表决会").click()
    page.locator("#ballot-resident").fill(in_person["name"])
    page.get_by_role("option", name=in_person["name"]).first.click()
    choose(page, "反对")
    page.get_by_role("button", name="录入").click()
    expect(page.locator("[data-test=slip]")).to_contain_text("改票码")
    expect(page.locator("[data-test=ballots]")).to_have_text("2")
    expect(page.locator("[data-test=against]")).to_have_text("1")
    sessions = page.locator("[data-test=sessions] tbody tr")
    expect(sessions).to_have_count(1)
    expect(sessions.first).to_contain_text("长廊现场表决会")

    page.get_by_role("button", name="结束表决").click()
    box = page.get_by_role("dialog", name="结束表决")
    expect(box).to_contain_text("结果即固定")
    box.get_by_role("button", name="结束并固定结果").click()
    expect(page.locator(".el-message--error")).to_contain_text("之后")
    expect(box).to_be_hidden()
    expect(page.locator(".el-message")).to_have_count(0, timeout=8_000)
    check_page(page, "vote-open")

    time.sleep(max(0.0, closes_at - time.monotonic()) + 1)
    expect(page.locator("[data-test=status]")).to_have_text("已结束", timeout=15_000)
    expect(page.locator("[data-test=outcome]")).not_to_have_text("尚未结束")
    # Every read past the close fixes the result (closeVote only does it sooner when nobody
    # looked): the live tally brought it, so there is nothing left to close.
    expect(page.get_by_role("button", name="结束表决")).to_have_count(0)
    page.get_by_role("button", name="核验计票").click()
    expect(page.locator("[data-test=verified]")).to_contain_text("全部核验通过")
    checks = page.locator("[data-test=checks] tbody tr")
    expect(checks).to_have_count(4)
    for row in checks.all():
        expect(row).to_contain_text("通过")
        expect(row).not_to_contain_text("未通过")
    expect(page.locator("[data-test=commitments] tbody tr")).to_have_count(2)
    expect(page.locator("[data-test=choices] tbody tr")).to_have_count(2)
    check_page(page, "vote-verified")

    vote = graphql(
        base,
        """query($v: UUID!) { vote(id: $v) { ... on Vote { status electorate secret threshold
             tally { for against final } } } }""",
        {"v": vote_id},
        admin,
    )["vote"]
    assert vote == {
        "status": "CLOSED",
        "electorate": "ADULT_RESIDENTS",
        "secret": False,
        "threshold": "SIMPLE_MAJORITY",
        "tally": {"for": 1, "against": 1, "final": True},
    }
