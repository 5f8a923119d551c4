"""台账导出: the ledger as CSV or XLSX, with Chinese headers, for staff and the admin.

``GET /export/ledger.csv`` or ``/export/ledger.xlsx`` with the bearer token and optional
``status``, ``category`` and ``overdue`` (true/false) query parameters, the ledger query's
filters. Cells that a spreadsheet would run as a formula (=, +, -, @) are quoted first, so a
topic's title cannot become a formula on the secretary's computer.
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
from domain.models import ProposalCategory, ProposalStatus
from domain.permissions import require_staff
from domain.services.ledger import LedgerFilter, LedgerRow, ledger_rows

HEADERS = (
    "编号",
    "议题",
    "状态",
    "类别",
    "提出日期",
    "网格",
    "联系人",
    "完成期限",
    "是否逾期",
    "满意度",
    "附议人数",
)

STATUS_LABELS = {
    ProposalStatus.SUBMITTED: "已提交",
    ProposalStatus.ACCEPTED: "已列入议程",
    ProposalStatus.DECLINED: "未采纳",
    ProposalStatus.DELIBERATED: "已议定",
    ProposalStatus.IN_PROGRESS: "落实中",
    ProposalStatus.REPORTED: "已汇报",
    ProposalStatus.CLOSED: "已销号",
    ProposalStatus.MERGED: "已合并",
    ProposalStatus.WITHDRAWN: "已撤回",
}

CATEGORY_LABELS = {
    ProposalCategory.PARKING: "停车出行",
    ProposalCategory.PROPERTY_SERVICE: "物业服务",
    ProposalCategory.REPAIRS: "水电维修",
    ProposalCategory.ILLEGAL_STRUCTURES: "拆违治乱",
    ProposalCategory.RENOVATION_NOISE: "装修扰民",
    ProposalCategory.OTHER: "其他",
}

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

Cell = str | int | float | date | None


def _safe(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def ledger_lines(rows: Iterable[LedgerRow]) -> list[tuple[Cell, ...]]:
    """The export's cells, one tuple per topic, in the order of ``HEADERS``."""
    return [
        (
            str(row.proposal_id),
            _safe(row.title),
            STATUS_LABELS[row.status],
            CATEGORY_LABELS[row.category],
            row.submitted_on,
            _safe(row.grid_name) if row.grid_name else None,
            _safe(row.contact_name) if row.contact_name else None,
            row.deadline,
            "是" if row.overdue else "否",
            row.average_rating,
            row.support_count,
        )
        for row in rows
    ]


def ledger_csv(rows: Iterable[LedgerRow]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel on a Chinese Windows opens it correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for line in ledger_lines(rows):
        writer.writerow(
            [
                "" if cell is None else cell.isoformat() if isinstance(cell, date) else cell
                for cell in line
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def ledger_xlsx(rows: Iterable[LedgerRow]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "台账"
    sheet.append(list(HEADERS))
    for line in ledger_lines(rows):
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
        raise InvalidInput(name, f"must be one of {', '.join(allowed)}")
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


def _error(status_code: int, error: DomainError) -> Response:
    return JSONResponse(
        {"errors": [{"message": error.message, "extensions": {"code": error.code}}]},
        status_code=status_code,
    )


def ledger_export_endpoint(
    db_of: Callable[[], Database], tokens: TokenService
) -> Callable[[Request], Awaitable[Response]]:
    """The route's handler; ``db_of`` gives the app's database once the lifespan opened it."""

    async def export(request: Request) -> Response:
        fmt = str(request.path_params.get("format", ""))
        if fmt not in CONTENT_TYPES:
            return _error(404, InvalidInput("format", "csv or xlsx"))
        db = db_of()
        await settle_ended_windows(db)
        principal = await authenticate(db, tokens, request.headers.get("authorization"))
        try:
            who = require_staff(principal)
            where = filter_from_query(dict(request.query_params))
            async with db.read() as session:
                rows = await ledger_rows(session, who, where)
        except InvalidInput as error:
            return _error(400, error)
        except DomainError as error:
            return _error(401 if principal is None else 403, error)
        body = ledger_csv(rows) if fmt == "csv" else ledger_xlsx(rows)
        filename = f"ledger-{date.today().isoformat()}.{fmt}"
        return Response(
            body,
            media_type=CONTENT_TYPES[fmt],
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    return export
