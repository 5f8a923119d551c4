"""Fixtures for the staff console's browser tests: real server processes on both databases,
Debian's Chromium through Playwright, axe-core and screenshots.

``console_server`` is ``changlang serve --demo``; ``empty_server`` starts with nothing, as a
new community's first day, and runs the CLI against the same database. ``open_console``
signs a demo login in through the login form; ``check_page`` runs axe-core (0 critical, 0
serious) and keeps a 1366×768 and a 768-wide tablet screenshot in test-artifacts/console/.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import create_engine, text

from tests.e2e.server_process import running_server
from tests.postgres_server import PostgresServer

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts" / "console"
AXE = ROOT / "clients" / "web-vendor" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {"desktop": {"width": 1366, "height": 768}, "tablet": {"width": 768, "height": 1024}}
DEMO_PASSWORD = "changlang-demo"
DIALECT_PARAMS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql),
]


@dataclass
class Served:
    """A running server and the environment its CLI must share (the same database)."""

    base: str
    dialect: str
    env: dict[str, str]
    log: Path

    def cli(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        command = [str(Path(sys.executable).parent / "changlang"), *args]
        return subprocess.run(
            command,
            env={**os.environ, **self.env},
            input=input,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


def _serve(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    *args: str,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Served]:
    dialect = str(request.param)
    chosen = request.config.getoption("--db")
    if chosen not in ("both", dialect):
        pytest.skip(f"--db {chosen}")
    tmp = tmp_path_factory.mktemp(f"console-{dialect}")
    log = tmp / "server.log"
    env = {
        "CHANGLANG_DATA_DIR": str(tmp / "data"),
        "CHANGLANG_DATABASE_URL": "",
        **(extra_env or {}),
    }
    if dialect == "sqlite":
        env["CHANGLANG_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp / 'changlang.sqlite3'}"
        with running_server(*args, env=env, log=log) as base:
            yield Served(base, dialect, env, log)
        return
    postgres: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"console_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    env["CHANGLANG_DATABASE_URL"] = postgres.url(name)
    try:
        with running_server(*args, env=env, log=log) as base:
            yield Served(base, dialect, env, log)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture(scope="module", params=DIALECT_PARAMS)
def console_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """``changlang serve --demo``: 浩宇苑社区 with its staff, residents and council."""
    yield from _serve(request, tmp_path_factory, "--demo")


@pytest.fixture(scope="module", params=DIALECT_PARAMS)
def empty_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """``changlang serve`` on an empty database: create the admin with ``served.cli``."""
    yield from _serve(request, tmp_path_factory)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Module-scoped: sync Playwright runs an event loop in this thread while it is open, and
    the asyncio tests that follow in the session need the thread's loop free again."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is required for the browser tests (scripts/install-test-deps)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


OpenConsole = Callable[..., Page]


@pytest.fixture
def open_console(browser: Browser) -> Iterator[OpenConsole]:
    """Sign a login in through the form; the page waits on the console's first screen.
    Errors the page logs (a failed script, a CSP violation) fail the test at teardown."""
    pages: list[tuple[Page, list[str]]] = []

    def open_(
        base: str, username: str, password: str = DEMO_PASSWORD, viewport: str = "desktop"
    ) -> Page:
        context = browser.new_context(
            viewport=VIEWPORTS[viewport], locale="zh-CN", accept_downloads=True
        )
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
        pages.append((page, errors))
        page.goto(f"{base}/console/")
        page.fill("#username", username)
        page.fill("#password", password)
        page.click("button[type=submit]")
        expect(page.locator(".layout-header h1")).not_to_be_empty()
        return page

    yield open_
    problems = [error for _page, errors in pages for error in errors]
    for page, _errors in pages:
        page.context.close()
    assert not problems, "\n".join(problems)


def run_axe(page: Page) -> list[dict[str, object]]:
    """axe-core's violations on the page as it is now (evaluated through the debugger
    protocol, which the page's CSP does not govern, so the page keeps its own policy)."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci --prefix clients/web-vendor`")
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    violations: list[dict[str, object]] = page.evaluate(
        """async () => (await axe.run(document, { resultTypes: ["violations"] })).violations
             .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                          targets: v.nodes.slice(0, 5).map(n => n.target.join(" ")) }))"""
    )
    return violations


def settle(page: Page) -> None:
    """Wait for the page's finite animations (a dialog fading in, a drawer sliding) to end:
    axe judges colours as they are painted, and half-faded text fails contrast."""
    page.evaluate(
        """() => Promise.all(document.getAnimations()
             .filter(a => a.effect && a.effect.getTiming().iterations !== Infinity)
             .map(a => a.finished.catch(() => null)))"""
    )


def check_page(page: Page, name: str) -> None:
    """axe-core finds nothing critical or serious; screenshots at 1366×768 and 768 wide."""
    page.wait_for_load_state("networkidle")
    # A toast fading in or out is judged at its passing opacity: close the toasts first
    # (their resting colours are the status colours console.css sets).
    page.evaluate("window.ElementPlus && ElementPlus.ElMessage.closeAll()")
    expect(page.locator(".el-message")).to_have_count(0)
    settle(page)
    violations = run_axe(page)
    bad = [v for v in violations if v["impact"] in ("critical", "serious")]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size or VIEWPORTS["desktop"]
    page.screenshot(path=str(ARTIFACTS / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size(VIEWPORTS["tablet"])
    page.wait_for_timeout(300)
    settle(page)
    page.screenshot(path=str(ARTIFACTS / f"{name}-tablet.png"), full_page=True)
    tablet_bad = [
        v for v in run_axe(page) if v["impact"] in ("critical", "serious") and v not in bad
    ]
    page.set_viewport_size(size)
    assert not bad + tablet_bad, f"{name}: axe-core found {bad + tablet_bad}"
