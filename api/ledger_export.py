"""台账导出: the ledger as CSV or XLSX, for staff and the admin.

``GET /export/ledger.csv`` or ``/export/ledger.xlsx`` with the bearer token and optional
``status``, ``category`` and ``overdue`` (true/false) query parameters, the ledger query's
filters. Headers and words are in the request's ``Accept-Language`` (Chinese by default).
Cells that a spreadsheet would run as a formula (=, +, -, @) are quoted first, so a topic's
title cannot become a formula on the secretary's computer.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import date

from openpyxl import Workbook
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.auth import authenticate
from api.rating_sweep import settle_ended_windows
from api.tokens import TokenService
from domain.database import Database
from domain.errors import DomainError, InvalidInput
from domain.i18n import N_, negotiate, translate
from domain.models import ProposalCategory, ProposalStatus
from domain.permissions import require_staff
from domain.services.ledger import LedgerFilter, LedgerRow, ledger_rows
from domain.words import category_word, status_word, yes_no

HEADERS = (
    N_("No."),
    N_("Topic"),
    N_("Status"),
    N_("Category"),
    N_("Raised on"),
    N_("Grid"),
    N_("Contact"),
    N_("Deadline"),
    N_("Overdue"),
    N_("Satisfaction"),
    N_("Supporters"),
)
"""The columns' message ids; the export writes them in the reader's language (Chinese by
default: 编号, 议题, 状态, …)."""


def headers(language: str) -> tuple[str, ...]:
    return tuple(translate(header, language) for header in HEADERS)


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

Cell = str | int | float | date | None


def _safe(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def ledger_lines(rows: Iterable[LedgerRow], language: str = "zh") -> list[tuple[Cell, ...]]:
    """The export's cells, one tuple per topic, in the order of ``HEADERS``."""
    return [
        (
            str(row.proposal_id),
            _safe(row.title),
            status_word(row.status, language),
            category_word(row.category, language),
            row.submitted_on,
            _safe(row.grid_name) if row.grid_name else None,
            _safe(row.contact_name) if row.contact_name else None,
            row.deadline,
            yes_no(row.overdue, language),
            row.average_rating,
            row.support_count,
        )
        for row in rows
    ]


def ledger_csv(rows: Iterable[LedgerRow], language: str = "zh") -> bytes:
    """UTF-8 with a byte-order mark, so that Excel on a Chinese Windows opens it correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers(language))
    for line in ledger_lines(rows, language):
        writer.writerow(
            [
                "" if cell is None else cell.isoformat() if isinstance(cell, date) else cell
                for cell in line
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def ledger_xlsx(rows: Iterable[LedgerRow], language: str = "zh") -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = translate(N_("Ledger"), language)
    sheet.append(list(headers(language)))
    for line in ledger_lines(rows, language):
        sheet.append(list(line))
    for column in ("E", "H"):
        for cell in sheet[column][1:]:
            cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _choice(name: str, raw: str | None, allowed: Sequence[str]) -> str | None:
    if raw is None or raw == "":
        return None
    if raw not in allowed:
        raise InvalidInput(name, N_("must be one of: {allowed}"), allowed=", ".join(allowed))
    return raw


def filter_from_query(params: dict[str, str]) -> LedgerFilter:
    status = _choice("status", params.get("status"), [s.value for s in ProposalStatus])
    category = _choice("category", params.get("category"), [c.value for c in ProposalCategory])
    overdue = _choice("overdue", params.get("overdue"), ["true", "false"])
    return LedgerFilter(
        status=ProposalStatus(status) if status else None,
        category=ProposalCategory(category) if category else None,
        overdue=None if overdue is None else overdue == "true",
    )


def _error(status_code: int, error: DomainError, language: str) -> Response:
    return JSONResponse(
        {"errors": [{"message": error.render(language), "extensions": {"code": error.code}}]},
        status_code=status_code,
    )


def ledger_export_endpoint(
    db_of: Callable[[], Database], tokens: TokenService
) -> Callable[[Request], Awaitable[Response]]:
    """The route's handler; ``db_of`` gives the app's database once the lifespan opened it."""

    async def export(request: Request) -> Response:
        fmt = str(request.path_params.get("format", ""))
        language = negotiate(request.headers.get("accept-language"))
        if fmt not in CONTENT_TYPES:
            return _error(404, InvalidInput("format", N_("csv or xlsx")), language)
        db = db_of()
        await settle_ended_windows(db)
        principal = await authenticate(db, tokens, request.headers.get("authorization"))
        try:
            who = require_staff(principal)
            where = filter_from_query(dict(request.query_params))
            async with db.read() as session:
                rows = await ledger_rows(session, who, where)
        except InvalidInput as error:
            return _error(400, error, language)
        except DomainError as error:
            return _error(401 if principal is None else 403, error, language)
        body = ledger_csv(rows, language) if fmt == "csv" else ledger_xlsx(rows, language)
        filename = f"ledger-{date.today().isoformat()}.{fmt}"
        return Response(
            body,
            media_type=CONTENT_TYPES[fmt],
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    return export
