"""The browser apps' files: vendored npm libraries match the lock file and carry their
licences, nothing loads from another host, the console never renders data as HTML, and each
page is served with its Content-Security-Policy."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.settings import Settings
from domain.database import Database

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "api" / "web"
VENDOR = WEB / "vendor"
LOCK = ROOT / "clients" / "web-vendor" / "package-lock.json"
MODULES = ROOT / "clients" / "web-vendor" / "node_modules"


def _manifest() -> dict[str, dict[str, object]]:
    return json.loads((VENDOR / "MANIFEST.json").read_text())


def test_vendored_packages_are_the_locked_versions_with_their_licences() -> None:
    locked = json.loads(LOCK.read_text())["packages"]
    manifest = _manifest()
    assert manifest, "nothing vendored"
    for package, entry in manifest.items():
        assert entry["version"] == locked[f"node_modules/{package}"]["version"], package
        files = entry["files"]
        assert isinstance(files, dict) and "LICENSE" in files, f"{package} has no licence"
        for name, copied in files.items():
            data = (VENDOR / package / name).read_bytes()
            assert hashlib.sha256(data).hexdigest() == copied["sha256"], f"{package}/{name}"


def test_vendored_files_are_the_installed_packages_bytes() -> None:
    """Against `npm ci --prefix clients/web-vendor` (the README's test command runs it): a
    vendored copy that drifted from the lock file's packages means `scripts/vendor-web`."""
    if not MODULES.is_dir():
        pytest.fail("run `npm ci --prefix clients/web-vendor` (the README's test command does)")
    for package, entry in _manifest().items():
        for name, copied in entry["files"].items():  # type: ignore[union-attr]
            source = (MODULES / copied["from"]).read_bytes()
            assert source == (VENDOR / package / name).read_bytes(), (
                f"{package}/{name} differs from node_modules: run scripts/vendor-web"
            )


def _app_sources() -> list[Path]:
    return [
        path
        for path in WEB.rglob("*")
        if path.suffix in (".html", ".js", ".css") and VENDOR not in path.parents
    ]


def test_no_page_loads_anything_from_another_host() -> None:
    remote = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)
    imports = re.compile(r"""(?:import|from)\s*\(?\s*["'](?:https?:)?//""")
    for path in _app_sources():
        source = path.read_text(encoding="utf-8")
        assert not remote.search(source), f"{path} loads from another host"
        assert not imports.search(source), f"{path} imports from another host"


def test_the_console_never_renders_data_as_html() -> None:
    for path in (WEB / "console").rglob("*.js"):
        source = path.read_text(encoding="utf-8")
        assert "v-html" not in source and "innerHTML" not in source, path


@pytest.fixture
async def client(tmp_path: Path, database: Database) -> httpx.AsyncClient:
    app = create_app(Settings(data_dir=tmp_path), database)
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def test_each_page_is_served_with_its_policy(client: httpx.AsyncClient) -> None:
    async with client:
        residents = await client.get("/")
        console = await client.get("/console/")
        redirect = await client.get("/console")
        graphiql = await client.get("/graphql", headers={"Accept": "text/html"})
        vue = await client.get("/vendor/vue/vue.global.prod.js")
    assert "unsafe-eval" not in residents.headers["content-security-policy"]
    assert "script-src 'self' 'unsafe-eval'" in console.headers["content-security-policy"]
    assert "长廊 · 社区工作台" in console.text
    assert redirect.status_code == 308 and redirect.headers["location"] == "/console/"
    assert graphiql.status_code == 200 and "/vendor/graphiql/graphiql.min.js" in graphiql.text
    assert "unpkg.com" not in graphiql.text
    assert "unsafe-eval" not in graphiql.headers["content-security-policy"]
    assert vue.status_code == 200 and vue.headers["cache-control"].startswith("public")


def test_the_apps_stylesheets_close_every_rule() -> None:
    """An unclosed rule silently swallows every rule after it (a merge can leave one)."""
    for path in _app_sources():
        if path.suffix != ".css":
            continue
        depth = 0
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            depth += line.count("{") - line.count("}")
            assert 0 <= depth <= 1 or "@media" in path.read_text(), f"{path}:{number}"
        assert depth == 0, f"{path} leaves {depth} rule(s) open"
