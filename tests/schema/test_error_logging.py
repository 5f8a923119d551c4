"""Expected refusals are logged at info without a traceback; only bugs are errors.

FORBIDDEN, NOT_FOUND, INVALID_INPUT, a council rule (every ``DomainError``), and an invalid
document are the system working as designed: one info line with the code. An unexpected
exception stays an error with its traceback (tests/api/test_limits.py checks that one).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from api.logs import JsonFormatter
from domain.database import Database
from tests.api_client import Api
from tests.council.helpers import raise_topic, raised_id, resident_token, support
from tests.world import World


def _assert_info_only(caplog: pytest.LogCaptureFixture, code: str) -> None:
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert loud == [], [(r.name, r.levelname, r.getMessage()) for r in loud]
    assert all(r.exc_info is None for r in caplog.records)
    assert "Traceback" not in caplog.text
    refused = [r for r in caplog.records if r.name == "changlang.errors"]
    assert [r.levelno for r in refused] == [logging.INFO], refused
    assert code in refused[0].getMessage()


async def _logged(
    caplog: pytest.LogCaptureFixture,
    api: Api,
    query: str,
    token: str | None,
    level: int = logging.DEBUG,
    **variables: Any,
) -> dict[str, Any]:
    caplog.clear()
    with caplog.at_level(level):
        return await api.post(query, variables, token)


async def test_a_query_refused_as_forbidden_logs_one_info_line(
    api: Api, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    resident = await resident_token(api, world, "H1a-x")
    body = await _logged(caplog, api, "{ syncConflicts { id } }", resident)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    _assert_info_only(caplog, "FORBIDDEN")


async def test_a_query_without_login_logs_one_info_line(
    api: Api, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    body = await _logged(caplog, api, "{ syncConflicts { id } }", None)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    _assert_info_only(caplog, "UNAUTHENTICATED")


async def test_refused_mutations_log_their_code_at_info(
    api: Api, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    admin = await api.login("admin")
    resident = await resident_token(api, world, "H1a-x")
    backer = await resident_token(api, world, "H1b-x")
    pid = await raised_id(api, resident, "楼道灯不亮")
    await support(api, backer, pid)
    issue = """mutation($r: UUID!) { issueLoginCode(residentId: $r) {
                 __typename ... on Error { code } } }"""
    body = await _logged(caplog, api, issue, admin, r=str(uuid.uuid4()))
    assert body["data"]["issueLoginCode"]["code"] == "NOT_FOUND"
    _assert_info_only(caplog, "NOT_FOUND")

    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        assert (await raise_topic(api, resident, ""))["code"] == "INVALID_INPUT"
    _assert_info_only(caplog, "INVALID_INPUT")

    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        assert (await support(api, backer, pid))["code"] == "ALREADY_SUPPORTED"
    _assert_info_only(caplog, "ALREADY_SUPPORTED")


async def test_an_invalid_document_logs_one_info_line(
    api: Api, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    admin = await api.login("admin")
    body = await _logged(caplog, api, "{ noSuchField }", admin)
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert loud == [] and all(r.exc_info is None for r in caplog.records)


def _logged_text(caplog: pytest.LogCaptureFixture) -> str:
    """Every record as it would be written, JSON lines included (arguments and extras), at
    the level the server logs at (below it, drivers write their statements' parameters)."""
    formatter = JsonFormatter()
    return "\n".join(
        [
            caplog.text,
            *(formatter.format(r) for r in caplog.records),
            *(str(r.args) for r in caplog.records),
        ]
    )


async def test_a_syntax_error_logs_no_query_text_and_no_password(
    api: Api, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    query = (
        'mutation SignIn($d: String!) { login(username: "member1a", "S3cret-密码") { __typename } }'
    )
    caplog.clear()
    with caplog.at_level(logging.INFO):
        response = await api.client.post(
            "/graphql",
            json={"query": query, "variables": {"d": "web"}, "operationName": "SignIn"},
        )
    [error] = response.json()["errors"]
    assert "S3cret" in error["message"]  # the client still gets graphql-core's message
    logged = _logged_text(caplog)
    assert "S3cret" not in logged and "密码" not in logged and "member1a" not in logged
    [line] = [r.getMessage() for r in caplog.records if r.name == "changlang.errors"]
    assert "SignIn" in line and "syntax error" in line and "variables: d" in line


async def test_a_value_that_fails_to_coerce_is_not_logged(
    api: Api, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    admin = await api.login("admin")
    query = """mutation AddResident($h: UUID!, $f: ResidentFields!) {
        createResident(householdId: $h, fields: $f) { __typename } }"""
    fields = {"name": "王五", "phone": 13800000000, "idNumber": "110101199003077777"}
    body = await _logged(
        caplog, api, query, admin, logging.INFO, h=str(world.households["H1a"]), f=fields
    )
    assert "13800000000" in body["errors"][0]["message"]  # the client is told what was wrong
    logged = _logged_text(caplog)
    for value in ("13800000000", "110101199003077777", "王五"):
        assert value not in logged, value
    [line] = [r.getMessage() for r in caplog.records if r.name == "changlang.errors"]
    assert "AddResident" in line and "$f" in line and "variables: f, h" in line


async def test_a_refusal_logs_its_template_not_its_values(
    api: Api, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    admin = await api.login("admin")
    await api.ok(
        """mutation { createStaffAccount(username: "13911112222", password: "long-enough-pw",
             displayName: "张三") { __typename } }""",
        token=admin,
    )
    query = """mutation($u: String!) { createStaffAccount(username: $u,
        password: "long-enough-pw", displayName: "李四") { __typename ... on Error { code } } }"""
    body = await _logged(
        caplog, api, query, admin, logging.INFO, u="13911112222"
    )  # a phone as a username
    assert body["data"]["createStaffAccount"]["code"] == "CONFLICT"
    assert "13911112222" not in _logged_text(caplog)
    _assert_info_only(caplog, "CONFLICT")
    [line] = [r.getMessage() for r in caplog.records if r.name == "changlang.errors"]
    assert "the username {name} is taken" in line


async def test_a_failed_statement_s_error_names_no_values(database: Database) -> None:
    """What an unexpected database error's traceback would print: the SQL, not the values."""
    with pytest.raises(DBAPIError) as raised:
        async with database.transaction() as session:
            await session.execute(text("SELECT x FROM no_such_table WHERE x = :v"), {"v": "110101"})
    assert "110101" not in str(raised.value)
    assert "hidden due to hide_parameters" in str(raised.value)
