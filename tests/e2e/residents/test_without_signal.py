"""Without signal: the page opens from its app shell, shows the last data with when it was
fetched under an offline banner, and every step that needs the server says so; on a slow
network a button shows progress and cannot send twice; signing out leaves no data behind."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.console.conftest import Served
from tests.e2e.graphql_http import adult_residents, issue_code, login
from tests.e2e.residents.conftest import check_screen, sign_in, tab

OFFLINE = "现在没有网络"
SUPPORT = re.compile("^附议$")
KEPT_DATA = "Object.keys(localStorage).filter(k => k.startsWith('changlang.data.'))"
CACHED_URLS = """async () => {
  const urls = [];
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
  }
  return urls;
}"""


def test_the_page_opens_and_answers_without_signal(console_server: Served, phones) -> None:
    base = console_server.base
    admin = login(base)
    resident = adult_residents(base, admin, 4)[3]
    context, page = phones()
    sign_in(page, base, issue_code(base, admin, resident["id"]), resident["name"])
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_function("caches.match('/static/votes.js').then(Boolean)")
    first = page.locator("#topics li").first
    seen = first.locator("h3").inner_text()
    first.get_by_role("button", name=f"查看进展：{seen}").click()
    expect(page.locator("#topic-title")).to_have_text(seen)
    page.locator("#topic-view .back").click()

    context.set_offline(True)
    page.reload()
    expect(page.locator("#home-view")).to_be_visible()
    expect(page.locator("#offline-banner")).to_be_visible()
    expect(page.locator("#offline-banner")).to_contain_text("没有网络")
    expect(page.locator("#fetched-at")).to_contain_text("以下内容获取于")
    expect(page.locator("#who-name")).to_have_text(resident["name"])
    check_screen(page, f"offline-{console_server.dialect}")

    card = page.locator("#topics li").filter(has=page.locator("button", has_text=SUPPORT)).first
    card.locator("button", has_text=SUPPORT).click()
    expect(card.locator(".error")).to_contain_text(OFFLINE)
    page.locator("#topics li").first.get_by_role("button", name=f"查看进展：{seen}").click()
    expect(page.locator("#topic-title")).to_have_text(seen)  # from what the phone kept
    page.locator("#topic-view .back").click()
    tab(page, "raise")
    page.fill("#raise-title", "楼下路灯不亮")
    page.click("#raise-submit")
    expect(page.locator("#raise-message")).to_contain_text(OFFLINE)

    context.set_offline(False)
    expect(page.locator("#offline-banner")).to_be_hidden()
    expect(page.locator("#fetched-at")).to_be_hidden()

    cdp = context.new_cdp_session(page)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 1500, "downloadThroughput": 40000, "uploadThroughput": 40000},
    )
    tab(page, "topics")
    supports: list[str] = []
    page.on(
        "request",
        lambda request: (
            supports.append(request.url) if "supportProposal" in (request.post_data or "") else None
        ),
    )
    open_card = page.locator("#topics li").filter(has=page.locator("button", has_text=SUPPORT))
    proposal = open_card.first.get_attribute("data-proposal-id")
    card = page.locator(f"#topics li[data-proposal-id='{proposal}']")
    title = card.locator("h3").inner_text()
    card.locator("button", has_text=SUPPORT).dblclick()  # a double tap sends once
    expect(card.locator("button[aria-busy=true]")).to_be_disabled()
    expect(page.locator("#progress")).to_be_visible()
    expect(card.locator("button[aria-busy=true]")).to_have_text("正在提交…")
    expect(page.locator(f"#topics li[data-proposal-id='{proposal}']")).to_contain_text(
        "✓ 我已附议", timeout=20000
    )
    assert len(supports) == 1
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    expect(page.locator("#progress")).to_be_hidden(timeout=20000)
    tab(page, "mine")
    expect(page.locator("#mine li", has_text=title)).to_contain_text("✓ 我已附议")

    page.locator("#logout").click()
    expect(page.locator("#login-view")).to_be_visible()
    assert page.evaluate(KEPT_DATA) == []
    cached = page.evaluate(CACHED_URLS)
    assert cached and not [url for url in cached if "/graphql" in url or "/files/" in url]
    context.set_offline(True)
    page.reload()
    expect(page.locator("#login-view")).to_be_visible()
    expect(page.locator("#offline-banner")).to_contain_text("登录需要连上服务器")
    expect(page.locator("#topics li")).to_have_count(0)
    check_screen(page, f"signed-out-offline-{console_server.dialect}")
