"""登录码条: the printable A4 sheet of residents' login slips, and its HTTP endpoint.

``POST /console/slips`` with the bearer access token and ``{"gridId": ..., "building": ...}``
issues fresh codes for the grid node's residents (``domain.services.login_slips``: the same
rule as ``issueLoginCode``) and answers the sheet: slips grouped by building, then unit, with
dashed cut lines, each with a QR code (segno) that opens the residents' page with the code.

The answer is never cached (``no-store``: it holds live codes), and nothing here logs a code.
Its styles are one inline ``<style>`` allowed by its hash in the sheet's own CSP, so the
sheet prints the same opened from the console (as a blob, under the console's policy),
straight from this endpoint, or from a file the CLI wrote (``changlang print-slips``).
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from html import escape
from itertools import groupby
from urllib.parse import quote

import orjson
import segno
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.auth import authenticate
from api.tokens import TokenService
from domain.database import Database
from domain.electorate import CHINA_TIME
from domain.errors import DomainError, InvalidInput, NotFound
from domain.i18n import N_, negotiate
from domain.permissions import require_staff
from domain.services.login_slips import Slip, SlipSheet, issue_slips

STYLE = """
@page { size: A4; margin: 10mm; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC",
  sans-serif; color: #000; background: #fff; }
header.sheet { padding: 4mm 0; }
header.sheet h1 { font-size: 16pt; margin: 0 0 2mm; }
header.sheet p { margin: 0; font-size: 10pt; }
section.building { break-before: page; }
section.building:first-of-type { break-before: auto; }
section.building h2 { font-size: 13pt; margin: 3mm 0; }
.slips { display: grid; grid-template-columns: 1fr 1fr; }
.slip { border: 1px dashed #555; padding: 4mm; height: 66mm; break-inside: avoid;
  display: flex; gap: 4mm; align-items: center; }
.slip .qr { width: 34mm; height: 34mm; flex: none; }
.slip .qr svg { width: 100%; height: 100%; }
.slip .text { flex: 1; min-width: 0; font-size: 9.5pt; line-height: 1.4; }
.slip .community { font-weight: bold; }
.slip .name { font-size: 14pt; font-weight: bold; }
.slip .code { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 14pt;
  font-weight: bold; white-space: nowrap; }
.slip .url { word-break: break-all; }
.slip .replaced { font-weight: bold; }
.empty { font-size: 12pt; padding: 10mm 0; }
@media screen { body { padding: 8mm; max-width: 210mm; margin: 0 auto; } }
"""

_STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
POLICY = (
    f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": POLICY,
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def login_url(page: str, code: str) -> str:
    return f"{page.rstrip('/')}/?code={quote(code)}"


def qr_svg(url: str) -> str:
    """An inline SVG (no XML declaration, no size: CSS sizes it), readable with a phone's
    camera from a slip of paper: error correction M, a quiet zone of 2 modules."""
    svg = segno.make(url, error="m").svg_inline(scale=4, border=2, omitsize=True)
    return str(svg)


def _slip(sheet: SlipSheet, slip: Slip, page: str) -> str:
    expires = slip.expires_at.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")
    address = f"{slip.building}{slip.unit}{slip.room}室"
    qr = qr_svg(login_url(page, slip.code))
    replaced = (
        '<div class="replaced">之前的登录码已失效</div>' if slip.replaced_earlier_code else ""
    )
    return (
        '<div class="slip">'
        f'<div class="qr" role="img" aria-label="登录二维码">{qr}</div>'
        '<div class="text">'
        f'<div class="community">{escape(sheet.community_name)} 居民登录码</div>'
        f'<div class="name">{escape(slip.name)}</div>'
        f'<div class="address">{escape(address)}</div>'
        f'<div>登录码</div><div class="code">{escape(slip.code)}</div>'
        f"<div>有效期至 {expires}（北京时间），只能使用一次</div>"
        f'<div class="url">扫码或打开 {escape(page)} 输入登录码</div>'
        f"{replaced}</div></div>"
    )


def render_sheet(sheet: SlipSheet, page: str) -> str:
    """The whole HTML document; ``page`` is the residents' page address the slips print."""
    title = f"{sheet.community_name} {sheet.grid_name}" + (
        f" {sheet.building}" if sheet.building else ""
    )
    sections = []
    for building, slips in groupby(sheet.slips, key=lambda slip: slip.building):
        inner = "".join(_slip(sheet, slip, page) for slip in slips)
        sections.append(
            f'<section class="building"><h2>{escape(building)}</h2>'
            f'<div class="slips">{inner}</div></section>'
        )
    body = "".join(sections) or '<p class="empty">这个网格节点下没有可以登录的居民。</p>'
    replaced = f"，其中 {sheet.replaced} 位居民之前的登录码已失效" if sheet.replaced else ""
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>登录码条 · {escape(title)}</title><style>{STYLE}</style></head><body>"
        f'<header class="sheet"><h1>登录码条 · {escape(title)}</h1>'
        f"<p>共 {len(sheet.slips)} 张{replaced}。沿虚线剪开，当面交给居民本人。</p></header>"
        f"<main>{body}</main></body></html>"
    )


def _error(status_code: int, error: DomainError, language: str) -> Response:
    return JSONResponse(
        {
            "message": error.render(language),
            "code": error.code,
            "errors": [{"message": error.render(language), "extensions": {"code": error.code}}],
        },
        status_code=status_code,
    )


def _request_body(raw: bytes) -> tuple[uuid.UUID, str | None]:
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput("gridId", N_("expected a JSON object")) from exc
    if not isinstance(body, dict):
        raise InvalidInput("gridId", N_("expected a JSON object"))
    try:
        grid_id = uuid.UUID(str(body.get("gridId")))
    except ValueError as exc:
        raise InvalidInput("gridId", N_("choose a grid node")) from exc
    building = body.get("building")
    if building is not None and not isinstance(building, str):
        raise InvalidInput("building", N_("choose a grid node"))
    return grid_id, building or None


def login_slips_endpoint(
    db_of: Callable[[], Database], tokens: TokenService, ttl: timedelta
) -> Callable[[Request], Awaitable[Response]]:
    """The route's handler; ``db_of`` gives the app's database once the lifespan opened it."""

    async def slips(request: Request) -> Response:
        language = negotiate(request.headers.get("accept-language"))
        db = db_of()
        principal = await authenticate(db, tokens, request.headers.get("authorization"))
        try:
            require_staff(principal)
            grid_id, building = _request_body(await request.body())
            async with db.transaction() as session:
                sheet = await issue_slips(session, principal, grid_id, building, ttl)
        except InvalidInput as error:
            return _error(400, error, language)
        except NotFound as error:
            return _error(404, error, language)
        except DomainError as error:
            return _error(401 if principal is None else 403, error, language)
        # Drawing the QR codes takes ~5 ms each: a grid's hundreds run off the event loop.
        html = await run_in_threadpool(render_sheet, sheet, str(request.base_url))
        return Response(html, media_type="text/html; charset=utf-8", headers=HEADERS)

    return slips
