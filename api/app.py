"""The composition root: settings, database, tokens and schema wired into one Starlette app."""

from __future__ import annotations

import contextlib
import http
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import orjson
from cross_web import HTTPException
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api import gc_tuning
from api.auth import authenticate, check_access
from api.compaction_task import periodic_compaction
from api.events import LocalEventBus
from api.json_limits import JSONTooDeep
from api.json_limits import loads as load_json
from api.ledger_export import ledger_export_endpoint
from api.login_slips import login_slips_endpoint
from api.logs import configure_logging
from api.middleware import BodySizeLimit, HeaderSizeLimit, RequestId, language_of
from api.pg_events import PostgresEventBus
from api.photo_files import UPLOAD_PATH, photo_routes
from api.rating_sweep import periodic_rating_sweep, settle_ended_windows
from api.register_upload import UPLOAD_PATHS, register_upload_routes
from api.settings import Settings
from api.setup_files import setup_routes
from api.suggestion_box_task import periodic_release
from api.sync_fast_path import FastPath, device_time, fast_pull_response, fast_push_response
from api.tokens import TokenService
from api.web_page import graphiql_page, web_routes
from domain.database import Database, open_database
from domain.i18n import (
    N_,
    negotiate,
    reader_language,
    reset_reader_language,
    set_reader_language,
    translate,
)
from domain.personal_data import PersonalDataCipher
from domain.principal import Principal
from domain.valid_text import escaped
from schema import SchemaLimits, build_schema
from schema.compiled.reads import CompiledReads
from schema.context import Access, Context, SchemaConfig
from schema.sync.commit_events import sync_event_publisher
from schema.sync.fast_pull import FastPull
from schema.sync.fast_push import FastPush

SWITCH_INTERVAL_SECONDS = 0.0005
_TOO_DEEP = N_("JSON nested more than 64 levels deep")  # api.json_limits.MAX_JSON_DEPTH


class ChanglangGraphQL(GraphQL[Context, None]):
    """Builds a fresh ``Context`` per request: principal, loaders, session factory."""

    def __init__(self, settings: Settings, state: dict[str, Any], fast_paths: bool = True) -> None:
        schema = build_schema(
            SchemaLimits(
                max_depth=settings.max_query_depth,
                max_tokens=settings.max_query_tokens,
                max_aliases=settings.max_aliases,
                introspection=settings.introspection_enabled,
                field_suggestions=not settings.production,
                max_cost=settings.max_query_cost,
                max_page_size=settings.max_page_size,
                operation_timeout_seconds=settings.operation_timeout_seconds,
            )
        )
        super().__init__(schema, graphql_ide="graphiql" if not settings.production else None)
        self.settings = settings
        self.state = state
        self.cipher = PersonalDataCipher(settings.pii_key)
        self.tokens = TokenService(settings)
        self.config = SchemaConfig(
            max_page_size=settings.max_page_size,
            refresh_ttl=timedelta(seconds=settings.refresh_token_seconds),
            login_code_ttl=timedelta(seconds=settings.login_code_seconds),
            offline_ballot_grace=timedelta(seconds=settings.offline_ballot_grace_seconds),
            max_device_clock_skew=timedelta(seconds=settings.max_device_clock_skew_seconds),
            suggestion_box=settings.suggestion_box,
            login_throttle=settings.login_throttle,
            refused_per_device=settings.sync_refused_per_device,
        )
        self.fast_pull = (
            FastPull(schema, schema.checks, max_depth=settings.max_query_depth)
            if fast_paths
            else None
        )
        self.fast_push = (
            FastPush(
                schema,
                schema.checks,
                max_depth=settings.max_query_depth,
                cipher=self.cipher,
                config=self.config,
                events=lambda: state["events"],
                timeout_seconds=settings.operation_timeout_seconds,
            )
            if fast_paths
            else None
        )
        self.compiled_reads = (
            CompiledReads(
                schema,
                schema.checks,
                max_depth=settings.max_query_depth,
                max_aliases=settings.max_aliases,
                max_page_size=settings.max_page_size,
                timeout_seconds=settings.operation_timeout_seconds,
            )
            if fast_paths and settings.compiled_reads
            else None
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL from the vendored files (``api/web/graphiql``), not strawberry's page,
        which loads its scripts from a CDN that many networks cannot reach."""
        return graphiql_page()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """As strawberry's, but a refused HTTP request gets a JSON error body, not plain text.

        The reader's language (``Accept-Language``, of the request or of the WebSocket's
        upgrade) is set for everything this request runs, subscriptions' tasks included.
        Rating windows that have ended are decided first, so the answer reflects their end.
        """
        token = set_reader_language(language_of(scope))
        try:
            if scope["type"] != "http":
                await settle_ended_windows(self.state["db"])
                await super().__call__(scope, receive, send)
                return
            request = Request(scope=scope, receive=receive)
            try:
                # the registry (residents, households, grids) holds no ratings to settle
                response = await self._fast(request, self.compiled_reads)
                if response is None:
                    await settle_ended_windows(self.state["db"])
                    response = (
                        await self._fast(request, self.fast_pull)
                        or await self._fast_push(request)
                        or await self.run(request)
                    )
            except HTTPException as exc:
                response = _http_error(exc.status_code, translate(exc.reason, reader_language()))
            await response(scope, receive, send)
        finally:
            reset_reader_language(token)

    async def _fast(self, request: Request, fast: FastPath | None) -> Response | None:
        """A sync pull of the known shape skips per-field execution (``schema.sync.fast_pull``),
        and a registry read is one statement per root field (``schema.compiled``)."""
        if fast is None:
            return None
        return await fast_pull_response(
            fast,
            request,
            self.state["db"],
            self._authenticate,
            self._get_stream_transport_from_headers,
        )

    async def _fast_push(self, request: Request) -> Response | None:
        """A sync push of the known shape skips graphql-core's coercion of its rows and
        per-field execution of its answer (``schema.sync.fast_push``)."""
        if self.fast_push is None:
            return None
        return await fast_push_response(
            self.fast_push,
            request,
            self.state["db"],
            self._authenticate,
            self._get_stream_transport_from_headers,
        )

    def encode_json(self, data: object) -> str:
        """orjson, as the fast path writes; the standard library only for what orjson refuses.

        Text, not bytes: strawberry sends bytes over a WebSocket as a binary frame, which
        graphql-ws clients (RxDB's among them) refuse.
        """
        try:
            return orjson.dumps(data).decode()
        except TypeError:
            encoded = super().encode_json(data)
            return encoded if isinstance(encoded, str) else encoded.decode()

    def decode_json(self, data: str | bytes) -> object:
        """Every JSON the view reads (HTTP bodies, GET variables, WebSocket messages) is
        refused past ``MAX_JSON_DEPTH`` levels (``api.json_limits``)."""
        return load_json(data)

    def parse_json(self, data: str | bytes) -> Any:
        """Strict JSON over HTTP: UTF-8 only, not too deep, and an object (a list is refused
        as a batch).

        Strawberry lets a ``UnicodeDecodeError``, a ``RecursionError`` or a bare JSON string
        escape as a 500.
        """
        if isinstance(data, bytes):
            try:
                data = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise HTTPException(400, N_("the request body is not valid UTF-8")) from exc
        try:
            decoded = super().parse_json(data)
        except HTTPException as exc:
            if isinstance(exc.__cause__, JSONTooDeep):
                raise HTTPException(400, _TOO_DEEP) from exc.__cause__
            raise
        if not isinstance(decoded, dict | list):
            raise HTTPException(400, N_("expected a JSON object"))
        return decoded

    async def _authenticate(self, authorization: str | None) -> Principal | None:
        return await authenticate(self.state["db"], self.tokens, authorization)

    async def _check_access(self, authorization: str | None) -> Access:
        return await check_access(self.state["db"], self.tokens, authorization)

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        db: Database = self.state["db"]
        authorization = request.headers.get("authorization")
        principal = await self._authenticate(authorization)
        return Context(
            db=db,
            principal=principal,
            cipher=self.cipher,
            tokens=self.tokens,
            config=self.config,
            events=self.state["events"],
            check_access=self._check_access,
            request_id=request.scope.get("state", {}).get("request_id", ""),
            close_socket=_closer(request) if isinstance(request, WebSocket) else None,
            device_time_ms=device_time(request.headers.get("x-device-time")),
            authorization=authorization,
            language=negotiate(request.headers.get("accept-language")),
            client_address=request.client.host if request.client else None,
        )


def _closer(socket: WebSocket) -> Any:
    async def close(code: int, reason: str) -> None:
        await socket.close(code, reason)

    return close


def _http_error(status_code: int, message: str) -> Response:
    """``message`` may quote what was sent (an unknown operation's name): escaped, since
    text that is not Unicode cannot be written as UTF-8 (``domain.valid_text``)."""
    message = escaped(message)
    try:
        code = http.HTTPStatus(status_code).name
    except ValueError:
        code = "BAD_REQUEST"
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status_code
    )


def create_app(
    settings: Settings, db: Database | None = None, *, fast_paths: bool = True
) -> Starlette:
    """The ASGI app. Pass ``db`` to share an already open database (tests do); ``fast_paths``
    off answers everything through the general executor (the reference, for tests).

    Every commit on the database is announced to live sync streams on the current bus (a
    shared ``db`` gets the listener now, as tests may skip the lifespan)."""
    state: dict[str, Any] = {"db": db, "events": LocalEventBus()}
    graphql = ChanglangGraphQL(settings, state, fast_paths)
    announce = sync_event_publisher(lambda: state["events"])
    if db is not None:
        db.on_commit(announce)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        owned = state["db"] is None
        if owned:
            state["db"] = open_database(settings.effective_database_url, **settings.pool_options)
            state["db"].on_commit(announce)
        bus = None
        if state["db"].dialect == "postgresql":
            bus = PostgresEventBus(state["db"].url)
            await bus.start()
            state["events"] = bus
        try:
            async with (
                periodic_compaction(
                    state["db"],
                    settings.sync_compact_interval_seconds,
                    settings.sync_retention,
                    settings.sync_refused_retention,
                ),
                periodic_release(
                    state["db"],
                    settings.suggestion_box_release_seconds,
                    settings.suggestion_box,
                    lambda: state["events"],
                ),
                periodic_rating_sweep(state["db"], settings.rating_sweep_interval_seconds),
            ):
                yield
        finally:
            if bus is not None:
                await bus.stop()
                state["events"] = LocalEventBus()  # a shared db outlives this app
            if owned:
                await state["db"].dispose()

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_request: Request) -> Response:
        try:
            async with state["db"].read() as session:
                await session.execute(text("SELECT 1"))
        except Exception as exc:
            return JSONResponse(
                {"status": "unavailable", "reason": type(exc).__name__}, status_code=503
            )
        return JSONResponse({"status": "ready"})

    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route(
                "/export/ledger.{format}",
                ledger_export_endpoint(lambda: state["db"], graphql.tokens),
                methods=["GET"],
            ),
            Route(
                "/console/slips",
                login_slips_endpoint(
                    lambda: state["db"], graphql.tokens, graphql.config.login_code_ttl
                ),
                methods=["POST"],
            ),
            *setup_routes(lambda: state["db"], graphql.tokens),
            *register_upload_routes(
                lambda: state["db"], graphql.tokens, graphql.cipher, settings.max_upload_bytes
            ),
            *photo_routes(lambda: state["db"], graphql.tokens, settings.data_dir / "files"),
            *web_routes(),
        ],
        middleware=[
            *_proxy_headers(settings),
            Middleware(RequestId),
            Middleware(HeaderSizeLimit, max_bytes=settings.max_header_bytes),
            Middleware(
                BodySizeLimit,
                max_bytes=settings.max_body_bytes,
                uploads=(
                    *((path, settings.max_upload_bytes + 100_000) for path in UPLOAD_PATHS),
                    (UPLOAD_PATH, settings.max_upload_bytes + 100_000),
                ),
            ),
        ],
        lifespan=lifespan,
    )
    app.state.compiled_reads = graphql.compiled_reads
    return app


def _proxy_headers(settings: Settings) -> list[Middleware]:
    """Believe ``X-Forwarded-For`` only from the proxies the settings name (uvicorn's own
    middleware, which takes the rightmost address that is not one of them)."""
    if not settings.trusted_proxies:
        return []
    return [Middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))]


def app_from_env() -> Starlette:
    """The factory ``uvicorn`` imports in each worker process.

    A new query text is parsed and validated in a worker thread (``schema.document_checks``);
    a short GIL switch interval makes that thread hand the interpreter back to the event
    loop within half a millisecond instead of five, so other requests wait that little.
    """
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    settings = Settings.from_env()
    configure_logging(settings.log_json)
    app = create_app(settings)
    gc_tuning.tune()
    return app
