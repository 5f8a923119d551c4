"""The residents' page as an app shell: its service worker is served at the root (so that it
controls the page), never cached stale, and keeps exactly the page's own files: every module
the page loads and nothing of the API."""

from __future__ import annotations

import re

import httpx

from api.web_page import WEB_DIR
from tests.api_client import Api

SW = (WEB_DIR / "sw.js").read_text(encoding="utf-8")


def _shell_files() -> list[str]:
    block = SW[SW.index("const FILES = [") : SW.index("];")]
    return re.findall(r'"([^"]+)"', block)


def test_the_shell_keeps_every_module_the_page_loads_and_nothing_of_the_api() -> None:
    files = _shell_files()
    modules = {f"/static/{path.name}" for path in WEB_DIR.glob("*.js") if path.name != "sw.js"}
    assert modules <= set(files)
    for path in files:
        if path.startswith("/static/"):
            assert (WEB_DIR / path.removeprefix("/static/")).is_file(), path
        if path.startswith("/vendor/"):
            assert (WEB_DIR / path.removeprefix("/")).is_file(), path
    assert not [path for path in files if path.startswith(("/graphql", "/files", "/console"))]
    imports = set()
    for path in WEB_DIR.glob("*.js"):
        imports |= set(re.findall(r'from "(/[^"]+)"', path.read_text(encoding="utf-8")))
    assert imports <= set(files)


async def test_the_worker_and_the_manifest_are_served_from_the_root(api: Api) -> None:
    client: httpx.AsyncClient = api.client
    worker = await client.get("/sw.js")
    assert worker.status_code == 200
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["cache-control"] == "no-cache"
    manifest = await client.get("/manifest.webmanifest")
    assert manifest.status_code == 200
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    assert manifest.json()["start_url"] == "/"
    assert manifest.json()["lang"] == "zh-CN"
    page = await client.get("/")
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page.text
