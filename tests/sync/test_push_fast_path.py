"""The push's fast path answers and writes exactly as the general executor does.

Two databases of one state (the second copied from the first after the phones logged in,
so that both hold the same devices and the same tokens work on both): the reference app
answers everything through strawberry (``fast_paths=False``) and stages every accepted row
as ORM objects, the other takes the push's fast path and writes a batch of new residents
with one Core insert (``sync.staging.RowStager``). Every request of a scripted session (new
rows, edits, true conflicts, refused rows, retries, duplicates in one batch, deletions, and
bad input of many kinds) goes to both; the responses must be the same bytes, the same
notices must go out after each (what the streams are told, what the commit listeners hear),
and after each every table must hold the same rows (server-made ids and clock times aside,
which no two runs share). Each request also states whether the fast path must take it, so a
path that silently fell back every time would fail here.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import create_engine, select, text

from api.app import create_app
from domain.changes import Change
from domain.database import Database, open_database
from domain.models.base import Base
from schema.sync import operations
from schema.sync.fast_push import FastPush
from sync import staging
from sync.collections import COLLECTIONS
from tests import api_client
from tests.api_client import api_for
from tests.postgres_server import PostgresServer
from tests.sync.client import edited, pull_query, push_query, row
from tests.world import World, build_world

PHONES = ("member1a", "chief1", "chief2")


@dataclass
class Side:
    """One app over one database, and what it announced."""

    db: Database
    client: httpx.AsyncClient
    commits: list[frozenset[Change]] = field(default_factory=list)


@dataclass
class Twins:
    reference: Side
    fast: Side
    world: World
    tokens: dict[str, str]
    started: datetime
    known: set[str]
    announced: list[tuple[Any, ...]] = field(default_factory=list)
    taken: list[bool] = field(default_factory=list)
    current: Side | None = None
    inserted: int = 0
    """Batches of creates the fast side wrote with one Core insert (the reference stages)."""


def _side(db: Database, *, fast: bool) -> Side:
    app = create_app(api_client.test_settings(), db=db, fast_paths=fast)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
    side = Side(db, client)

    async def heard(changes: frozenset[Change]) -> None:
        side.commits.append(changes)

    db.on_commit(heard)
    return side


def _copy_file(url: str) -> str:
    path = Path(url.removeprefix("sqlite+aiosqlite:///"))
    twin = path.with_name("twin.sqlite3")
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{path}{suffix}").exists():
            shutil.copyfile(f"{path}{suffix}", f"{twin}{suffix}")
    return f"sqlite+aiosqlite:///{twin}"


async def _copy(dialect: str, url: str, request: pytest.FixtureRequest) -> AsyncIterator[str]:
    if dialect == "sqlite":
        yield _copy_file(url)
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    source = url.rsplit("/", 1)[1]
    name = f"{source}_twin"
    admin = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name} TEMPLATE {source}"))
    try:
        yield server.url(name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture
async def twins(
    database_url: str,
    dialect: str,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Twins]:
    db = open_database(database_url)
    world = await build_world(db)
    api = api_for(db)
    tokens = {name: await api.login(name) for name in PHONES}
    await api.client.aclose()
    await db.dispose()
    copies = _copy(dialect, database_url, request)
    twin_url = await anext(copies)
    reference = _side(open_database(database_url), fast=False)
    fast = _side(open_database(twin_url), fast=True)
    known = {str(value) for value in _uuids(await _dump(reference.db))}
    found = Twins(reference, fast, world, tokens, datetime.now(UTC), known)

    async def announce(
        events: Any, community: Any, collection: str, reemit: Any = (), **more: Any
    ) -> None:
        found.announced.append(("now", collection, sorted(map(str, reemit)), more))

    def announce_later(
        events: Any, community: Any, collection: str, again: Any, device: Any
    ) -> None:
        found.announced.append(("later", collection, sorted(map(str, again)), str(device)))

    answer = FastPush.answer

    async def answered(self: FastPush, *args: Any, **kwargs: Any) -> bytes | None:
        body = await answer(self, *args, **kwargs)
        found.taken.append(body is not None)
        return body

    insert_together = staging._insert_together

    async def inserted(*args: Any) -> set[uuid.UUID] | None:
        if found.current is reference:
            return None  # the reference writes as before: ORM objects, one flush
        written = await insert_together(*args)
        found.inserted += written is not None
        return written

    monkeypatch.setattr(staging, "_insert_together", inserted)
    monkeypatch.setattr(operations, "announce", announce)
    monkeypatch.setattr(operations, "announce_later", announce_later)
    monkeypatch.setattr(FastPush, "answer", answered)
    try:
        yield found
    finally:
        for side in (reference, fast):
            await side.client.aclose()
            await side.db.dispose()
        await copies.aclose()


async def _dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    tables: dict[str, list[tuple[Any, ...]]] = {}
    async with db.read_connection() as connection:
        for table in Base.metadata.sorted_tables:
            rows = (await connection.execute(select(table))).all()
            tables[table.name] = [tuple(r) for r in rows]
    return tables


def _uuids(tables: dict[str, list[tuple[Any, ...]]]) -> set[uuid.UUID]:
    return {v for rows in tables.values() for r in rows for v in r if isinstance(v, uuid.UUID)}


def _strings(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return {s for v in value.values() for s in _strings(v)}
    if isinstance(value, list):
        return {s for v in value for s in _strings(v)}
    return set()


def _normal(value: Any, twins: Twins) -> Any:
    """Server-made ids and clock times differ between any two runs: compared as kinds."""
    if isinstance(value, uuid.UUID) and str(value) not in twins.known:
        return "<made here>"
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        if moment >= twins.started - timedelta(seconds=1):
            return "<now>"
    return value


async def _contents(side: Side, twins: Twins) -> dict[str, list[str]]:
    return {
        name: sorted(repr(tuple(_normal(v, twins) for v in r)) for r in rows)
        for name, rows in (await _dump(side.db)).items()
    }


async def _send(
    twins: Twins,
    body: bytes,
    token: str | None,
    *,
    fast: bool,
    headers: dict[str, str] | None = None,
) -> Any:
    """One request to both; the same bytes and notices back, and whether the fast path took
    it as ``fast`` says."""
    sent = {"Content-Type": "application/json", **(headers or {})}
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    twins.known |= _strings(json.loads(body))
    outcomes = []
    for side in (twins.reference, twins.fast):
        twins.announced.clear()
        side.commits.clear()
        twins.taken.clear()
        twins.current = side
        response = await side.client.post("/graphql", content=body, headers=sent)
        outcomes.append(
            (response.status_code, response.content, list(twins.announced), list(side.commits))
        )
    for got, want in zip(outcomes[1], outcomes[0], strict=True):
        assert got == want
    assert twins.taken == ([True] if fast else [False] * len(twins.taken)), body[:300]
    assert outcomes[0][0] in (200, 400)  # 400: an operation name the text lacks
    written, reference = await _contents(twins.fast, twins), await _contents(twins.reference, twins)
    for name, rows in reference.items():
        assert written[name] == rows, (name, body[:300])
    return orjson.loads(outcomes[0][1])


def _push_body(collection: str, rows: Any, query: str | None = None, **more: Any) -> bytes:
    variables = {f"{collection}PushRow": rows}
    return orjson.dumps({"query": query or push_query(collection), "variables": variables, **more})


async def _push(twins: Twins, phone: str, collection: str, rows: Any, fast: bool = True) -> Any:
    found = await _send(twins, _push_body(collection, rows), twins.tokens[phone], fast=fast)
    return found


async def _pull(twins: Twins, phone: str, collection: str) -> list[dict[str, Any]]:
    """The phone's documents, pulled from both (the same, while the databases are)."""
    body = orjson.dumps(
        {"query": pull_query(collection), "variables": {"checkpoint": None, "limit": 1000}}
    )
    found = await _send(twins, body, twins.tokens[phone], fast=False)
    return list(found["data"][f"pull{COLLECTIONS[collection].prefix}"]["documents"])


def _resident(household: uuid.UUID, name: str, **more: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "householdId": str(household),
        "name": name,
        "deleted": False,
        **more,
    }


async def test_the_same_pushes_answer_and_write_the_same_on_both_paths(twins: Twins) -> None:
    world, h = twins.world, twins.world.households
    residents = {d["name"]: d for d in await _pull(twins, "member1a", "resident")}

    # new rows: plain, with tags, a phone the server normalises, unset fields absent
    created = [
        _resident(h["H1a"], "新人甲", phone="137 0000 1111", tags=["儿童", "高龄老人", "儿童"]),
        _resident(h["H1a2"], "新人乙", partyMember=True),
        _resident(h["H1a"], "新人丙", phone=None, tags=[]),
    ]
    first = [row(doc) for doc in created]
    answer = await _push(twins, "member1a", "resident", first)
    assert "新人甲" in [d["name"] for d in answer["data"]["pushResident"]]  # normalised
    # the same batch again (its answer was lost): answered alike, applied once
    assert await _push(twins, "member1a", "resident", first) == answer

    # edits with a base; a true conflict with another phone's earlier edit; a merge
    x, y = residents["H1a-x"], residents["H1a-y"]
    await _push(twins, "chief1", "resident", [row(edited(x, phone="13911112222"), x)])
    both = [
        row(edited(x, phone="13733334444", tags=["困难家庭"]), x),
        row(edited(y, name="H1a-y改"), y),
    ]
    answer = await _push(twins, "member1a", "resident", both)
    assert answer["data"]["pushResident"]

    # refused rows beside accepted ones: an unknown household, a household out of scope,
    # not an id, a required field cleared, a deleted document brought back
    gone = await _pull(twins, "member1a", "resident")
    mixed = [
        row(_resident(uuid.uuid4(), "无户")),
        row(_resident(h["H2a"], "别的网格")),
        row({**_resident(h["H1a"], "坏号"), "id": "not-an-id"}),
        row(edited(y, name=None), y),
        row(_resident(h["H1a"], "好的")),
    ]
    answer = await _push(twins, "member1a", "resident", mixed)
    assert len(answer["data"]["pushResident"]) >= 4  # the four refused
    doomed = next(d for d in gone if d["name"] == "新人乙")
    await _push(twins, "member1a", "resident", [row(edited(doomed, deleted=True), doomed)])
    await _push(twins, "member1a", "resident", [row(edited(doomed, deleted=False), doomed)])

    # one document twice in a batch (the later merged against the earlier); created and
    # deleted offline; a partial selection in another order
    twice = _resident(h["H1a"], "两次")
    again = [row(twice), row(edited(twice, name="两次改"), twice)]
    await _push(twins, "member1a", "resident", again)
    offline = row(_resident(h["H1a"], "删了", deleted=True))
    partial = (
        "mutation P($residentPushRow: [ResidentInputPushRow!]) {"
        " pushResident(residentPushRow: $residentPushRow) { deleted name id } }"
    )
    await _send(
        twins,
        _push_body("resident", [offline, *mixed[:2]], partial),
        twins.tokens["member1a"],
        fast=True,
    )

    # visit notes (staged too): new, then an edit of the text on two phones (both kept)
    note = {
        "id": str(uuid.uuid4()),
        "householdId": str(h["H1a"]),
        "category": "need",
        "text": "楼道灯坏了",
        "followUp": True,
        "visitedAt": 1_700_000_000_000,
        "deleted": False,
    }
    await _push(twins, "member1a", "visitNote", [row(note)])
    [master] = [d for d in await _pull(twins, "member1a", "visitNote") if d["id"] == note["id"]]
    await _push(twins, "chief1", "visitNote", [row(edited(master, text="灯已报修"), master)])
    answer = await _push(
        twins, "member1a", "visitNote", [row(edited(master, text="还有电梯"), master)]
    )
    assert "灯已报修" in answer["data"]["pushVisitNote"][0]["text"]

    # households: no stager, every row alone
    [home] = [d for d in await _pull(twins, "member1a", "household") if d["id"] == str(h["H1a"])]
    await _push(twins, "member1a", "household", [row(edited(home, room="102"), home)])
    await _push(
        twins, "member1a", "household", [row(edited(home, gridId=str(world.grids["M2a"])), home)]
    )

    # nothing to push, and a device whose scope is the whole grid
    assert await _push(twins, "member1a", "resident", []) == {"data": {"pushResident": []}}
    await _push(twins, "chief2", "resident", [row(_resident(h["H2a"], "二网格"))])
    assert twins.inserted >= 3


BAD_VALUES: dict[str, Any] = {
    "tags as one string": {"tags": "儿童"},
    "a number for text": {"name": 12},
    "a string for a boolean": {"partyMember": "yes"},
    "a boolean for a number": {"updatedAt": True},
    "an unknown field": {"age": 3},
    "deleted missing": {"deleted": None},
    "a float that loses nothing": {"updatedAt": 12},
    "a huge int": {"updatedAt": "<huge>"},
    "a null tag": {"tags": ["a", None]},
}
"""Values graphql-core converts or refuses: the general path answers (the int is allowed)."""


async def test_bad_input_is_answered_by_the_general_path_alike(twins: Twins) -> None:
    h = twins.world.households
    token = twins.tokens["member1a"]
    for case, change in BAD_VALUES.items():
        document = {**_resident(h["H1a"], case), **change}
        if change.get("deleted", False) is None:
            del document["deleted"]
        fast = case == "a float that loses nothing"
        body = _push_body("resident", [row(document)]).replace(b'"<huge>"', b"1" + b"0" * 30)
        await _send(twins, body, token, fast=fast)
    good = [row(_resident(h["H1a"], "好"))]
    odd_shapes: list[tuple[str, bytes, str | None, bool]] = [
        ("rows null", _push_body("resident", None), token, False),
        ("a row null", _push_body("resident", [None]), token, False),
        ("a row not an object", _push_body("resident", [3]), token, False),
        (
            "newDocumentState missing",
            _push_body("resident", [{"assumedMasterState": None}]),
            token,
            False,
        ),
        ("an extra row key", _push_body("resident", [{**good[0], "x": 1}]), token, False),
        ("no token", _push_body("resident", good), None, False),
        ("a bad token", _push_body("resident", good), "nonsense", False),
        ("too many rows", _push_body("resident", good * 501), token, False),
        (
            "an aliased field",
            _push_body("resident", good, push_query("resident").replace("{ id", "{ a: id")),
            token,
            False,
        ),
        (
            "__typename",
            _push_body("resident", good, push_query("resident").replace("{ id", "{ __typename id")),
            token,
            False,
        ),
        (
            "another operation named",
            _push_body("resident", good, operationName="Other"),
            token,
            False,
        ),
        (
            "an unknown field selected",
            _push_body("resident", good, push_query("resident").replace("{ id", "{ nope id")),
            token,
            False,
        ),
        (
            "a lone surrogate",
            _push_body("resident", good).replace("好".encode(), b"\\ud800"),
            token,
            False,
        ),
        (
            "a pull-only collection",
            _push_body("grid", good, push_query("resident").replace("pushResident", "pushGrid")),
            token,
            False,
        ),
    ]
    for _case, body, given, fast in odd_shapes:
        await _send(twins, body, given, fast=fast)
    await _send(
        twins,
        _push_body("resident", good),
        token,
        fast=True,
        headers={"X-Device-Time": "1700000000000"},
    )
