"""A resident votes on the web page in a real Chromium, against a real server process.

Logs in with a one-time code, casts and changes a ballot, and watches the live tally move
when another resident votes through the API. A screenshot is kept in test-artifacts/.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.e2e.console.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.graphql_http import (
    adult_residents,
    cast,
    issue_code,
    login,
    login_with_code,
    open_vote,
)
from tests.e2e.server_process import running_server

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is required for the browser test (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    env = {"CHANGLANG_DATA_DIR": str(tmp_path / "data"), "CHANGLANG_DATABASE_URL": ""}
    with running_server("--demo", env=env, log=tmp_path / "server.log") as base:
        yield base


def _tally(page: Page, name: str) -> str:
    return page.locator(f"#count-{name}").inner_text()


def test_a_resident_votes_changes_the_vote_and_watches_the_tally(
    server: str, browser: Browser
) -> None:
    started = time.perf_counter()
    admin = login(server)
    vote_id = open_vote(server, admin, "东侧空地改建临时停车位")
    voter, neighbour = adult_residents(server, admin, 2)
    code = issue_code(server, admin, voter["id"])

    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page.goto(server)
    page.fill("#code", code)
    page.click("#login-form button[type=submit]")
    expect(page.locator("#who-name")).to_have_text(voter["name"])
    page.get_by_role("button", name="投票", exact=True).click()
    card = page.locator(f"li[data-vote-id='{vote_id}']")
    expect(card).to_contain_text("东侧空地改建临时停车位")
    card.get_by_role("button").click()

    expect(page.locator("#vote-title")).to_have_text("东侧空地改建临时停车位")
    expect(page.locator("#vote-rule")).to_contain_text("记名投票")
    expect(page.locator("#count-ballots")).to_have_text("0")
    page.get_by_role("button", name="赞成").click()
    expect(page.locator("#ballot-state")).to_contain_text("您投了「赞成」")
    expect(page.locator("#receipt-code")).not_to_be_empty()
    expect(page.locator("#count-for")).to_have_text("1")

    page.get_by_role("button", name="反对").click()
    expect(page.locator("#ballot-state")).to_contain_text("您投了「反对」")
    expect(page.locator("#count-against")).to_have_text("1")
    expect(page.locator("#count-for")).to_have_text("0")
    expect(page.locator("#count-ballots")).to_have_text("1")

    cast(
        server, login_with_code(server, issue_code(server, admin, neighbour["id"])), vote_id, "FOR"
    )
    expect(page.locator("#count-for")).to_have_text("1")
    expect(page.locator("#count-ballots")).to_have_text("2")
    assert (_tally(page, "for"), _tally(page, "against")) == ("1", "1")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "voting-page.png"), full_page=True)
    print(f"browser voting test took {time.perf_counter() - started:.1f} s")
