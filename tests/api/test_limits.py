"""Bad input of any kind gets a clear error, never a 500, and changes nothing.

Driven through the real ASGI app (middleware, auth, schema) with httpx. Each limit is tested
at its boundary: what is just inside runs, what is just outside is refused.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from api.settings import Mode
from domain.database import Database
from domain.models import Device, LoginCode, Resident
from domain.services import accounts
from tests.api_client import Api, api_for
from tests.api_client import test_settings as settings_with
from tests.world import World

CREATE_RESIDENT = """mutation($h: UUID!, $name: String!) {
    createResident(householdId: $h, fields: {name: $name}) {
        __typename ... on Resident { id name }
        ... on InvalidInputError { code field message } ... on Error { code message } } }"""
RESIDENTS = """query($first: Int, $after: String) { residents(first: $first, after: $after) {
    edges { node { name } } pageInfo { endCursor } } }"""
ISSUE_CODE = """mutation($id: UUID!) { issueLoginCode(residentId: $id) {
    __typename ... on LoginCode { code } ... on Error { code message } } }"""


@pytest.fixture
async def api(database: Database) -> AsyncIterator[Api]:
    """These tests read the English text of limit and validation messages."""
    client = api_for(database, language="en")
    try:
        yield client
    finally:
        await client.client.aclose()


@asynccontextmanager
async def server(database: Database, **settings: Any) -> AsyncIterator[Api]:
    api = api_for(database, settings_with(**settings), language="en")
    try:
        yield api
    finally:
        await api.client.aclose()


async def post_raw(
    api: Api, body: bytes, content_type: str = "application/json", **headers: str
) -> httpx.Response:
    return await api.client.post(
        "/graphql", content=body, headers={"content-type": content_type, **headers}
    )


async def residents_in(database: Database, household: uuid.UUID) -> list[str]:
    async with database.read() as session:
        rows = await session.scalars(
            select(Resident.name).where(Resident.household_id == household).order_by(Resident.name)
        )
        return list(rows)


async def count(database: Database, column: Any) -> int:
    async with database.read() as session:
        return int(await session.scalar(select(func.count(column))) or 0)


def only_error(body: dict[str, Any]) -> dict[str, Any]:
    assert len(body.get("errors") or []) == 1, body
    return dict(body["errors"][0])


def assert_json_error(response: httpx.Response, status: int, *words: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    message = str(only_error(response.json())["message"])
    for word in words:
        assert word.lower() in message.lower(), message
    return message


# --- Bodies that are not a GraphQL request -----------------------------------------------


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"{not json", ["JSON"]),
        (b'{"query": "{ viewer { accountId } }"', ["JSON"]),
        (b"", ["JSON"]),
        (b'{"query": "{ viewer { accountId } }", "x": "\xff\xfe"}', ["UTF-8"]),
        (b'"\xc3\x28"', ["UTF-8"]),
        (b'"{ viewer { accountId } }"', ["object"]),
        (b"42", ["object"]),
        (b"null", ["object"]),
        (b'{"query": 42}', ["query", "string"]),
        (b'{"query": "{ viewer { accountId } }", "variables": "x"}', ["variables", "object"]),
        (b"{}", ["no GraphQL query"]),
        (b'[{"query": "{ viewer { accountId } }"}]', ["batching"]),
    ],
    ids=[
        "malformed",
        "truncated",
        "empty",
        "invalid utf-8 in a string",
        "invalid utf-8 sequence",
        "a bare string",
        "a number",
        "null",
        "query not a string",
        "variables not an object",
        "no query",
        "a batch",
    ],
)
async def test_a_body_that_is_not_a_graphql_request_is_a_400_with_a_json_error(
    database: Database, body: bytes, words: list[str]
) -> None:
    async with server(database) as api:
        response = await post_raw(api, body)
    assert_json_error(response, 400, *words)
    assert only_error(response.json())["extensions"] == {"code": "BAD_REQUEST"}


async def test_an_unsupported_content_type_is_a_400(database: Database) -> None:
    async with server(database) as api:
        response = await post_raw(api, b"query={ viewer { accountId } }", "text/plain")
    assert_json_error(response, 400, "content type")


async def test_a_mutation_cannot_be_sent_with_get(
    api: Api, world: World, database: Database
) -> None:
    token = await api.login("admin")
    response = await api.client.get(
        "/graphql",
        params={
            "query": ISSUE_CODE,
            "variables": json.dumps({"id": str(world.residents["H1a-x"])}),
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert_json_error(response, 400, "mutations", "GET")
    assert await count(database, LoginCode.id) == 0


async def test_get_variables_that_are_not_json_are_a_400(database: Database) -> None:
    async with server(database) as api:
        response = await api.client.get(
            "/graphql", params={"query": "{ viewer { accountId } }", "variables": "{oops"}
        )
    assert_json_error(response, 400, "JSON")


# --- Bodies over the size limit ----------------------------------------------------------


def padded_body(query: str, variables: dict[str, Any], size: int) -> bytes:
    body = json.dumps({"query": query, "variables": variables}).encode()
    assert len(body) <= size
    return body[:-1] + b" " * (size - len(body)) + b"}"


async def test_a_body_of_exactly_the_limit_is_accepted(database: Database) -> None:
    body = padded_body("{ viewer { accountId } }", {}, 2_000)
    assert len(body) == 2_000
    async with server(database, max_body_bytes=2_000) as api:
        response = await post_raw(api, body)
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"viewer": None}}


async def test_a_declared_body_over_the_limit_is_refused_with_413_and_changes_nothing(
    api: Api, world: World, database: Database
) -> None:
    token = await api.login("admin")
    household = world.households["H1a"]
    before = await residents_in(database, household)
    body = padded_body(CREATE_RESIDENT, {"h": str(household), "name": "新居民"}, 2_001)
    async with server(database, max_body_bytes=2_000) as limited:
        response = await post_raw(limited, body, Authorization=f"Bearer {token}")
    assert_json_error(response, 413, "2000 bytes")
    assert only_error(response.json())["extensions"] == {"code": "PAYLOAD_TOO_LARGE"}
    assert response.headers["x-request-id"]
    assert await residents_in(database, household) == before


async def test_a_streamed_body_over_the_limit_is_refused_with_413_and_changes_nothing(
    api: Api, world: World, database: Database
) -> None:
    token = await api.login("admin")
    household = world.households["H1a"]
    before = await residents_in(database, household)
    body = padded_body(CREATE_RESIDENT, {"h": str(household), "name": "新居民"}, 5_000)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 500):
            yield body[start : start + 500]

    async with server(database, max_body_bytes=2_000) as limited:
        response = await limited.client.post(
            "/graphql",
            content=chunks(),
            headers={"content-type": "application/json", "Authorization": f"Bearer {token}"},
        )
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert "content-length" not in response.request.headers
    assert_json_error(response, 413, "2000 bytes")
    assert await residents_in(database, household) == before


async def test_a_streamed_body_within_the_limit_is_accepted(database: Database) -> None:
    body = padded_body("{ viewer { accountId } }", {}, 1_500)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 100):
            yield body[start : start + 100]

    async with server(database, max_body_bytes=2_000) as api:
        response = await api.client.post(
            "/graphql", content=chunks(), headers={"content-type": "application/json"}
        )
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"viewer": None}}


# --- GraphQL documents that are wrong ----------------------------------------------------


async def test_invalid_graphql_syntax_is_an_error_with_a_message(database: Database) -> None:
    async with server(database) as api:
        body = await api.post("{ viewer { accountId ")
    error = only_error(body)
    assert error["message"].startswith("Syntax Error")
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert body.get("data") is None


async def test_a_non_uuid_id_is_a_clear_error(api: Api, world: World, database: Database) -> None:
    token = await api.login("admin")
    body = await api.post(ISSUE_CODE, {"id": "H1a-x"}, token=token)
    message = only_error(body)["message"]
    assert "$id" in message
    assert "UUID" in message
    assert await count(database, LoginCode.id) == 0


async def test_a_string_for_an_int_is_a_clear_error(api: Api, world: World) -> None:
    token = await api.login("admin")
    body = await api.post(RESIDENTS, {"first": "ten"}, token=token)
    message = only_error(body)["message"]
    assert "$first" in message
    assert "Int" in message


async def test_an_unknown_field_is_named_in_the_error(database: Database) -> None:
    async with server(database) as api:
        body = await api.post("{ viewer { accountId password } }")
    assert only_error(body)["message"] == "Cannot query field 'password' on type 'Viewer'."


async def test_a_fragment_cycle_is_refused(database: Database) -> None:
    async with server(database) as api:
        body = await api.post("{ grids { ...Up } } fragment Up on Grid { name parent { ...Up } }")
    assert only_error(body)["message"] == "Cannot spread fragment 'Up' within itself."
    assert body.get("data") is None


# --- Oversized values --------------------------------------------------------------------


async def test_a_normal_name_creates_a_resident(api: Api, world: World, database: Database) -> None:
    token = await api.login("admin")
    household = world.households["H1a"]
    data = await api.ok(CREATE_RESIDENT, {"h": str(household), "name": "新居民"}, token=token)
    assert data["createResident"]["__typename"] == "Resident"
    assert "新居民" in await residents_in(database, household)


async def test_a_100000_character_name_is_invalid_input_and_writes_nothing(
    api: Api, world: World, database: Database
) -> None:
    token = await api.login("admin")
    household = world.households["H1a"]
    before = await residents_in(database, household)
    data = await api.ok(CREATE_RESIDENT, {"h": str(household), "name": "长" * 100_000}, token=token)
    result = data["createResident"]
    assert result["__typename"] == "InvalidInputError", result
    assert (result["code"], result["field"]) == ("INVALID_INPUT", "name")
    assert await residents_in(database, household) == before


async def test_an_oversized_device_name_is_invalid_input_and_logs_nobody_in(
    api: Api, world: World, database: Database
) -> None:
    data = await api.ok(
        """mutation($d: String!) { login(username: "admin", password: "correct-horse-battery",
             deviceName: $d) { __typename ... on InvalidInputError { field } } }""",
        {"d": "p" * 100_000},
    )
    assert data["login"] == {"__typename": "InvalidInputError", "field": "deviceName"}
    assert await count(database, Device.id) == 0


# --- Query cost limits -------------------------------------------------------------------


def nested_grids(levels: int) -> str:
    selection = "name"
    for _ in range(levels):
        selection = f"parent {{ {selection} }}"
    return f"{{ grids {{ {selection} }} }}"


async def test_a_query_at_the_depth_limit_runs_and_one_level_deeper_is_refused(
    api: Api, world: World, database: Database
) -> None:
    token = await api.login("admin")
    async with server(database, max_query_depth=4) as limited:
        at_limit = await limited.post(nested_grids(3), token=token)
        too_deep = await limited.post(nested_grids(4), token=token)
    assert "errors" not in at_limit, at_limit
    assert at_limit["data"]["grids"]
    assert "exceeds maximum operation depth of 4" in only_error(too_deep)["message"]
    assert too_deep.get("data") is None


async def test_depth_hidden_in_fragments_is_still_counted(
    api: Api, world: World, database: Database
) -> None:
    token = await api.login("admin")
    query = """{ grids { ...A } } fragment A on Grid { parent { ...B } }
               fragment B on Grid { parent { ...C } } fragment C on Grid { parent { name } }"""
    async with server(database, max_query_depth=3) as limited:
        body = await limited.post(query, token=token)
    assert "exceeds maximum operation depth of 3" in only_error(body)["message"]


def aliased_viewers(count: int) -> str:
    return "{ " + " ".join(f"v{i}: viewer {{ accountId }}" for i in range(count)) + " }"


async def test_aliases_up_to_the_limit_run_and_one_more_is_refused(database: Database) -> None:
    async with server(database, max_aliases=5) as limited:
        at_limit = await limited.post(aliased_viewers(5))
        too_many = await limited.post(aliased_viewers(6))
    assert at_limit == {"data": {f"v{i}": None for i in range(5)}}
    message = only_error(too_many)["message"]
    assert "aliases" in message.lower()
    assert too_many.get("data") is None


async def test_too_many_tokens_are_refused_before_parsing(database: Database) -> None:
    small = "{ viewer { accountId } }"  # 6 tokens
    large = "{ viewer { " + "accountId " * 50 + "} }"
    async with server(database, max_query_tokens=20) as limited:
        assert await limited.post(small) == {"data": {"viewer": None}}
        body = await limited.post(large)
    assert "more than 20 tokens" in only_error(body)["message"]
    assert body.get("data") is None


async def test_the_default_limits_refuse_a_deep_and_wide_query(api: Api, world: World) -> None:
    token = await api.login("admin")
    assert "depth" in only_error(await api.post(nested_grids(30), token=token))["message"]
    assert "aliases" in only_error(await api.post(aliased_viewers(200)))["message"].lower()
    assert "tokens" in only_error(await api.post(aliased_viewers(500)))["message"]


# --- Production mode ---------------------------------------------------------------------


def production(**overrides: Any) -> dict[str, Any]:
    return {"mode": Mode.PRODUCTION, **overrides}


async def test_development_suggests_a_misspelt_field(database: Database) -> None:
    async with server(database) as api:
        body = await api.post("{ viewr { accountId } }")
    assert "Did you mean 'viewer'?" in only_error(body)["message"]


async def test_production_does_not_suggest_a_misspelt_field(database: Database) -> None:
    async with server(database, **production()) as api:
        body = await api.post("{ viewr { accountId } }")
    message = only_error(body)["message"]
    assert message == "Cannot query field 'viewr' on type 'Query'."


INTROSPECTION = "{ __schema { queryType { name } } }"


async def test_introspection_is_on_in_development(database: Database) -> None:
    async with server(database) as api:
        assert await api.ok(INTROSPECTION) == {"__schema": {"queryType": {"name": "Query"}}}


async def test_introspection_is_off_by_default_in_production(database: Database) -> None:
    async with server(database, **production()) as api:
        body = await api.post(INTROSPECTION)
    assert body.get("data") is None
    assert "introspection" in body["errors"][0]["message"].lower()


async def test_production_may_turn_introspection_on_explicitly(database: Database) -> None:
    async with server(database, **production(introspection=True)) as api:
        assert await api.ok(INTROSPECTION) == {"__schema": {"queryType": {"name": "Query"}}}


async def test_production_serves_no_graphiql(database: Database) -> None:
    async with server(database) as dev, server(database, **production()) as prod:
        dev_page = await dev.client.get("/graphql", headers={"accept": "text/html"})
        prod_page = await prod.client.get("/graphql", headers={"accept": "text/html"})
    assert dev_page.status_code == 200
    assert "graphiql" in dev_page.text.lower()
    assert prod_page.status_code == 404


# --- Unexpected exceptions ---------------------------------------------------------------


@pytest.fixture
def broken_issue_login_code(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``issue_login_code`` stores a code, then fails the way a bug would."""
    real = accounts.issue_login_code

    async def issue_then_crash(*args: Any, **kwargs: Any) -> str:
        await real(*args, **kwargs)
        raise RuntimeError("bug: secret internal detail 4711")

    monkeypatch.setattr(accounts, "issue_login_code", issue_then_crash)
    yield


async def test_an_unexpected_exception_is_masked_logged_with_its_request_id_and_rolled_back(
    api: Api,
    world: World,
    database: Database,
    broken_issue_login_code: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = await api.login("admin")
    caplog.set_level(logging.ERROR, logger="changlang.errors")
    response = await api.client.post(
        "/graphql",
        json={"query": ISSUE_CODE, "variables": {"id": str(world.residents["H1a-x"])}},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 200
    request_id = response.headers["x-request-id"]
    assert request_id
    error = only_error(response.json())
    assert error["message"] == f"Internal server error (request id {request_id})"
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "4711" not in response.text
    assert "RuntimeError" not in response.text

    records = [r for r in caplog.records if r.name == "changlang.errors"]
    assert len(records) == 1
    record = records[0]
    assert getattr(record, "request_id", None) == request_id
    assert record.exc_info is not None
    assert record.exc_info[0] is RuntimeError
    assert "4711" in caplog.text  # the traceback, with the detail, is in the log
    assert "Traceback" in caplog.text

    assert await count(database, LoginCode.id) == 0


async def test_every_response_carries_a_fresh_request_id(database: Database) -> None:
    async with server(database) as api:
        first = await api.client.post("/graphql", json={"query": "{ __typename }"})
        second = await api.client.post("/graphql", json={"query": "{ __typename }"})
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


# --- Pagination arguments ----------------------------------------------------------------


async def test_first_up_to_the_max_page_size_is_accepted(api: Api, world: World) -> None:
    token = await api.login("admin")
    data = await api.ok(RESIDENTS, {"first": 100}, token=token)
    assert len(data["residents"]["edges"]) == 8


@pytest.mark.parametrize("first", [101, 1_000_000, -1])
async def test_first_outside_the_page_size_range_is_invalid_input(
    api: Api, world: World, first: int
) -> None:
    token = await api.login("admin")
    error = only_error(await api.post(RESIDENTS, {"first": first}, token=token))
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert "first" in error["message"]


async def test_the_max_page_size_follows_the_settings(
    api: Api, world: World, database: Database
) -> None:
    token = await api.login("admin")
    async with server(database, max_page_size=3) as limited:
        assert (
            len((await limited.ok(RESIDENTS, {"first": 3}, token=token))["residents"]["edges"]) == 3
        )
        error = only_error(await limited.post(RESIDENTS, {"first": 4}, token=token))
    assert error["extensions"]["code"] == "INVALID_INPUT"


def cursor_of(values: Any) -> str:
    return json.dumps(values).encode().hex()


async def test_a_cursor_from_the_server_pages_on(api: Api, world: World) -> None:
    token = await api.login("admin")
    first = await api.ok(RESIDENTS, {"first": 3}, token=token)
    after = first["residents"]["pageInfo"]["endCursor"]
    second = await api.ok(RESIDENTS, {"first": 3, "after": after}, token=token)
    names = [e["node"]["name"] for e in first["residents"]["edges"] + second["residents"]["edges"]]
    assert names == sorted(names)
    assert len(set(names)) == 6


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!!",
        "",
        "////",
        cursor_of("not a list"),
        cursor_of(["only one value"]),
        cursor_of(["a name", "not-a-uuid"]),
        cursor_of(["a", "b", "c"]),
        b"\xff\xfe\xfd".hex(),
        "x" * 10_000,
    ],
    ids=[
        "garbage",
        "empty",
        "slashes",
        "not a list",
        "too short",
        "wrong types",
        "too long",
        "not utf-8",
        "huge",
    ],
)
async def test_a_cursor_the_server_did_not_issue_is_invalid_input(
    api: Api, world: World, cursor: str
) -> None:
    token = await api.login("admin")
    error = only_error(await api.post(RESIDENTS, {"first": 3, "after": cursor}, token=token))
    assert error["extensions"]["code"] == "INVALID_INPUT", error
    assert "after" in error["message"]
