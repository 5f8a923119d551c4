"""The volunteers' field app (/field) in a real Chromium at a phone's size, against a real
server process, on SQLite and PostgreSQL.

A volunteer of 第二网格 logs in and sees the households the server sends to their device;
the network is cut (``context.set_offline``, a real cut for the page and its service
worker), the app reloads from the service worker's shell with its data from IndexedDB, a
民情日记 entry is written and then edited offline; back online, the server has it exactly
once, with the edit. Logout wipes the device's IndexedDB. Every screen passes axe-core and
leaves a screenshot in test-artifacts/field/.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.console.conftest import Served
from tests.e2e.field.conftest import (
    ARTIFACTS,
    DEMO_PASSWORD,
    PHONE,
    check_screen,
    office_token,
    pulled,
)

VOLUNTEER = "member2"
NOTE = "楼道灯坏了，老人晚上下楼不便，已报物业。"
EDITED = NOTE + "物业答应周五前修好。"
NEW_PHONE = "13900001111"


@pytest.fixture
def phone(browser: Browser) -> Iterator[tuple[BrowserContext, Page, list[str]]]:
    """A phone-sized context; errors the page logs (a failed script, a CSP violation) fail
    the test."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", service_workers="allow")
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    yield context, page, problems
    context.close()


def _log_in(page: Page, base: str) -> float:
    page.goto(f"{base}/field/")
    expect(page.locator("h1")).to_have_text("长廊 · 网格走访")
    check_screen(page, "login")
    page.fill("#username", VOLUNTEER)
    page.fill("#password", DEMO_PASSWORD)
    started = time.perf_counter()
    page.click("button[type=submit]")
    expect(page.locator(".household").first).to_be_visible(timeout=30_000)
    return time.perf_counter() - started


def _status(page: Page) -> str:
    return str(page.locator(".status .state").get_attribute("data-state"))


def _wait_for_shell_worker(page: Page) -> None:
    page.wait_for_function(
        "navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=15_000
    )
    page.evaluate("caches.keys()")


def test_offline_round_trip_from_login_to_logout(
    field_server: Served, phone: tuple[BrowserContext, Page, list[str]]
) -> None:
    context, page, problems = phone
    base = field_server.base
    office = office_token(base, "chief2")
    households = pulled(base, office_token(base, VOLUNTEER), "household", "building unit room")
    assert households, "the demo's 第二网格 has households"

    first_screen = _log_in(page, base)
    expect(page.locator(".household")).to_have_count(len(households), timeout=30_000)
    expect(page.locator(".status .synced")).not_to_have_text("上次同步 尚未同步")
    assert _status(page) in ("online", "syncing")
    check_screen(page, "households")

    target = households[0]
    page.click(f".household[data-id='{target['id']}'] a.open")
    expect(page.locator("h1")).to_contain_text(str(target["room"]))
    expect(page.locator(".resident").first).to_be_visible()
    call = page.locator(".resident a.call").first.get_attribute("href") or ""
    assert call.startswith("tel:1"), call
    check_screen(page, "household")

    _wait_for_shell_worker(page)
    cdp = context.new_cdp_session(page)
    assert cdp.send("Page.getAppManifest")["errors"] == []
    installability = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # A test browser context is incognito-like, the one thing that keeps it from installing.
    assert {e["errorId"] for e in installability} <= {"in-incognito"}, installability
    cdp.detach()  # attached, it kept the offline emulation from reaching the page
    context.set_offline(True)
    started = time.perf_counter()
    page.reload()
    expect(page.locator(".resident").first).to_be_visible(timeout=15_000)
    offline_reload = time.perf_counter() - started
    expect(page.locator("h1")).to_contain_text(str(target["room"]))
    expect(page.locator(".status .state")).to_have_attribute("data-state", "offline")
    with (ARTIFACTS / "timings.txt").open("a", encoding="utf-8") as timings:
        timings.write(
            f"{field_server.dialect}: first visit, {len(households)} households on screen "
            f"{first_screen:.2f} s after the login tap; offline reload to a household "
            f"{offline_reload:.2f} s\n"
        )
    databases = page.evaluate("indexedDB.databases().then(list => list.map(d => d.name))")
    assert any("changlang-field" in name for name in databases), databases

    page.click("a.button.primary")  # 写日记
    expect(page.locator("h1")).to_have_text("写民情日记")
    page.select_option("#category", "need")
    page.fill("#text", NOTE)
    page.check("#followUp")
    check_screen(page, "note-new-offline")
    page.click("button[type=submit]")
    expect(page.locator(".note")).to_have_count(1)
    expect(page.locator(".status .waiting")).to_have_text("待上传 1 条")

    page.click(".note a")
    expect(page.locator("h1")).to_have_text("修改民情日记")
    expect(page.locator("#text")).to_have_value(NOTE)
    page.fill("#text", EDITED)
    check_screen(page, "note-edit-offline")
    page.click("button[type=submit]")
    expect(page.locator(".note .text")).to_have_text(EDITED)
    resident = page.locator(".resident", has=page.locator("a.call")).first
    resident.locator("a.button.small").click()
    expect(page.locator("h1")).to_have_text("改电话")
    page.fill("#phone", NEW_PHONE)
    check_screen(page, "phone-offline")
    page.click("#view button[type=submit]")
    expect(page.locator(".resident .contact span", has_text=NEW_PHONE)).to_have_count(1)
    expect(page.locator(".status .waiting")).to_have_text("待上传 2 条")
    check_screen(page, "household-offline")
    page.click("a.back")
    visited = page.locator(f".household[data-id='{target['id']}'] .visit")
    expect(visited).to_have_text("今天走访")
    check_screen(page, "households-offline")
    assert not [n for n in pulled(base, office, "visitNote", "text") if n["text"] in (NOTE, EDITED)]

    context.set_offline(False)
    expect(page.locator(".status .waiting")).to_have_text("无待上传", timeout=30_000)
    expect(page.locator(".status .state")).to_have_attribute("data-state", "online", timeout=15_000)
    deadline = time.monotonic() + 20
    while True:
        notes = [
            n
            for n in pulled(base, office, "visitNote", "householdId category text followUp")
            if n["householdId"] == target["id"] and n["text"] in (NOTE, EDITED)
        ]
        if (notes and notes[0]["text"] == EDITED) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert len(notes) == 1, notes
    assert notes[0]["text"] == EDITED
    assert notes[0]["category"] == "need" and notes[0]["followUp"] is True
    phones = pulled(base, office, "resident", "householdId phone")
    assert [r for r in phones if r["phone"] == NEW_PHONE and r["householdId"] == target["id"]]

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("text=退出登录")
    expect(page.locator("#username")).to_be_visible(timeout=15_000)
    assert page.evaluate("indexedDB.databases().then(list => list.map(d => d.name))") == []
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('changlang'))") == []
    assert not problems, "\n".join(problems)


def test_a_change_the_server_refuses_comes_back_as_a_notice_and_the_phone_reverts(
    field_server: Served, phone: tuple[BrowserContext, Page, list[str]]
) -> None:
    _context, page, problems = phone
    _log_in(page, field_server.base)
    resident = page.locator(".household", has=page.locator("a.call")).first
    resident.locator("a.open").click()
    card = page.locator(".resident", has=page.locator("a.call")).first
    before = card.locator(".contact > span").first.inner_text()
    card.locator("a.button.small").click()
    page.fill("#phone", "12345")  # not a mobile or landline number: the server refuses it
    page.click("#view button[type=submit]")
    expect(page.locator(".status .waiting")).to_have_text("无待上传", timeout=30_000)
    expect(page.locator(".resident .contact > span", has_text=before)).to_have_count(
        1, timeout=20_000
    )
    page.click("a.back")
    expect(page.locator(".notices li")).to_have_count(1, timeout=20_000)
    expect(page.locator(".notices li")).to_contain_text("phone")
    check_screen(page, "households-notice")
    page.click(".notices button")
    expect(page.locator(".notices")).to_have_count(0)
    assert not problems, "\n".join(problems)
