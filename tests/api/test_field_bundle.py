"""The field app's committed bundle (api/web/field/) is the build of its sources.

`clients/field/build.mjs` records a SHA-256 of its inputs (the app's sources, the wrapper's
sources, both npm lock files, the build script) in the bundle's first line and in BUILD.json,
with a SHA-256 of every file it wrote. Recomputed here in Python, without Node: a source or
lock file changed without `npm run build --prefix clients/field`, or a built file edited by
hand, fails. With Node and `npm ci --prefix clients/field` (as .ci/run does), the build also
runs and must reproduce the committed files byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.settings import Settings
from domain.database import Database

ROOT = Path(__file__).resolve().parents[2]
FIELD = ROOT / "api" / "web" / "field"
SOURCES = ROOT / "clients" / "field"
INPUT_FILES = (
    "clients/field/build.mjs",
    "clients/field/package-lock.json",
    "clients/rxdb/package-lock.json",
)
INPUT_DIRS = ("clients/field/src", "clients/field/static", "clients/rxdb/src")
REBUILD = "npm run build --prefix clients/field"


def _inputs() -> list[str]:
    paths = list(INPUT_FILES)
    for folder in INPUT_DIRS:
        paths += [p.relative_to(ROOT).as_posix() for p in (ROOT / folder).rglob("*") if p.is_file()]
    return sorted(paths)


def _source_hash() -> str:
    digest = hashlib.sha256()
    for path in _inputs():
        data = (ROOT / path).read_bytes()
        digest.update(f"{path}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def _build() -> dict[str, object]:
    return json.loads((FIELD / "BUILD.json").read_text(encoding="utf-8"))


def test_the_bundle_was_built_from_the_current_sources_and_lock_files() -> None:
    build = _build()
    assert build["inputs"] == _inputs(), f"the build's inputs changed: run `{REBUILD}`"
    assert build["sourceHash"] == _source_hash(), f"api/web/field is stale: run `{REBUILD}`"
    first_line = (FIELD / "app.js").read_text(encoding="utf-8").split("\n", 1)[0]
    assert f"build {build['sourceHash']}" in first_line


def test_no_built_file_was_edited_by_hand() -> None:
    files = _build()["files"]
    assert isinstance(files, dict) and {"app.js", "sw.js", "index.html", "LICENSES.txt"} <= set(
        files
    )
    for name, digest in files.items():
        assert hashlib.sha256((FIELD / name).read_bytes()).hexdigest() == digest, (
            f"api/web/field/{name} differs from its build: run `{REBUILD}`"
        )
    on_disk = {p.name for p in FIELD.iterdir()} - {"BUILD.json"}
    assert on_disk == set(files), f"files in api/web/field not from the build: run `{REBUILD}`"


def test_the_bundled_libraries_licences_ship_beside_the_bundle() -> None:
    licences = (FIELD / "LICENSES.txt").read_text(encoding="utf-8")
    locked = json.loads((ROOT / "clients" / "rxdb" / "package-lock.json").read_text())["packages"]
    for package in ("rxdb", "rxjs", "dexie", "graphql-ws"):
        version = locked[f"node_modules/{package}"]["version"]
        assert f"\n  {package} {version} (" in licences, package
    assert "Apache License" in licences and "MIT" in licences


def test_node_rebuilds_the_committed_bundle_byte_for_byte() -> None:
    node = shutil.which("node")
    if node is None or not (SOURCES / "node_modules" / "esbuild").is_dir():
        pytest.fail("needs Node and `npm ci --prefix clients/field` (as .ci/run does)")
    if not (ROOT / "clients" / "rxdb" / "node_modules" / "rxdb").is_dir():
        pytest.fail("needs `npm ci --prefix clients/rxdb`")
    result = subprocess.run(
        [node, "build.mjs", "--check"],
        cwd=SOURCES,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.fixture
async def client(tmp_path: Path, database: Database) -> httpx.AsyncClient:
    app = create_app(Settings(data_dir=tmp_path), database)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_the_server_serves_the_app_at_field_with_the_strict_policy(
    client: httpx.AsyncClient,
) -> None:
    async with client:
        page = await client.get("/field/")
        redirect = await client.get("/field")
        bundle = await client.get("/field/app.js")
        worker = await client.get("/field/sw.js")
        manifest = await client.get("/field/manifest.webmanifest")
    policy = page.headers["content-security-policy"]
    assert "unsafe-eval" not in policy and "unsafe-inline" not in policy
    assert "/field/app.js" in page.text and 'rel="manifest"' in page.text
    assert redirect.status_code == 308 and redirect.headers["location"] == "/field/"
    assert bundle.status_code == 200 and "javascript" in bundle.headers["content-type"]
    assert worker.status_code == 200 and "field-shell-" in worker.text
    assert manifest.status_code == 200 and json.loads(manifest.text)["start_url"] == "/field/"
