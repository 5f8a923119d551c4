"""The sync fast path answers a pull with the same bytes as the general executor.

Two apps over one database: the reference answers everything through strawberry
(``fast_paths=False``), the other takes the fast path for the pull operations it recognises.
Documents are generated at random (seeded): unicode and JSON-hostile text, nulls, tag sets,
tombstones, masked ID numbers, then a scope change so that bare tombstones are replayed.

Both paths share ``sync.documents``, whose compiled row writers and text-read UUID and JSON
columns are checked against the plain ``to_wire`` conversion (the definition) directly, and
the fast path's scalar checks against values GraphQL would convert or refuse.
"""

from __future__ import annotations

import asyncio
import enum
import json
import math
import random
import uuid
from datetime import UTC, date, datetime
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import select, true

from api.app import create_app
from domain.database import Database
from domain.models import Household, Resident, VisitCategory, VisitNote
from schema import build_schema
from schema.sync.fast_pull import FastPull, NotFast, PullPlan, render
from sync import documents
from sync.collections import COLLECTIONS
from sync.declaration import Kind, SyncedType
from sync.values import to_wire
from tests import api_client
from tests.api_client import Api
from tests.sync.client import pull_query
from tests.sync.seed import move_post
from tests.world import World

LIMIT = 20
_CHARS = "aZ 0\"\\/\n\t\r\x01\x1f\u2028\u2029é居民楼😀\ufeff<>&'"


def _text(rng: random.Random, size: int) -> str:
    return "".join(rng.choice(_CHARS) for _ in range(rng.randint(1, size)))


def _maybe(rng: random.Random, value: Any) -> Any:
    return None if rng.random() < 0.3 else value


async def _generate(db: Database, world: World, seed: int) -> None:
    rng = random.Random(seed)
    grids = [world.grids["M1a"], world.grids["M1b"], world.grids["M2a"]]
    tags = ["高龄老人", "儿童", "困难家庭", "残疾人"]
    async with db.transaction() as session:
        for number in range(40):
            household = Household(
                id=uuid.uuid4(),
                community_id=world.community,
                grid_id=rng.choice(grids),
                building=f"{number}{_text(rng, 6)}"[:20],
                unit=_text(rng, 5),
                room=str(rng.randint(100, 2000)),
                deleted=rng.random() < 0.1,
            )
            session.add(household)
            await session.flush()
            for _person in range(rng.randint(0, 3)):
                session.add(
                    Resident(
                        community_id=world.community,
                        household_id=household.id,
                        name=_text(rng, 20),
                        phone=_maybe(rng, _text(rng, 11)),
                        id_number_masked=_maybe(rng, f"120104********{rng.randint(0, 9999):04d}"),
                        birth_date=_maybe(rng, date(rng.randint(1920, 2024), 2, 28)),
                        tags=rng.sample(tags, rng.randint(0, 4)),
                        party_member=rng.random() < 0.2,
                        deleted=rng.random() < 0.15,
                    )
                )
            for _note in range(rng.randint(0, 2)):
                visited = datetime.fromtimestamp(rng.randint(0, 2**31) + rng.random(), tz=UTC)
                session.add(
                    VisitNote(
                        community_id=world.community,
                        household_id=household.id,
                        author_account_id=world.accounts["member1a"],
                        category=rng.choice(list(VisitCategory)),
                        text=_text(rng, 200),
                        follow_up=rng.random() < 0.5,
                        visited_at=_maybe(rng, visited),
                        deleted=rng.random() < 0.1,
                    )
                )
        await session.flush()


def _api(db: Database, *, fast: bool) -> Api:
    app = create_app(api_client.test_settings(), db=db, fast_paths=fast)
    return Api(httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t"))


def _selections(collection: str) -> dict[str, tuple[str, bool]]:
    """Operation texts, and whether the fast path takes them."""
    p = COLLECTIONS[collection].prefix
    head = f"query Q($checkpoint: {p}InputCheckpoint, $limit: Int!)"
    call = f"pull{p}(checkpoint: $checkpoint, limit: $limit)"
    fields = [f.wire for f in COLLECTIONS[collection].fields]
    last = fields[-1]
    cp = "checkpoint { id updatedAt }"
    return {
        "full (the RxDB client's)": (pull_query(collection), True),
        "partial, reordered": (
            f"{head} {{ {call} {{ documents {{ deleted {last} id }}"
            " checkpoint { updatedAt } } }",
            True,
        ),
        "checkpoint first": (
            f"{head} {{ {call} {{ checkpoint {{ updatedAt id }} documents {{ updatedAt id }} }} }}",
            True,
        ),
        "a field twice (merged, as GraphQL merges it)": (
            f"{head} {{ {call} {{ documents {{ id {last} id }} {cp} }} }}",
            True,
        ),
        "an aliased field": (
            f"{head} {{ {call} {{ documents {{ id other: {last} }} {cp} }} }}",
            False,
        ),
        "__typename": (
            f"{head} {{ {call} {{ documents {{ __typename id }} {cp} }} }}",
            False,
        ),
        "a fragment": (
            f"{head} {{ {call} {{ documents {{ ...D }} checkpoint {{ id updatedAt }} }} }}"
            f" fragment D on {p}Document {{ id {last} }}",
            False,
        ),
        "a directive": (
            f"{head} {{ {call} {{ documents {{ id {last} @include(if: true) }}"
            " checkpoint { id updatedAt } } }",
            False,
        ),
    }


async def _post(api: Api, query: str, variables: dict[str, Any], token: str) -> bytes:
    response = await api.client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    return response.content


async def _compare_pages(
    reference: Api, fast: Api, token: str, query: str, key: str, checkpoint: Any = None
) -> Any:
    """Page through both; every page's bytes equal. Returns the last checkpoint."""
    while True:
        variables = {"checkpoint": checkpoint, "limit": LIMIT}
        expected = await _post(reference, query, variables, token)
        assert await _post(fast, query, variables, token) == expected
        page = orjson.loads(expected)["data"][key]
        if "checkpoint" in page and "id" in page["checkpoint"]:
            checkpoint = page["checkpoint"]
        if len(page.get("documents", [])) < LIMIT or "id" not in page.get("checkpoint", {}):
            return checkpoint


@pytest.mark.parametrize("seed", [1, 2])
async def test_the_fast_path_writes_the_general_executors_bytes(
    database: Database, world: World, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    answered: list[bool] = []
    original = FastPull.answer

    async def spy(self: FastPull, *args: Any) -> bytes | None:
        body = await original(self, *args)
        answered.append(body is not None)
        return body

    monkeypatch.setattr(FastPull, "answer", spy)
    await _generate(database, world, seed)
    reference, fast = _api(database, fast=False), _api(database, fast=True)
    built = build_schema()
    recogniser = FastPull(built, built.checks, max_depth=10)
    try:
        tokens = {name: await reference.login(name) for name in ("member1a", "admin")}
        for collection in ("resident", "household", "visitNote"):
            key = f"pull{COLLECTIONS[collection].prefix}"
            for label, (query, taken) in _selections(collection).items():
                assert (await recogniser.plan(query, None) is not None) is taken, label
                for token in tokens.values():
                    await _compare_pages(reference, fast, token, query, key)
        assert answered and all(answered)  # every recognised pull took the fast path
        # member1a moves to M1b: the replay sends bare tombstones for what M1a held
        token = tokens["member1a"]
        query = pull_query("resident")
        held = await _compare_pages(reference, fast, token, query, "pullResident")
        await move_post(database, world, "member1a", "M1b")
        token = await reference.login("member1a")
        await _compare_pages(reference, fast, token, query, "pullResident", held)
        assert all(answered)
    finally:
        await reference.client.aclose()
        await fast.client.aclose()


async def test_errors_and_odd_requests_are_answered_alike(database: Database, world: World) -> None:
    reference, fast = _api(database, fast=False), _api(database, fast=True)
    try:
        token = await reference.login("member1a")
        query = pull_query("resident")
        cases: list[tuple[str, dict[str, Any], str | None]] = [
            (query, {"checkpoint": {"id": "forged~x", "updatedAt": 1.0}, "limit": 5}, token),
            (query, {"checkpoint": None, "limit": 100_000}, token),
            (query, {"checkpoint": None, "limit": "ten"}, token),
            (query, {"checkpoint": None}, token),
            (query, {"checkpoint": None, "limit": 5}, None),
            (query, {"checkpoint": None, "limit": 5}, "not-a-token"),
            (query.replace("limit: $limit", "limit: 3"), {"checkpoint": None}, token),
        ]
        for text, variables, who in cases:
            headers = {"Authorization": f"Bearer {who}"} if who else {}
            body = {"query": text, "variables": variables}
            expected = await reference.client.post("/graphql", json=body, headers=headers)
            found = await fast.client.post("/graphql", json=body, headers=headers)
            assert (found.status_code, found.content) == (expected.status_code, expected.content)
            assert found.headers["content-type"] == expected.headers["content-type"]
    finally:
        await reference.client.aclose()
        await fast.client.aclose()


def _by_definition(collection: SyncedType, rows: list[Any]) -> list[dict[str, Any]]:
    """What ``to_documents`` must return: ``to_wire`` per value of the declared read, then
    the field's ``present`` (a notice's text in the reader's language)."""
    found = []
    for row in rows:
        document: dict[str, Any] = {"id": str(row[0])}
        for spec, value in zip(collection.fields, row[3:], strict=True):
            wired = to_wire(spec.kind, value)
            document[spec.wire] = spec.present(wired) if spec.present is not None else wired
        document["updatedAt"] = float(row[1])
        document["deleted"] = bool(row[2])
        found.append(document)
    return found


async def test_the_documents_read_as_the_declared_columns_convert(
    database: Database, world: World
) -> None:
    """UUID and JSON columns read as text give the values the column types would."""
    await _generate(database, world, 3)
    async with database.read() as session:
        for collection in COLLECTIONS.values():
            model = collection.model
            columns: list[Any] = [model.id, model.position, model.deleted]
            columns += [spec.read() for spec in collection.fields]
            declared = collection.source(select(*columns)).where(true())
            expected = _by_definition(
                collection, list(await session.execute(declared.order_by(model.id)))
            )
            rows = list(await session.execute(documents.statement(collection).order_by(model.id)))
            found = documents.to_documents(collection, rows)
            assert repr(found) == repr(expected), collection.name
            if collection.name == "resident":
                assert found, "the generated world has residents"
                tags = [document["tags"] for document in found]
                assert len({id(t) for t in tags}) == len(tags), "each document owns its list"


class _Colour(enum.Enum):
    RED = "red"


class _Size(enum.StrEnum):
    BIG = "big"


_VALUES: list[Any] = [
    None,
    "text",
    "",
    7,
    7.5,
    math.nan,
    True,
    False,
    uuid.UUID("12345678-9abc-def0-1234-56789abcdef0"),
    date(2020, 2, 29),
    datetime(2020, 2, 29, 12, 30, tzinfo=UTC),
    ["b", "a", "b"],
    [],
    ("x", 1),
    _Colour.RED,
    _Size.BIG,
]


def test_the_compiled_row_writers_convert_as_to_wire_does() -> None:
    """Every collection's writer, on values of every type (not only those its columns hold).

    A field read as text (``documents.read_as_text``) gets its text from the column, so a string
    there is the column's text form: the tests of ``id_from_text`` and ``tags_from_text`` and the
    one over the database cover those."""
    rng = random.Random(7)
    not_text = [value for value in _VALUES if not isinstance(value, str)]
    for collection in COLLECTIONS.values():
        choices = [not_text if documents.read_as_text(f) else _VALUES for f in collection.fields]
        for _ in range(300):
            row = (
                uuid.uuid4(),
                rng.randint(0, 2**40),
                rng.choice([True, False, 0, 1]),
                *(rng.choice(values) for values in choices),
            )
            try:
                expected: Any = _by_definition(collection, [row])
            except Exception as exc:  # the same failure is expected
                with pytest.raises(type(exc)):
                    documents.to_documents(collection, [row])
                continue
            assert repr(documents.to_documents(collection, [row])) == repr(expected)
        with pytest.raises(ValueError):
            documents.to_documents(collection, [(uuid.uuid4(), 1, False)])


@pytest.mark.parametrize(
    "text",
    [
        "12345678-9abc-def0-1234-56789abcdef0",  # PostgreSQL's uuid::text
        "123456789abcdef0123456789abcdef0",  # SQLite's stored hex
        "123456789ABCDEF0123456789ABCDEF0",
        "12345678-9ABC-DEF0-1234-56789ABCDEF0",
        "{12345678-9abc-def0-1234-56789abcdef0}",
        "urn:uuid:12345678-9abc-def0-1234-56789abcdef0",
    ],
)
def test_uuid_text_reads_as_the_uuid_type(text: str) -> None:
    assert documents.id_from_text(text) == str(uuid.UUID(text))


@pytest.mark.parametrize(
    "text", ["", "not-a-uuid", "g" * 32, "12345678-9abc-def0-1234-56789abcdefg"]
)
def test_uuid_text_refuses_what_the_uuid_type_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        uuid.UUID(text)
    with pytest.raises(ValueError):
        documents.id_from_text(text)


@pytest.mark.parametrize(
    "text",
    [
        '["高龄老人", "儿童", "高龄老人"]',
        "[]",
        "null",
        '"ab"',
        '["\\ud800", "x"]',  # a lone surrogate: orjson refuses it, json reads it
        "[1, 2.5, true]",
        '["\\u5c45\\u6c11", "居民"]',
    ],
)
def test_tags_text_reads_as_the_json_type(text: str) -> None:
    assert documents.tags_from_text(text) == to_wire(Kind.TAGS, json.loads(text))


def _plan(fields: tuple[str, ...], kinds: tuple[tuple[Kind, bool], ...]) -> PullPlan:
    built = build_schema()
    recogniser = FastPull(built, built.checks, max_depth=10)
    plan = asyncio.run(recogniser.plan(pull_query("visitNote"), None))
    assert plan is not None
    return PullPlan(
        collection=plan.collection,
        response_key=plan.response_key,
        operation=plan.operation,
        arguments=plan.arguments,
        parts=("documents",),
        document_fields=fields,
        kinds=kinds,
        checkpoint_fields=(),
    )


@pytest.mark.parametrize(
    ("kind", "required", "value", "fast"),
    [
        (Kind.TEXT, False, "x", True),
        (Kind.TEXT, False, None, True),
        (Kind.TEXT, False, 5, False),  # GraphQL's String writes "5"
        (Kind.TEXT, False, True, False),
        (Kind.NUMBER, False, 1.5, True),
        (Kind.NUMBER, False, None, True),
        (Kind.NUMBER, False, 2, False),
        (Kind.NUMBER, False, math.inf, False),  # Float refuses it
        (Kind.NUMBER, False, math.nan, False),
        (Kind.ID, True, None, False),  # non-null in the schema
        (Kind.BOOL, True, False, True),
        (Kind.TAGS, False, ["a"], True),
    ],
)
def test_render_leaves_to_the_executor_what_graphql_would_convert(
    kind: Kind, required: bool, value: Any, fast: bool
) -> None:
    plan = _plan(("v",), ((kind, required),))
    ok = {Kind.TEXT: "ok", Kind.NUMBER: 0.5, Kind.ID: "i", Kind.BOOL: True, Kind.TAGS: []}[kind]
    page = [{"v": ok}, {"v": value}, {"v": ok}]
    if fast:
        assert orjson.loads(render(plan, page, ("c", 1.0))) == {
            "data": {"pullVisitNote": {"documents": page}}
        }
    else:
        with pytest.raises(NotFast):
            render(plan, page, ("c", 1.0))
