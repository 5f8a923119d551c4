"""The console's register import over HTTP: preview or apply an uploaded register, and the
refused rows as a workbook.

``POST /console/import/register`` (multipart: ``file``, ``mode`` = preview | apply,
``skipRefused``) answers NDJSON as it goes: ``{"progress": done, "total": n}`` every 200
rows, then one ``{"report": {...}}`` (or ``{"error": {...}}``). A register of 20,000 rows
takes a while; the lines keep the operator's progress bar moving and the connection alive.
``POST /console/import/register/refused.xlsx`` takes the same file and answers the refused
rows (``api.register_refused``).

Both authenticate with the bearer access token exactly as GraphQL does and run the same
admin-only domain code as the command line; errors are the API's, in the reader's language.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from api.auth import authenticate
from api.register_file import Register, RegisterFileError, read_register_bytes
from api.register_import import ImportReport, RegisterRejected, import_register
from api.register_refused import refused_workbook
from api.tokens import TokenService
from domain.database import Database
from domain.errors import DomainError, InvalidInput
from domain.i18n import N_, negotiate
from domain.permissions import require_admin
from domain.personal_data import PersonalDataCipher
from domain.principal import Principal

MAX_ROWS = 50_000
REGISTER_PATH = "/console/import/register"
REFUSED_PATH = "/console/import/register/refused.xlsx"
UPLOAD_PATHS = (REGISTER_PATH, REFUSED_PATH)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Refused(Exception):
    def __init__(self, status: int, error: DomainError) -> None:
        self.status, self.error = status, error


def _error(status: int, error: DomainError, language: str) -> Response:
    message = error.render(language)
    return JSONResponse(
        {
            "message": message,  # what the console's uploadFile/downloadFile show
            "code": error.code,
            "errors": [{"message": message, "extensions": {"code": error.code}}],
        },
        status_code=status,
    )


class RegisterUpload:
    def __init__(
        self,
        db_of: Callable[[], Database],
        tokens: TokenService,
        cipher: PersonalDataCipher,
        max_bytes: int,
    ) -> None:
        self.db_of, self.tokens, self.cipher, self.max_bytes = db_of, tokens, cipher, max_bytes

    async def _read(self, request: Request) -> tuple[Principal, Register, dict[str, str]]:
        """The admin and the uploaded register, or ``_Refused`` with the status to answer."""
        principal = await authenticate(
            self.db_of(), self.tokens, request.headers.get("authorization")
        )
        try:
            who = require_admin(principal)
        except DomainError as exc:
            raise _Refused(401 if principal is None else 403, exc) from exc
        try:
            form = await request.form(max_files=1, max_fields=10)
        except Exception as exc:  # a malformed multipart body
            raise _Refused(400, InvalidInput("file", N_("send the register as a file"))) from exc
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise _Refused(400, InvalidInput("file", N_("send the register as a file")))
        data = await upload.read(self.max_bytes + 1)
        if len(data) > self.max_bytes:
            raise _Refused(
                413,
                InvalidInput(
                    "file", N_("the file is over {limit} MB"), limit=self.max_bytes // 1_000_000
                ),
            )
        try:
            register = read_register_bytes(data, upload.filename or "")
        except RegisterFileError as exc:
            raise _Refused(400, exc) from exc
        if len(register.rows) > MAX_ROWS:
            raise _Refused(
                400,
                InvalidInput(
                    "file",
                    N_("{count} rows: import at most {limit} rows at a time"),
                    count=len(register.rows),
                    limit=MAX_ROWS,
                ),
            )
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        return who, register, fields

    async def register(self, request: Request) -> Response:
        language = negotiate(request.headers.get("accept-language"))
        try:
            who, register, fields = await self._read(request)
        except _Refused as refused:
            return _error(refused.status, refused.error, language)
        mode = fields.get("mode", "preview")
        if mode not in ("preview", "apply"):
            return _error(400, InvalidInput("mode", N_("preview or apply")), language)
        skip = fields.get("skipRefused", "").lower() in ("1", "true", "yes", "on")
        return StreamingResponse(
            self._stream(who, register, mode == "apply", skip, language),
            media_type="application/x-ndjson",
        )

    async def _stream(
        self, who: Principal, register: Register, apply: bool, skip: bool, language: str
    ) -> AsyncIterator[bytes]:
        lines: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()

        def progress(done: int, total: int) -> None:
            lines.put_nowait({"progress": done, "total": total})

        async def run() -> None:
            try:
                report = await self._run(who, register, apply, skip, progress)
                lines.put_nowait({"report": report.as_json(language)})
            except DomainError as exc:
                lines.put_nowait({"error": {"message": exc.render(language), "code": exc.code}})
            finally:
                lines.put_nowait(None)

        task = asyncio.create_task(run())
        try:
            yield orjson.dumps({"progress": 0, "total": len(register.rows)}) + b"\n"
            while (line := await lines.get()) is not None:
                yield orjson.dumps(line) + b"\n"
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _run(
        self,
        who: Principal,
        register: Register,
        apply: bool,
        skip: bool,
        progress: Callable[[int, int], None] | None,
    ) -> ImportReport:
        db = self.db_of()
        if not apply:
            async with db.read() as session:
                return await import_register(
                    session, who, self.cipher, register, apply=False, progress=progress
                )
        try:
            async with db.transaction() as session:
                return await import_register(
                    session,
                    who,
                    self.cipher,
                    register,
                    apply=True,
                    skip_refused=skip,
                    progress=progress,
                )
        except RegisterRejected as rejected:
            return rejected.report

    async def refused(self, request: Request) -> Response:
        language = negotiate(request.headers.get("accept-language"))
        try:
            who, register, _ = await self._read(request)
        except _Refused as refused:
            return _error(refused.status, refused.error, language)
        report = await self._run(who, register, False, False, None)
        return Response(
            refused_workbook(register, report, language),
            media_type=XLSX,
            headers={"Content-Disposition": 'attachment; filename="refused-rows.xlsx"'},
        )


def register_upload_routes(
    db_of: Callable[[], Database],
    tokens: TokenService,
    cipher: PersonalDataCipher,
    max_bytes: int,
) -> list[Route]:
    upload = RegisterUpload(db_of, tokens, cipher, max_bytes)
    return [
        Route(REGISTER_PATH, upload.register, methods=["POST"]),
        Route(REFUSED_PATH, upload.refused, methods=["POST"]),
    ]
