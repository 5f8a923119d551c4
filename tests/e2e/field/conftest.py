"""Fixtures for the field app's browser tests: ``changlang serve --demo`` on both databases
(the console's fixtures), Debian's Chromium at a phone's size, axe-core, screenshots in
test-artifacts/field/, and the server's own view of a volunteer's data through the sync
pull (the same documents a phone receives)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page

from tests.e2e.console.conftest import DIALECT_PARAMS, Served, _serve, browser, run_axe, settle

__all__ = ["browser"]

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts" / "field"
PHONE = {"width": 390, "height": 844}
DEMO_PASSWORD = "changlang-demo"

LOGIN = """mutation($u: String!, $p: String!) { login(username: $u, password: $p,
  deviceName: "office") { __typename ... on AuthSession { accessToken refreshToken } } }"""


@pytest.fixture(scope="module", params=DIALECT_PARAMS)
def field_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """``changlang serve --demo``: 浩宇苑社区; member2 covers 第二网格's households."""
    yield from _serve(request, tmp_path_factory, "--demo")


def graphql(base: str, query: str, variables: dict[str, Any] | None = None, token: str = "") -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        f"{base}/graphql",
        json={"query": query, "variables": variables or {}},
        headers=headers,
        timeout=30,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def office_token(base: str, username: str) -> str:
    login = graphql(base, LOGIN, {"u": username, "p": DEMO_PASSWORD})["login"]
    assert login["__typename"] == "AuthSession", login
    return str(login["accessToken"])


def pulled(base: str, token: str, collection: str, fields: str) -> list[dict[str, Any]]:
    """Every live document of a collection as the server sends it to this account."""
    name = collection[0].upper() + collection[1:]
    query = f"""query($c: {name}InputCheckpoint) {{ pull{name}(checkpoint: $c, limit: 500) {{
      documents {{ id {fields} deleted }} checkpoint {{ id updatedAt }} }} }}"""
    documents: list[dict[str, Any]] = []
    checkpoint = None
    while True:
        page = graphql(base, query, {"c": checkpoint}, token)[f"pull{name}"]
        documents += page["documents"]
        if len(page["documents"]) < 500:
            break
        checkpoint = page["checkpoint"]
    return [d for d in documents if not d["deleted"]]


def check_screen(page: Page, name: str) -> None:
    """axe-core finds nothing critical or serious; a phone-sized screenshot of the screen."""
    settle(page)
    bad = [v for v in run_axe(page) if v["impact"] in ("critical", "serious")]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    assert not bad, f"{name}: axe-core found {bad}"


@pytest.fixture(scope="module", params=DIALECT_PARAMS)
def short_token_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """The demo, with access tokens that live 4 s: a phone idles past several of them."""
    yield from _serve(
        request, tmp_path_factory, "--demo", extra_env={"CHANGLANG_ACCESS_TOKEN_SECONDS": "4"}
    )
