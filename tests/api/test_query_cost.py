"""An operation estimated to cost more than ``CHANGLANG_MAX_QUERY_COST`` is refused before it
runs, with its cost and the limit; one that runs past ``CHANGLANG_OPERATION_TIMEOUT_SECONDS``
is stopped, with a typed error, and writes nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from graphql import parse

from api.settings import Settings
from domain.database import Database
from domain.models import Resident
from domain.services import residents
from schema import SchemaLimits, build_schema, reads
from schema.query_cost import estimate
from sync.collections import COLLECTIONS
from sync.replication import MAX_LIMIT
from tests.api.test_limits import CREATE_RESIDENT, count, only_error, residents_in, server
from tests.api_client import api_for
from tests.api_client import test_settings as settings_with
from tests.sync.client import pull_query
from tests.world import World

NESTED = "edges { node { residents { name } } }"
HOUSEHOLDS = "{ households(first: 100) { edges { node { id residents { name } } } } }"


def aliased_households(aliases: int) -> str:
    fields = " ".join(f"h{i}: households(first: 100) {{ {NESTED} }}" for i in range(aliases))
    return "{ " + fields + " }"


def cost_of(query: str, variables: dict[str, Any] | None = None, max_page_size: int = 100) -> int:
    built = build_schema(SchemaLimits(max_page_size=max_page_size))
    return estimate(built._schema, parse(query), built.checks.cost, None, variables)


@pytest.fixture
def reads_seen(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    seen: list[Any] = []
    original = reads.list_households

    async def spy(*args: Any) -> Any:
        seen.append(args)
        return await original(*args)

    monkeypatch.setattr(reads, "list_households", spy)
    return seen


async def test_thirty_aliased_pages_of_households_are_refused_before_reading_a_row(
    database: Database, world: World, reads_seen: list[Any]
) -> None:
    query = aliased_households(30)
    cost = cost_of(query)
    async with server(database) as api:
        token = await api.login("admin")
        body = await api.post(query, token=token)
    error = only_error(body)
    assert error["extensions"] == {"code": "QUERY_TOO_COSTLY", "cost": cost, "limit": 50_000}
    assert error["message"] == f"the operation's estimated cost {cost} exceeds the limit 50000"
    assert body.get("data") is None
    assert reads_seen == []


async def test_the_refusal_is_in_chinese_by_default(database: Database, world: World) -> None:
    api = api_for(database, settings_with(max_query_cost=1_000))
    try:
        token = await api.login("admin")
        body = await api.post(HOUSEHOLDS, token=token)
    finally:
        await api.client.aclose()
    cost = cost_of(HOUSEHOLDS)
    assert only_error(body)["message"] == f"操作的预估开销 {cost} 超过上限 1000"


async def test_an_operation_at_the_limit_runs_and_one_over_is_refused(
    database: Database, world: World
) -> None:
    cost = cost_of(HOUSEHOLDS)
    async with server(database, max_query_cost=cost) as at_limit:
        token = await at_limit.login("admin")
        assert await at_limit.ok(HOUSEHOLDS, token=token)
    async with server(database, max_query_cost=cost - 1) as over:
        body = await over.post(HOUSEHOLDS, token=token)
    assert only_error(body)["extensions"]["code"] == "QUERY_TOO_COSTLY"


async def test_page_sizes_given_in_variables_count(database: Database, world: World) -> None:
    query = "query($n: Int) { households(first: $n) { edges { node { residents { name } } } } }"
    limit = cost_of(query, {"n": 10})
    assert cost_of(query, {"n": 11}) > limit
    async with server(database, max_query_cost=limit) as api:
        token = await api.login("admin")
        assert await api.ok(query, {"n": 10}, token=token)
        body = await api.post(query, {"n": 11}, token=token)
    assert only_error(body)["extensions"]["cost"] == cost_of(query, {"n": 11})


def test_the_estimate_multiplies_page_sizes_along_the_path() -> None:
    one = cost_of("{ households(first: 10) { edges { node { id } } } }")
    assert one == 10 * (1 + 1 * (1 + 1 * (1 + 1)))  # households, edges (paged), node, id
    nested = cost_of("{ households(first: 10) { edges { node { residents { name } } } } }")
    assert nested == 10 * (1 + (1 + (1 + 20 * (1 + 1))))  # a plain list counts one page
    assert cost_of("{ households { totalCount } }") == 20 * 2  # no first: the default page
    assert cost_of("{ households(first: 100000) { totalCount } }") == 100 * 2  # as refused
    assert cost_of("{ households(first: 5) { totalCount } }", max_page_size=3) == 3 * 2


def test_fragments_count_where_they_are_spread() -> None:
    inline = cost_of("{ households(first: 10) { edges { node { id residents { name } } } } }")
    spread = cost_of(
        "{ households(first: 10) { ...H } } fragment H on HouseholdConnection "
        "{ edges { node { ...N } } } fragment N on Household { id residents { name } }"
    )
    assert spread == inline
    twice = cost_of(
        "{ a: households(first: 10) { ...H } b: households(first: 10) { ...H } }"
        " fragment H on HouseholdConnection { totalCount }"
    )
    assert twice == 2 * 10 * 2


def test_introspection_is_free_so_graphiql_works() -> None:
    from graphql import get_introspection_query

    assert cost_of(get_introspection_query()) < 100


@pytest.mark.parametrize("collection", sorted(COLLECTIONS))
def test_a_full_sync_pull_of_the_largest_page_is_within_the_default_limit(collection: str) -> None:
    cost = cost_of(pull_query(collection), {"checkpoint": None, "limit": MAX_LIMIT})
    assert cost <= Settings().max_query_cost


async def test_an_operation_past_its_time_budget_is_stopped_with_a_typed_error(
    database: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def stuck(*_args: Any) -> Any:
        await asyncio.sleep(60)

    async with server(database) as unbounded:  # a login may take longer than the budget
        token = await unbounded.login("admin")
    # the general executor's budget (the compiled path, which declines past it, is off)
    async with server(database, operation_timeout_seconds=0.2, compiled_reads=False) as api:
        monkeypatch.setattr(reads, "list_households", stuck)
        body = await api.post("{ households { totalCount } }", token=token)
        after = await api.post("{ viewer { kind } }", token=token)
    error = only_error(body)
    assert error["extensions"] == {"code": "OPERATION_TIMED_OUT", "seconds": 0.2}
    assert error["message"] == "the operation ran longer than 0.2 seconds and was stopped"
    assert body.get("data") is None
    assert after == {"data": {"viewer": {"kind": "ADMIN"}}}


async def test_a_mutation_stopped_by_its_time_budget_writes_nothing(
    database: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = residents.create_resident

    async def written_then_stuck(*args: Any, **kwargs: Any) -> Any:
        row = await original(*args, **kwargs)
        await asyncio.sleep(60)
        return row

    household = world.households["H1a"]
    before = await residents_in(database, household)
    total = await count(database, Resident.id)
    async with server(database) as unbounded:
        token = await unbounded.login("admin")
    api = api_for(database, settings_with(operation_timeout_seconds=0.3))
    try:
        monkeypatch.setattr(residents, "create_resident", written_then_stuck)
        body = await api.post(CREATE_RESIDENT, {"h": str(household), "name": "新居民"}, token)
    finally:
        await api.client.aclose()
    assert only_error(body)["message"] == "操作运行超过 0.3 秒，已被中止"
    assert await residents_in(database, household) == before
    assert await count(database, Resident.id) == total
