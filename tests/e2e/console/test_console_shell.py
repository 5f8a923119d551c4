"""The console's frame in Chromium: signing in per role, the menu a role gets, refusals in
Chinese, and GraphiQL working with no route to the internet (its assets are vendored)."""

from __future__ import annotations

import json

import httpx
from playwright.sync_api import Browser, Route, expect

from tests.e2e.console.conftest import DEMO_PASSWORD, OpenConsole, Served, check_page


def test_the_secretary_signs_in_and_sees_the_overview(
    console_server: Served, open_console: OpenConsole
) -> None:
    page = open_console(console_server.base, "admin")
    expect(page.locator(".layout-header h1")).to_have_text("工作概览")
    expect(page.locator(".who")).to_contain_text("社区书记")
    expect(page.locator("[data-test=households]")).to_have_text("200")
    check_page(page, "home-admin")
    stored = json.loads(page.evaluate("localStorage.getItem('changlang.console.session')"))
    page.get_by_role("button", name="退出登录").click()
    expect(page.locator("#username")).to_be_visible()
    assert page.evaluate("localStorage.getItem('changlang.console.session')") is None
    refreshed = httpx.post(
        f"{console_server.base}/graphql",
        json={
            "query": "mutation($t: String!) { refreshSession(refreshToken: $t) { __typename } }",
            "variables": {"t": stored["refreshToken"]},
        },
    ).json()
    assert refreshed["data"]["refreshSession"]["__typename"] != "AuthSession"


def test_a_wrong_password_and_a_resident_are_refused_in_chinese(
    console_server: Served, browser: Browser
) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page.goto(f"{console_server.base}/console/")
    page.fill("#username", "admin")
    page.fill("#password", "wrong password")
    page.click("button[type=submit]")
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in alert.inner_text())
    check_page(page, "login-refused")
    page.close()


def test_grid_staff_get_their_own_menu(console_server: Served, open_console: OpenConsole) -> None:
    page = open_console(console_server.base, "chief1", DEMO_PASSWORD, viewport="tablet")
    expect(page.locator(".who")).to_contain_text("网格工作人员")
    page.goto(f"{console_server.base}/console/#/no-such-page")
    expect(page.locator(".layout-header h1")).to_have_text("没有这个页面")
    expect(page.get_by_role("navigation", name="主菜单")).to_contain_text("工作概览")


def test_graphiql_loads_with_the_internet_cut_off(console_server: Served, browser: Browser) -> None:
    context = browser.new_context()
    outside: list[str] = []

    def only_this_server(route: Route) -> None:
        if route.request.url.startswith(console_server.base):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_this_server)
    page = context.new_page()
    page.goto(f"{console_server.base}/graphql")
    expect(page.locator(".graphiql-container").first).to_be_visible(timeout=20_000)
    expect(page.get_by_text("正在加载 GraphiQL")).to_have_count(0)
    assert outside == []
    context.close()
