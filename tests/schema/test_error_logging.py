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
    caplog: pytest.LogCaptureFixture, api: Api, query: str, token: str | None, **variables: Any
) -> dict[str, Any]:
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
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
