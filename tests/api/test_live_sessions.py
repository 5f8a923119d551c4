"""Every subscription ends with its session, over a real socket, on both databases.

``proposalRaised``, ``voteTally`` and the sync streams check their session at subscribe time,
on each event, when the account's session ends, when the token expires and on a timer; a
refused session closes the socket with 4401 (the token is expired or invalid: refresh and
reconnect) or 4403 (revoked or logged out), never with ``complete`` or a ``null`` emission.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import update

from api.app import create_app
from domain.database import Database
from domain.models import Device
from schema import live_session
from schema.sync import stream
from tests.api_client import test_settings as settings_with
from tests.sync.client import stream_query
from tests.sync.live_server import Http, LiveSubscription, serving, subscribed
from tests.votes.helpers import Clock, Voters
from tests.world import World

RAISED = "subscription { proposalRaised { title } }"
TALLY = "subscription($id: UUID!) { voteTally(voteId: $id) { ballots } }"
RAISE = """mutation($t: String!) { raiseProposal(input: {title: $t, category: OTHER,
    source: ONLINE}) { __typename } }"""
REVOKE = """mutation($id: UUID!) { revokeDevice(deviceId: $id) { __typename } }"""
LOGIN = """mutation($u: String!, $p: String!) { login(username: $u, password: $p) {
    __typename ... on AuthSession { accessToken refreshToken deviceId } } }"""
LOGOUT = """mutation($t: String!) { logout(refreshToken: $t) { __typename } }"""
REFRESH = """mutation($t: String!) { refreshSession(refreshToken: $t) {
    __typename ... on AuthSession { accessToken refreshToken } } }"""
LIFETIME = 1
"""Seconds an access token lives in the expiry tests (it verifies 5 s longer: the leeway)."""


@pytest.fixture(autouse=True)
def _no_timer(monkeypatch: pytest.MonkeyPatch) -> None:
    """No safety poll and no periodic check: what closes a socket here is said by each test."""
    monkeypatch.setattr(stream, "POLL_SECONDS", 3600.0)
    monkeypatch.setattr(live_session, "CHECK_SECONDS", 3600.0)


async def _server(database: Database, **settings: Any) -> AsyncIterator[Http]:
    async with serving(create_app(settings_with(**settings), db=database)) as base:
        http = Http(base)
        try:
            yield http
        finally:
            await http.client.aclose()


@pytest.fixture
async def server(database: Database, world: World) -> AsyncIterator[Http]:
    async for http in _server(database):
        yield http


@pytest.fixture
async def short_lived(database: Database, world: World) -> AsyncIterator[Http]:
    async for http in _server(database, access_token_seconds=LIFETIME):
        yield http


async def _vote(server: Http, database: Database, world: World) -> str:
    from tests.api_client import api_for

    api = api_for(database)
    try:
        return await Voters(api, world, Clock()).open_vote(database, world, secret=False)
    finally:
        await api.client.aclose()


def _bearer(token: str) -> dict[str, Any]:
    return {"Authorization": f"Bearer {token}"}


async def _live_raised(server: Http, sub: LiveSubscription, admin: str) -> None:
    """Raise topics until the subscription has delivered one (it is live from then on)."""
    pending = asyncio.ensure_future(sub.next(20))
    for attempt in range(40):
        await server.ok(RAISE, {"t": f"楼道堆物清理{attempt}"}, admin)
        done, _ = await asyncio.wait({pending}, timeout=0.25)
        if done:
            assert pending.result()["proposalRaised"]["title"].startswith("楼道堆物清理")
            return
    pending.cancel()
    raise AssertionError("proposalRaised delivered nothing")


@pytest.fixture
def password(world: World) -> str:
    from tests.world import PASSWORD

    return PASSWORD


async def _login(server: Http, username: str, password: str) -> dict[str, Any]:
    data = await server.ok(LOGIN, {"u": username, "p": password})
    assert data["login"]["__typename"] == "AuthSession", data
    return dict(data["login"])


# --- Revoked and logged out: 4403 at once ------------------------------------------------


async def test_proposal_raised_closes_4403_when_its_device_is_revoked(
    server: Http, world: World, password: str
) -> None:
    phone = await _login(server, "chief1", password)
    admin = (await _login(server, "admin", password))["accessToken"]
    async with subscribed(server.base, RAISED, {}, _bearer(phone["accessToken"])) as sub:
        await _live_raised(server, sub, admin)
        await server.ok(REVOKE, {"id": phone["deviceId"]}, admin)
        assert await sub.close_code(5) == 4403
    assert sub.seen == []


async def test_proposal_raised_closes_4403_when_its_session_logs_out(
    server: Http, world: World, password: str
) -> None:
    phone = await _login(server, "chief1", password)
    admin = (await _login(server, "admin", password))["accessToken"]
    async with subscribed(server.base, RAISED, {}, _bearer(phone["accessToken"])) as sub:
        await _live_raised(server, sub, admin)
        await server.ok(LOGOUT, {"t": phone["refreshToken"]})
        assert await sub.close_code(5) == 4403
    assert sub.seen == []


async def test_proposal_raised_closes_4403_when_its_refresh_token_is_reused(
    server: Http, world: World, password: str
) -> None:
    phone = await _login(server, "chief1", password)
    admin = (await _login(server, "admin", password))["accessToken"]
    async with subscribed(server.base, RAISED, {}, _bearer(phone["accessToken"])) as sub:
        await _live_raised(server, sub, admin)
        stolen = await server.ok(REFRESH, {"t": phone["refreshToken"]})
        assert stolen["refreshSession"]["__typename"] == "AuthSession"
        replayed = await server.ok(REFRESH, {"t": phone["refreshToken"]})
        assert replayed["refreshSession"]["__typename"] == "InvalidCredentialsError"
        assert await sub.close_code(5) == 4403
    assert sub.seen == []


async def test_vote_tally_closes_4403_when_its_device_is_revoked(
    server: Http, world: World, database: Database, password: str
) -> None:
    vote = await _vote(server, database, world)
    phone = await _login(server, "chief1", password)
    admin = (await _login(server, "admin", password))["accessToken"]
    async with subscribed(server.base, TALLY, {"id": vote}, _bearer(phone["accessToken"])) as sub:
        assert (await sub.next())["voteTally"]["ballots"] == 0
        await server.ok(REVOKE, {"id": phone["deviceId"]}, admin)
        assert await sub.close_code(5) == 4403
    assert sub.seen == []


async def test_a_revocation_no_event_announced_closes_on_the_timer(
    server: Http,
    world: World,
    database: Database,
    password: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A device revoked straight in the database (another tool, a lost event): the periodic
    check closes both subscriptions without any event."""
    monkeypatch.setattr(live_session, "CHECK_SECONDS", 0.5)
    vote = await _vote(server, database, world)
    phone = await _login(server, "chief1", password)
    payload = _bearer(phone["accessToken"])
    async with (
        subscribed(server.base, RAISED, {}, payload) as raised,
        subscribed(server.base, TALLY, {"id": vote}, payload) as tally,
    ):
        assert (await tally.next())["voteTally"]["ballots"] == 0
        async with database.transaction() as session:
            await session.execute(
                update(Device)
                .where(Device.id == uuid.UUID(phone["deviceId"]))
                .values(revoked_at=datetime.now(UTC))
            )
        assert await raised.close_code(5) == 4403
        assert await tally.close_code(5) == 4403
    assert raised.seen == [] and tally.seen == []


# --- Expired: 4401, on time, with no event -----------------------------------------------


async def test_proposal_raised_and_vote_tally_close_4401_when_the_token_expires(
    short_lived: Http, world: World, database: Database, password: str
) -> None:
    vote = await _vote(short_lived, database, world)
    phone = await _login(short_lived, "chief1", password)
    payload = _bearer(phone["accessToken"])
    async with (
        subscribed(short_lived.base, RAISED, {}, payload) as raised,
        subscribed(short_lived.base, TALLY, {"id": vote}, payload) as tally,
    ):
        assert (await tally.next())["voteTally"]["ballots"] == 0
        started = asyncio.get_running_loop().time()
        assert await raised.close_code(15) == 4401
        assert await tally.close_code(15) == 4401
        waited = asyncio.get_running_loop().time() - started
    assert waited < LIFETIME + 5 + 2  # at the token's end, not at a 30 s (here 1 h) check
    assert raised.seen == [] and tally.seen == []


async def test_an_expired_token_is_refused_at_subscribe_time_with_4401(
    short_lived: Http, world: World, database: Database, password: str
) -> None:
    vote = await _vote(short_lived, database, world)
    phone = await _login(short_lived, "chief1", password)
    await asyncio.sleep(LIFETIME + 5 + 0.5)
    payload = _bearer(phone["accessToken"])
    for query, variables in ((RAISED, {}), (TALLY, {"id": vote})):
        async with subscribed(short_lived.base, query, variables, payload) as sub:
            assert await sub.close_code(5) == 4401
        assert sub.seen == []


# --- Sync streams ------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["expired", "garbage", "none"])
async def test_a_sync_stream_refuses_a_bad_token_by_closing_4401(
    short_lived: Http, world: World, password: str, token: str
) -> None:
    """Never ``next`` with ``data: null`` then ``complete``: the stock client throws on the
    null and ends its live replication for good."""
    phone = await _login(short_lived, "member1a", password)
    if token == "expired":
        await asyncio.sleep(LIFETIME + 5 + 0.5)
    value = {"expired": f"Bearer {phone['accessToken']}", "garbage": "Bearer x.y.z"}.get(token)
    headers = {"headers": {"Authorization": value}} if value else {}
    async with subscribed(short_lived.base, stream_query("resident"), headers, {}) as sub:
        assert await sub.close_code(5) == 4401
    assert sub.seen == []


async def test_a_sync_stream_closes_4401_when_its_token_expires(
    short_lived: Http, world: World, password: str
) -> None:
    phone = await _login(short_lived, "member1a", password)
    headers = {"headers": _bearer(phone["accessToken"])}
    async with subscribed(short_lived.base, stream_query("resident"), headers, {}) as sub:
        assert await sub.close_code(15) == 4401
    assert sub.seen == []


async def test_a_fresh_token_after_4401_subscribes_again(
    short_lived: Http, world: World, password: str
) -> None:
    """What the client does on 4401: refresh, reconnect with the new token; it is served."""
    phone = await _login(short_lived, "chief1", password)
    async with subscribed(short_lived.base, RAISED, {}, _bearer(phone["accessToken"])) as sub:
        assert await sub.close_code(15) == 4401
    fresh = (await short_lived.ok(REFRESH, {"t": phone["refreshToken"]}))["refreshSession"]
    async with subscribed(short_lived.base, RAISED, {}, _bearer(fresh["accessToken"])) as sub:
        admin = (await _login(short_lived, "admin", password))["accessToken"]
        await _live_raised(short_lived, sub, admin)
