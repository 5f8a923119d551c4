"""Progress photos by content: POST /console/files and GET /files/<sha256>.

Staff (and a responsible contact with no post) and residents (the photos of a topic they
raise) upload a JPEG, PNG or WebP image known by its bytes; it comes back as the
``ReferenceInput`` reportProgress and raiseProposal take and is served to the accounts of the
same community only. Strangers, other communities, other file types, too large bodies and
malformed requests get a clear refusal in Chinese and nothing is stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.photo_files import MAX_PHOTO_BYTES, image_type
from domain.database import Database
from tests.api_client import Api
from tests.api_client import test_settings as settings_for
from tests.world import World

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 40


@pytest.fixture
async def files(database: Database, tmp_path: Path) -> AsyncIterator[tuple[Api, Path]]:
    app = create_app(settings_for(data_dir=tmp_path), db=database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client), tmp_path / "files"


def stored(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def upload(api: Api, token: str | None, data: bytes, name: str = "p.png") -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await api.client.post(
        "/console/files", files={"file": (name, data, "image/png")}, headers=headers
    )


def test_the_image_types_are_told_by_their_bytes() -> None:
    assert image_type(PNG) == "image/png"
    assert image_type(JPEG) == "image/jpeg"
    assert image_type(WEBP) == "image/webp"
    assert image_type(b"GIF89a" + b"\x00" * 20) is None
    assert image_type(b"<svg xmlns='http://www.w3.org/2000/svg'/>") is None
    assert image_type(b"") is None


async def test_a_contact_uploads_a_photo_and_reports_with_it(
    world: World, files: tuple[Api, Path]
) -> None:
    api, root = files
    token = await api.login("nopost")
    response = await upload(api, token, PNG)
    assert response.status_code == 201, response.text
    digest = hashlib.sha256(PNG).hexdigest()
    body = response.json()
    assert body == {"url": f"http://testserver/files/{digest}", "sha256": digest, "size": len(PNG)}
    assert stored(root) == [root / str(world.community) / digest]
    again = await upload(api, token, PNG, name="other-name.png")
    assert again.json()["sha256"] == digest
    assert len(stored(root)) == 1, "the same bytes are stored once"

    served = await api.client.get(f"/files/{digest}", headers={"Authorization": f"Bearer {token}"})
    assert served.status_code == 200
    assert served.content == PNG
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    admin = await api.login("admin")
    assert (
        await api.client.get(f"/files/{digest}", headers={"Authorization": f"Bearer {admin}"})
    ).status_code == 200


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"GIF89a" + b"\x00" * 20, 415),
        (b"<svg onload='alert(1)'/>", 415),
        (b"", 415),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * MAX_PHOTO_BYTES, 413),
    ],
    ids=["gif", "svg", "empty", "too-large"],
)
async def test_what_is_not_a_photo_is_refused_in_chinese_and_not_stored(
    world: World, files: tuple[Api, Path], data: bytes, status: int
) -> None:
    api, root = files
    token = await api.login("chief1")
    response = await upload(api, token, data)
    assert response.status_code == status, response.text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["message"])
    assert stored(root) == []


async def test_a_body_without_a_file_is_a_clear_refusal(
    world: World, files: tuple[Api, Path]
) -> None:
    api, root = files
    token = await api.login("chief1")
    headers = {"Authorization": f"Bearer {token}"}
    no_file = await api.client.post("/console/files", data={"x": "1"}, headers=headers)
    assert no_file.status_code == 400
    garbled = await api.client.post(
        "/console/files",
        content=b"--zzz\r\nnot multipart",
        headers={**headers, "Content-Type": "multipart/form-data; boundary=zzz"},
    )
    assert garbled.status_code == 400
    assert garbled.json()["code"] == "INVALID_INPUT"
    assert stored(root) == []


async def test_residents_share_the_store_and_strangers_and_other_communities_get_nothing(
    world: World, files: tuple[Api, Path]
) -> None:
    api, root = files
    assert (await upload(api, None, PNG)).status_code == 401
    assert (await upload(api, "not-a-token", PNG)).status_code == 401
    admin = await api.login("admin")
    code = await api.ok(
        """mutation($r: UUID!) { issueLoginCode(residentId: $r) { ... on LoginCode { code } } }""",
        {"r": str(world.residents["H1a-x"])},
        token=admin,
    )
    resident = await api.ok(
        """mutation($c: String!) { loginWithCode(code: $c) {
             ... on AuthSession { accessToken } } }""",
        {"c": code["issueLoginCode"]["code"]},
    )
    resident_token = resident["loginWithCode"]["accessToken"]
    raised = await upload(api, resident_token, JPEG)
    assert raised.status_code == 201
    assert raised.json()["sha256"] == hashlib.sha256(JPEG).hexdigest()
    assert len(stored(root)) == 1

    digest = (await upload(api, admin, PNG)).json()["sha256"]
    path = f"/files/{digest}"
    assert (await api.client.get(path)).status_code == 401
    resident_read = await api.client.get(
        path, headers={"Authorization": f"Bearer {resident_token}"}
    )
    assert resident_read.status_code == 200
    assert resident_read.content == PNG
    other = await api.login("staff-b")
    elsewhere = await api.client.get(path, headers={"Authorization": f"Bearer {other}"})
    assert elsewhere.status_code == 404
    unknown = await api.client.get(
        "/files/" + "0" * 64, headers={"Authorization": f"Bearer {admin}"}
    )
    assert unknown.status_code == 404
    traversal = await api.client.get(
        "/files/..%2F..%2Fsecret_key", headers={"Authorization": f"Bearer {admin}"}
    )
    assert traversal.status_code == 404
    assert elsewhere.json()["code"] == "NOT_FOUND"


async def test_the_upload_path_alone_takes_more_than_the_body_limit(
    world: World, files: tuple[Api, Path]
) -> None:
    api, _root = files
    token = await api.login("chief1")
    big = b"\x89PNG\r\n\x1a\n" + b"\x00" * 2_000_000
    assert (await upload(api, token, big)).status_code == 201
    graphql = await api.client.post(
        "/graphql",
        content=b"{" + b" " * 2_000_000 + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert graphql.status_code == 413
