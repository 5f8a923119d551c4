"""The browser apps, served by the API server itself: the residents' page at ``/`` (with its
service worker at ``/sw.js``, whose scope must be the root, and its manifest), the staff
console at ``/console/``, the volunteers' offline field app at ``/field/`` (a bundle built
from ``clients/field`` and committed, so serving it needs no Node), GraphiQL at ``/graphql``
(outside production), and the npm libraries they use at ``/vendor/`` (vendored by
``scripts/vendor-web``; nothing comes from a CDN, which intranets and many networks in China
cannot reach).

A strict Content-Security-Policy keeps every page to its own scripts and its own API, so a
topic title that happens to contain markup can never run as code in a browser. The console
alone allows ``'unsafe-eval'``: Vue compiles the console's own templates in the browser (no
build step), which needs ``new Function``. Data never becomes a template there (text is
interpolated, escaped; ``v-html`` is not used, which a test checks), so eval only ever sees
the console's shipped code.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

# The field app's PWA manifest, under the type browsers expect (not every system's table has it).
mimetypes.add_type("application/manifest+json", ".webmanifest")

WEB_DIR = Path(__file__).resolve().parent / "web"
CONSOLE_DIR = WEB_DIR / "console"
FIELD_DIR = WEB_DIR / "field"
VENDOR_DIR = WEB_DIR / "vendor"
GRAPHIQL_PAGE = WEB_DIR / "graphiql" / "index.html"

_COMMON = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_POLICY = (
    "default-src 'self'; script-src 'self'{eval}; style-src 'self'{inline_style}; "
    "connect-src 'self'; img-src 'self' data: blob:; font-src 'self' data:; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": _POLICY.format(eval="", inline_style=""),
    **_COMMON,
}
# Element Plus positions popups and sizes tables with style attributes it sets as it renders.
CONSOLE_HEADERS = {
    "Content-Security-Policy": _POLICY.format(
        eval=" 'unsafe-eval'", inline_style=" 'unsafe-inline'"
    ),
    **_COMMON,
}
# GraphiQL (React, CodeMirror) styles its editors inline too; it runs no eval.
GRAPHIQL_HEADERS = {
    "Content-Security-Policy": _POLICY.format(eval="", inline_style=" 'unsafe-inline'"),
    **_COMMON,
}
_VENDOR_CACHE = {"Cache-Control": "public, max-age=86400"}
# The field app's files change with every build (its service worker keeps the offline copy):
# the browser revalidates them instead of trusting a day-old copy.
_FIELD_HEADERS = {**SECURITY_HEADERS, "Cache-Control": "no-cache"}


async def _index(_request: Request) -> Response:
    return FileResponse(WEB_DIR / "index.html", headers=SECURITY_HEADERS)


async def _service_worker(_request: Request) -> Response:
    # At the site's root, so that its scope is the whole page; never kept stale by a cache.
    return FileResponse(
        WEB_DIR / "sw.js",
        media_type="text/javascript",
        headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"},
    )


async def _manifest(_request: Request) -> Response:
    return FileResponse(
        WEB_DIR / "manifest.webmanifest",
        media_type="application/manifest+json",
        headers=SECURITY_HEADERS,
    )


async def _console_index(_request: Request) -> Response:
    return FileResponse(CONSOLE_DIR / "index.html", headers=CONSOLE_HEADERS)


async def _field_index(_request: Request) -> Response:
    return FileResponse(FIELD_DIR / "index.html", headers=_FIELD_HEADERS)


async def _to_field(_request: Request) -> Response:
    return RedirectResponse("/field/", status_code=308)


async def _to_console(_request: Request) -> Response:
    return RedirectResponse("/console/", status_code=308)


def graphiql_page() -> Response:
    return FileResponse(GRAPHIQL_PAGE, headers=GRAPHIQL_HEADERS)


class _StaticWithHeaders(StaticFiles):
    def __init__(self, *, directory: Path, headers: dict[str, str]) -> None:
        super().__init__(directory=directory)
        self.extra = [(k.lower().encode(), v.encode()) for k, v in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.extra]
            await send(message)

        await super().__call__(scope, receive, send_with_headers)


def web_routes() -> list[BaseRoute]:
    return [
        Route("/", _index, methods=["GET"]),
        Route("/sw.js", _service_worker, methods=["GET"]),
        Route("/manifest.webmanifest", _manifest, methods=["GET"]),
        Mount("/static", _StaticWithHeaders(directory=WEB_DIR, headers=SECURITY_HEADERS)),
        Route("/console", _to_console, methods=["GET"]),
        Route("/console/", _console_index, methods=["GET"]),
        Mount("/console", _StaticWithHeaders(directory=CONSOLE_DIR, headers=CONSOLE_HEADERS)),
        Route("/field", _to_field, methods=["GET"]),
        Route("/field/", _field_index, methods=["GET"]),
        Mount("/field", _StaticWithHeaders(directory=FIELD_DIR, headers=_FIELD_HEADERS)),
        Mount(
            "/vendor",
            _StaticWithHeaders(directory=VENDOR_DIR, headers={**_COMMON, **_VENDOR_CACHE}),
        ),
        Mount("/graphiql", _StaticWithHeaders(directory=GRAPHIQL_PAGE.parent, headers=_COMMON)),
    ]
