"""Fixtures for the residents' page in a real Chromium: the console's server processes (the
demo, on both databases) and browser, and ``check_screen``: axe-core with no violation of any
impact, every control at least 44 px, screenshots at 390×844 and with the text at 200%."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.console.conftest import (  # noqa: F401  (fixtures)
    DIALECT_PARAMS,
    ROOT,
    Served,
    _serve,
    browser,
    console_server,
    run_axe,
    settle,
)

ARTIFACTS = ROOT / "test-artifacts" / "residents"
PHONE = {"width": 390, "height": 844}

SMALL_TARGETS = """() => Array.from(document.querySelectorAll(
    "button, input:not([type=radio]):not([type=file]), select, textarea, .file-button, a[href]"))
  .filter(e => e.offsetParent !== null && !e.classList.contains('offscreen'))
  .map(e => [e, e.getBoundingClientRect()])
  .filter(([e, r]) => r.height < 44 || r.width < 44)
  .map(([e, r]) => `${e.tagName} ${e.id || e.className} "${(e.textContent || '').trim()}"`
    + ` ${Math.round(r.width)}x${Math.round(r.height)}`)"""


def check_screen(page: Page, name: str) -> None:
    """No axe-core violation of any impact and no control under 44 px, at the phone's size
    and with the text at 200%; a screenshot of each kept in test-artifacts/residents/."""
    page.wait_for_timeout(150)
    settle(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    found = [(name, v) for v in run_axe(page)]
    small = page.evaluate(SMALL_TARGETS)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    page.wait_for_timeout(150)
    page.screenshot(path=str(ARTIFACTS / f"{name}-200.png"), full_page=True)
    found += [(f"{name} at 200%", v) for v in run_axe(page)]
    page.evaluate("document.documentElement.style.fontSize = ''")
    assert not found, f"axe-core found {found}"
    assert not small, f"{name}: tap targets under 44 px: {small}"


@pytest.fixture(scope="module", params=DIALECT_PARAMS)
def voting_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """The demo, with votes that close without an offline counting window (so that a test
    can see a vote's result fixed a minute after it opened)."""
    yield from _serve(
        request,
        tmp_path_factory,
        "--demo",
        extra_env={"CHANGLANG_OFFLINE_BALLOT_GRACE_SECONDS": "0"},
    )


@pytest.fixture
def phones(browser: Browser) -> Iterator[Callable[[], tuple[BrowserContext, Page]]]:  # noqa: F811
    """Fresh phones (browser contexts); the page's errors fail the test at teardown."""
    opened: list[tuple[BrowserContext, list[str]]] = []

    def phone() -> tuple[BrowserContext, Page]:
        context = browser.new_context(viewport=PHONE, locale="zh-CN")
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
        page.on(
            "console",
            lambda message: (
                errors.append(f"console: {message.text}")
                if message.type == "error" and "Content Security Policy" in message.text
                else None
            ),
        )
        opened.append((context, errors))
        return context, page

    yield phone
    problems = [error for _context, errors in opened for error in errors]
    for context, _errors in opened:
        context.close()
    assert not problems, "\n".join(problems)


def sign_in(page: Page, base: str, code: str, name: str) -> None:
    page.goto(base)
    page.fill("#code", code)
    page.click("#login-form button[type=submit]")
    expect(page.locator("#who-name")).to_have_text(name)
    expect(page.locator("#home-view")).to_be_visible()


def tab(page: Page, name: str) -> None:
    page.click(f".tabs button[data-tab={name}]")
    expect(page.locator(f"#{name}-panel")).to_be_visible()


__all__ = ["ARTIFACTS", "Path", "check_screen", "sign_in", "tab"]
