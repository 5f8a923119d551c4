"""The set-up files over HTTP, for the console's 开始设置 page: templates and imports.

``GET /console/templates/{grid,staff,register}.xlsx`` and ``POST /console/import/{grid,staff}``
(multipart: ``file``, ``dryRun`` = true/false, a dry run unless ``false``), both for the
community's admin with the bearer access token, as ``/export/ledger.*`` takes it. The import
answers ``{rows, counts, applied, accounts}`` (``ImportResult.as_json``); every refusal is
``{code, message}`` in the request's language with a 4xx status.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.exc import IntegrityError
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.auth import authenticate
from api.grid_import import import_grids
from api.import_outcome import ImportResult
from api.import_templates import SHEET_TITLES, template_xlsx
from api.ledger_export import CONTENT_TYPES
from api.staff_import import import_staff
from api.tokens import TokenService
from domain.database import Database
from domain.errors import Conflict, DomainError, InvalidInput, NotFound
from domain.i18n import N_, negotiate
from domain.permissions import require_admin
from domain.principal import Principal

IMPORTS: dict[str, Callable[..., Awaitable[ImportResult]]] = {
    "grid": import_grids,
    "staff": import_staff,
}
TEMPLATE_FILES = {"grid": "网格导入模板", "staff": "工作人员导入模板", "register": "居民花名册模板"}


def _error(status_code: int, error: DomainError, language: str) -> Response:
    return JSONResponse(
        {"code": error.code, "message": error.render(language)}, status_code=status_code
    )


def _auth_status(principal: Principal | None) -> int:
    return 401 if principal is None else 403


def setup_routes(db_of: Callable[[], Database], tokens: TokenService) -> list[Route]:
    """The routes; ``db_of`` gives the app's database once the lifespan opened it."""

    async def admin(request: Request) -> Principal | None:
        return await authenticate(db_of(), tokens, request.headers.get("authorization"))

    async def template(request: Request) -> Response:
        language = negotiate(request.headers.get("accept-language"))
        kind = str(request.path_params.get("kind", ""))
        if kind not in SHEET_TITLES:
            return _error(404, NotFound(N_("template"), kind), language)
        principal = await admin(request)
        try:
            require_admin(principal)
        except DomainError as error:
            return _error(_auth_status(principal), error, language)
        filename = f"{kind}-template.xlsx"
        return Response(
            template_xlsx(kind),
            media_type=CONTENT_TYPES["xlsx"],
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    async def upload(request: Request) -> Response:
        language = negotiate(request.headers.get("accept-language"))
        kind = request.url.path.rsplit("/", 1)[-1]  # one route per import (below)
        if kind not in IMPORTS:
            return _error(404, NotFound(N_("import"), kind), language)
        principal = await admin(request)
        try:
            who = require_admin(principal)
        except DomainError as error:
            return _error(_auth_status(principal), error, language)
        try:
            form = await request.form(max_files=1, max_fields=10)
        except Exception:  # python-multipart's parse errors have no common base worth naming
            return _error(
                400, InvalidInput("file", N_("send the file as multipart form data")), language
            )
        try:
            file = form.get("file")
            if not isinstance(file, UploadFile):
                return _error(400, InvalidInput("file", N_("is required")), language)
            data = await file.read()
            dry_run = str(form.get("dryRun", "true")).strip().lower() not in ("false", "0", "no")
            result = await IMPORTS[kind](
                db_of(), data, file.filename or "", dry_run=dry_run, principal=who
            )
        except DomainError as error:
            return _error(400, error, language)
        except IntegrityError:
            clash = Conflict(N_("another change came first; try the import again"))
            return _error(409, clash, language)
        finally:
            await form.close()
        return JSONResponse(result.as_json(language))

    return [
        Route("/console/templates/{kind}.xlsx", template, methods=["GET"]),
        # One route per import, named: ``/console/import/register`` is another module's.
        *(Route(f"/console/import/{kind}", upload, methods=["POST"]) for kind in IMPORTS),
    ]
