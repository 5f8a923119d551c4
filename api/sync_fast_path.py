"""HTTP side of the sync fast paths (``schema.sync.fast_pull``, ``schema.sync.fast_push``):
which requests may take them.

Only a plain JSON ``POST`` whose body strawberry would read the same way (an object with a
string ``query``, object-or-null ``variables``, no ``extensions``, not nested too deep) and
that asks for no streamed answer. The principal comes from the same ``authenticate`` as the
general path's context. The response is built as strawberry builds it (``200``,
``application/json``). Everything else returns ``None``: the caller runs the general executor.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import orjson
from starlette.requests import Request
from starlette.responses import Response
from strawberry.http.parse_content_type import parse_content_type

from api.json_limits import deeper_than
from domain.database import Database
from domain.principal import Principal

Authenticate = Callable[[str | None], Awaitable[Principal | None]]
RequestData = tuple[str, str | None, dict[str, Any] | None]


class FastPath(Protocol):
    """A path that recognises some operation texts and answers them itself, as bytes."""

    async def plan(self, query: str, operation_name: str | None) -> Any: ...

    async def answer(
        self, plan: Any, db: Database, principal: Principal | None, variables: Any
    ) -> bytes | None: ...


def _request_data(body: bytes) -> RequestData | None:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict) or data.get("extensions") is not None or deeper_than(data):
        return None
    query, name, variables = data.get("query"), data.get("operationName"), data.get("variables")
    if not isinstance(query, str) or not isinstance(name, str | None):
        return None
    if not isinstance(variables, dict | None):
        return None
    return query, name, variables


class PushPath(Protocol):
    """A path that answers some push operations itself (``schema.sync.fast_push``)."""

    async def plan(self, query: str, operation_name: str | None) -> Any: ...

    async def answer(
        self,
        plan: Any,
        db: Database,
        principal: Principal | None,
        variables: Any,
        *,
        device_time_ms: float | None,
    ) -> bytes | None: ...


def device_time(value: str | None) -> float | None:
    """``X-Device-Time``: the phone's clock in ms since 1970; anything else counts as absent."""
    try:
        found = float(value) if value is not None and len(value) <= 20 else None
    except ValueError:
        return None
    return found if found is not None and math.isfinite(found) else None


_READ = "changlang.fast_request"


async def _fast_request(
    request: Request, streams: Callable[[Any], object | None]
) -> RequestData | None:
    """The request's data, read once for all the fast paths it is offered to (decoding a
    push's 500 rows and checking their depth is most of what reading it costs)."""
    if _READ in request.scope:
        found: RequestData | None = request.scope[_READ]
        return found
    found = None
    if request.method == "POST" and streams(request.headers) is None:
        media_type, _ = parse_content_type(request.headers.get("content-type", ""))
        if "application/json" in media_type:
            found = _request_data(await request.body())
    request.scope[_READ] = found
    return found


async def fast_push_response(
    fast: PushPath,
    request: Request,
    db: Database,
    authenticate: Authenticate,
    streams: Callable[[Any], object | None],
) -> Response | None:
    found = await _fast_request(request, streams)
    if found is None:
        return None
    query, name, variables = found
    plan = await fast.plan(query, name)
    if plan is None:
        return None
    try:
        principal = await authenticate(request.headers.get("authorization"))
    except Exception:
        return None
    moment = device_time(request.headers.get("x-device-time"))
    body = await fast.answer(plan, db, principal, variables, device_time_ms=moment)
    if body is None:
        return None
    return Response(body, status_code=200, media_type="application/json")


async def fast_pull_response(
    fast: FastPath,
    request: Request,
    db: Database,
    authenticate: Authenticate,
    streams: Callable[[Any], object | None],
) -> Response | None:
    found = await _fast_request(request, streams)
    if found is None:
        return None
    query, name, variables = found
    plan = await fast.plan(query, name)
    if plan is None:
        return None
    try:
        principal = await authenticate(request.headers.get("authorization"))
    except Exception:
        return None  # the general path's context raises it again, in its own way
    body = await fast.answer(plan, db, principal, variables)
    if body is None:
        return None
    return Response(body, status_code=200, media_type="application/json")
