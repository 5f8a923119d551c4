"""The field app's session in a real Chromium, against a real server process, on both
databases: it renews its short-lived access token by itself and keeps receiving live changes
while the phone idles; when the session cannot be renewed (it was ended on the server) the
app asks for the password again, and nothing written meanwhile is lost."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.console.conftest import Served
from tests.e2e.field.conftest import (
    DEMO_PASSWORD,
    PHONE,
    check_screen,
    graphql,
    office_token,
    pulled,
)

VOLUNTEER = "member2"
LOGOUT = "mutation($t: String!) { logout(refreshToken: $t) { __typename } }"
RENAME = """mutation($id: UUID!, $name: String!) { updateResident(id: $id, fields: {name: $name})
  { __typename ... on Error { code message } } }"""
SESSION = "JSON.parse(localStorage.getItem('changlang-field-session'))"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, errors


def _log_in(page: Page, base: str) -> None:
    page.goto(f"{base}/field/")
    page.fill("#username", VOLUNTEER)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".household").first).to_be_visible(timeout=30_000)


def test_an_idle_phone_renews_its_token_and_still_receives_live_changes(
    short_token_server: Served, page: Page
) -> None:
    base = short_token_server.base
    _log_in(page, base)
    first = page.evaluate(SESSION)["accessToken"]
    page.wait_for_timeout(10_000)  # idle past two access tokens' lives
    resident = pulled(base, office_token(base, VOLUNTEER), "resident", "name householdId")[0]
    renamed = f"{resident['name']}（改）"
    result = graphql(
        base, RENAME, {"id": resident["id"], "name": renamed}, office_token(base, "chief2")
    )
    assert result["updateResident"]["__typename"] == "Resident", result
    page.click(f".household[data-id='{resident['householdId']}'] a.open")
    expect(page.locator(".resident strong", has_text=renamed)).to_be_visible(timeout=20_000)
    assert page.evaluate(SESSION)["accessToken"] != first
    expect(page.locator(".dialog")).to_have_count(0)


def test_a_session_ended_on_the_server_asks_for_the_password_and_loses_nothing(
    field_server: Served, page: Page
) -> None:
    base = field_server.base
    _log_in(page, base)
    ended = graphql(base, LOGOUT, {"t": page.evaluate(SESSION)["refreshToken"]})
    assert ended["logout"]["__typename"] == "LoggedOut", ended

    household = page.locator(".household").first.get_attribute("data-id")
    page.click(f".household[data-id='{household}'] a.open")
    page.click("#view a.button.primary")
    page.fill("#text", "会话过期时写下的日记")
    page.click("#view button[type=submit]")
    expect(page.locator(".note")).to_have_count(1)
    page.click("button.sync")
    expect(page.locator(".dialog h2")).to_have_text("需要重新登录", timeout=20_000)
    expect(page.locator(".status .state")).to_have_attribute("data-state", "problem")
    expect(page.locator(".status .waiting")).to_have_text("待上传 1 条")
    check_screen(page, "relogin")

    page.fill(".dialog #password", DEMO_PASSWORD)
    page.click(".dialog button[type=submit]")
    expect(page.locator(".dialog")).to_have_count(0)
    expect(page.locator(".status .waiting")).to_have_text("无待上传", timeout=30_000)
    office = office_token(base, "chief2")
    deadline = time.monotonic() + 20
    while True:
        notes = [
            n
            for n in pulled(base, office, "visitNote", "text")
            if n["text"] == "会话过期时写下的日记"
        ]
        if notes or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert len(notes) == 1, notes
    expect(page.locator(".note")).to_have_count(1)


REVOKE = """mutation($d: UUID!) { revokeDevice(deviceId: $d) { __typename
  ... on Error { code message } } }"""


def test_a_revoked_device_wipes_what_it_held_when_its_user_logs_in_again(
    field_server: Served, page: Page
) -> None:
    base = field_server.base
    _log_in(page, base)
    device = page.evaluate(SESSION)["deviceId"]
    revoked = graphql(base, REVOKE, {"d": device}, office_token(base, "admin"))
    assert revoked["revokeDevice"]["__typename"] == "DeviceRevoked", revoked
    household = page.locator(".household").first.get_attribute("data-id")
    page.click(f".household[data-id='{household}'] a.open")
    page.click("#view a.button.primary")
    page.fill("#text", "被吊销的手机上写的日记")
    page.click("#view button[type=submit]")
    expect(page.locator(".note")).to_have_count(1)
    page.click("button.sync")
    expect(page.locator(".dialog h2")).to_have_text("需要重新登录", timeout=20_000)
    page.fill(".dialog #password", DEMO_PASSWORD)
    with page.expect_navigation(timeout=15_000):  # the wiped app starts again
        page.click(".dialog button[type=submit]")
    expect(page.locator(".resident").first).to_be_visible(timeout=30_000)
    assert page.evaluate(SESSION)["deviceId"] != device
    # What the revoked device held is gone, its unsent note too (the server took nothing from
    # it); the new device pulled the households afresh.
    expect(page.locator(".note")).to_have_count(0)
    texts = [n["text"] for n in pulled(base, office_token(base, "chief2"), "visitNote", "text")]
    assert "被吊销的手机上写的日记" not in texts
    expect(page.locator(".dialog")).to_have_count(0)
