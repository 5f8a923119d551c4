"""Photos for progress reports (落实照片) and for the topics residents raise, kept by their
content.

``POST /console/files`` (multipart ``file``, the bearer token of any signed-in account: staff
for a progress report, a resident for the photos of a topic they raise) takes one JPEG, PNG
or WebP image, known by its bytes rather than its name or declared type, of at most
``MAX_PHOTO_BYTES``; it is stored under the data directory as ``files/<community>/<sha256>``
and answered with ``{url, sha256}``: the ``ReferenceInput`` that ``reportProgress``,
``raiseProposal`` and ``submitSuggestion`` take. The same bytes sent twice are stored once.

``GET /files/<sha256>`` serves it back to the accounts of the same community (with the bearer
token: the pages fetch it and show it from a blob): a topic's photos are read by whoever may
read the topic, which is everyone in the community. Another community's file, or none,
is the same 404. The server keeps no other record of a file: the report that names it is
the record, and the checksum in it lets anyone verify the photo later.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.auth import authenticate
from api.tokens import TokenService
from domain.database import Database
from domain.errors import DomainError, InvalidInput, NotFound
from domain.i18n import N_, negotiate
from domain.permissions import require_login
from domain.principal import Principal

UPLOAD_PATH = "/console/files"
MAX_PHOTO_BYTES = 10_000_000
"""A phone's photo is a few MB; larger is not a photo of a stairwell."""

SHA256 = re.compile(r"[0-9a-f]{64}")


def image_type(data: bytes) -> str | None:
    """The image's media type from its first bytes, or None if it is not JPEG, PNG or WebP."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _error(status: int, error: DomainError, language: str) -> Response:
    message = error.render(language)
    return JSONResponse(
        {
            "message": message,
            "code": error.code,
            "errors": [{"message": message, "extensions": {"code": error.code}}],
        },
        status_code=status,
    )


class _Refused(Exception):
    def __init__(self, status: int, error: DomainError) -> None:
        self.status, self.error = status, error


class PhotoFiles:
    def __init__(self, db_of: Callable[[], Database], tokens: TokenService, root: Path) -> None:
        self.db_of, self.tokens, self.root = db_of, tokens, root

    async def _member(self, request: Request) -> Principal:
        principal = await authenticate(
            self.db_of(), self.tokens, request.headers.get("authorization")
        )
        try:
            return require_login(principal)
        except DomainError as exc:
            raise _Refused(401 if principal is None else 403, exc) from exc

    def _path(self, community_id: uuid.UUID, sha256: str) -> Path:
        return self.root / str(community_id) / sha256

    async def upload(self, request: Request) -> Response:
        language = negotiate(request.headers.get("accept-language"))
        try:
            who = await self._member(request)
            data = await self._read(request)
        except _Refused as refused:
            return _error(refused.status, refused.error, language)
        digest = hashlib.sha256(data).hexdigest()
        path = self._path(who.community_id, digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f".{digest}.{uuid.uuid4().hex}")
            partial.write_bytes(data)
            os.replace(partial, path)
        url = str(request.url_for("photo_file", sha256=digest))
        return JSONResponse({"url": url, "sha256": digest, "size": len(data)}, status_code=201)

    async def _read(self, request: Request) -> bytes:
        try:
            form = await request.form(max_files=1, max_fields=5)
        except Exception as exc:  # a malformed multipart body
            raise _Refused(400, InvalidInput("file", N_("send the photo as a file"))) from exc
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise _Refused(400, InvalidInput("file", N_("send the photo as a file")))
        data = await upload.read(MAX_PHOTO_BYTES + 1)
        if len(data) > MAX_PHOTO_BYTES:
            raise _Refused(
                413,
                InvalidInput(
                    "file", N_("the photo is over {limit} MB"), limit=MAX_PHOTO_BYTES // 1_000_000
                ),
            )
        if image_type(data) is None:
            raise _Refused(
                415, InvalidInput("file", N_("only JPEG, PNG or WebP images can be uploaded"))
            )
        return data

    async def serve(self, request: Request) -> Response:
        language = negotiate(request.headers.get("accept-language"))
        sha256 = str(request.path_params["sha256"])
        try:
            who = await self._member(request)
        except _Refused as refused:
            return _error(refused.status, refused.error, language)
        path = self._path(who.community_id, sha256)
        if not SHA256.fullmatch(sha256) or not path.is_file():
            return _error(404, NotFound(N_("file"), sha256), language)
        data = path.read_bytes()
        return Response(
            data,
            media_type=image_type(data) or "application/octet-stream",
            headers={
                "Cache-Control": "private, max-age=31536000, immutable",
                "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": "default-src 'none'",
            },
        )


def photo_routes(db_of: Callable[[], Database], tokens: TokenService, root: Path) -> list[Route]:
    files = PhotoFiles(db_of, tokens, root)
    return [
        Route(UPLOAD_PATH, files.upload, methods=["POST"]),
        Route("/files/{sha256}", files.serve, methods=["GET"], name="photo_file"),
    ]


__all__ = ["MAX_PHOTO_BYTES", "UPLOAD_PATH", "image_type", "photo_routes"]
