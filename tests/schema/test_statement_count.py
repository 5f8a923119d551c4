"""No N+1: the SQL statements a request runs do not grow with the rows it returns.

A list of residents with their household, its micro-grid and grid, and its red grid contact's
account costs the same number of statements for 5 residents as for 500: every nested field
goes through a per-request DataLoader that fetches one batch per level.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from domain.database import Database
from domain.models import Household, Resident
from tests import api_client
from tests.api_client import Api, api_for
from tests.world import World

LARGE = 500
BIG_PAGE = 500

RESIDENTS = """query($first: Int!) { residents(first: $first) { totalCount edges { node {
  name phone { value } idNumber { value }
  household { building room { value }
              grid { name parent { name } }
              contact { role account { displayName } } } } } } }"""

HOUSEHOLDS = """query($first: Int!) { households(first: $first) { totalCount edges { node {
  building room { value }
  grid { name parent { name } }
  contact { role account { displayName } }
  residents { name phone { value } idNumber { value } household { building } } } } } }"""


# --- helpers ---------------------------------------------------------------------------------


@contextmanager
def counting_statements(db: Database) -> Iterator[list[str]]:
    """Every statement sent to the database; the reader and writer may be one engine."""
    statements: list[str] = []
    engines: dict[int, Engine] = {}
    for engine in (db.write_engine.sync_engine, db.read_engine.sync_engine):
        engines[id(engine)] = engine

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    for engine in engines.values():
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        for engine in engines.values():
            event.remove(engine, "before_cursor_execute", record)


async def statements_for(
    api: Api, db: Database, token: str, query: str, first: int, field: str, rows: int
) -> list[str]:
    with counting_statements(db) as statements:
        data = await api.ok(query, {"first": first}, token)
    assert len(data[field]["edges"]) == rows
    return list(statements)


async def add_households(db: Database, world: World, households: int) -> None:
    """Households spread over the three micro-grids of community A, two residents each, with
    contacts from three different posts (and some with none), straight through the ORM."""
    grids_and_contacts = [
        ("M1a", "member1a"),
        ("M1a", "chief1"),
        ("M1b", "chief1"),
        ("M2a", "chief2"),
        ("M2a", None),
    ]
    async with db.transaction() as session:
        for number in range(households):
            grid, contact = grids_and_contacts[number % len(grids_and_contacts)]
            household = Household(
                id=uuid.uuid4(),
                community_id=world.community,
                grid_id=world.grids[grid],
                building=f"B{number:03d}",
                unit="1",
                room="101",
                contact_post_id=world.posts[contact] if contact else None,
            )
            session.add(household)
            for person in "xy":
                session.add(
                    Resident(
                        community_id=world.community,
                        household_id=household.id,
                        name=f"R{number:03d}-{person}",
                        phone=f"139{number:04d}{ord(person):04d}",
                        tags=[],
                        party_member=False,
                    )
                )
        await session.flush()


def report(label: str, small: list[str], large: list[str], dialect: str) -> None:
    print(f"\n[{dialect}] {label}: {len(small)} statements small, {len(large)} large")


@pytest.fixture
async def big_page_api(database: Database) -> AsyncIterator[Api]:
    settings = api_client.test_settings(max_page_size=BIG_PAGE, max_query_cost=10_000_000)
    client = api_for(database, settings)
    try:
        yield client
    finally:
        await client.client.aclose()


# --- the tests -------------------------------------------------------------------------------


async def test_listing_500_residents_with_their_households_costs_what_listing_5_costs(
    big_page_api: Api, world: World, database: Database, dialect: str
) -> None:
    api = big_page_api
    token = await api.login("admin")
    await api.ok(RESIDENTS, {"first": 5}, token)  # warm up engines and connections
    small = await statements_for(api, database, token, RESIDENTS, 5, "residents", 5)

    existing = 8  # community A's residents in tests/world.py
    await add_households(database, world, (LARGE - existing) // 2)
    large = await statements_for(api, database, token, RESIDENTS, LARGE, "residents", LARGE)

    report("residents with household, grid, parent grid, contact account", small, large, dialect)
    assert len(large) == len(small), "\n".join(large)


async def test_listing_250_households_with_their_residents_costs_what_listing_3_costs(
    big_page_api: Api, world: World, database: Database, dialect: str
) -> None:
    api = big_page_api
    token = await api.login("admin")
    await api.ok(HOUSEHOLDS, {"first": 3}, token)
    small = await statements_for(api, database, token, HOUSEHOLDS, 3, "households", 3)

    await add_households(database, world, 246)
    large = await statements_for(api, database, token, HOUSEHOLDS, 250, "households", 250)

    report("households with residents, grid, parent grid, contact account", small, large, dialect)
    assert len(large) == len(small), "\n".join(large)


async def test_a_grid_worker_s_list_costs_the_same_however_many_rows_they_cover(
    big_page_api: Api, world: World, database: Database, dialect: str
) -> None:
    """Staff principals carry their covered grid ids into every statement; still no N+1."""
    api = big_page_api
    token = await api.login("chief1")
    await api.ok(RESIDENTS, {"first": 5}, token)
    small = await statements_for(api, database, token, RESIDENTS, 5, "residents", 5)

    await add_households(database, world, 400)
    # 400 households: 240 of them in G1's micro-grids, two residents each, plus 6 from the world
    large = await statements_for(api, database, token, RESIDENTS, BIG_PAGE, "residents", 486)

    report("residents of a grid chief", small, large, dialect)
    assert len(large) == len(small), "\n".join(large)


GRID_TREE = """query($first: Int!) { grids { name households(first: $first) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { node { building residents { name } } } } } }"""


async def test_a_tree_of_grids_with_a_page_of_households_each_costs_what_a_small_tree_costs(
    big_page_api: Api, world: World, database: Database, dialect: str
) -> None:
    """``Grid.households`` under ``grids``: one page query for every node, counts batched."""
    api = big_page_api
    token = await api.login("admin")
    await api.ok(GRID_TREE, {"first": 2}, token)
    with counting_statements(database) as small:
        before = await api.ok(GRID_TREE, {"first": 2}, token)
    await add_households(database, world, 200)
    with counting_statements(database) as large:
        after = await api.ok(GRID_TREE, {"first": 100}, token)
    report("grids with households and residents", small, large, dialect)
    assert len(large) == len(small), "\n".join(large)

    totals = {grid["name"]: grid["households"]["totalCount"] for grid in before["grids"]}
    pages = {grid["name"]: grid["households"] for grid in after["grids"]}
    added = {"M1a": 80, "M1b": 40, "M2a": 80, "G1": 120, "G2": 80}  # add_households' spread
    for name, more in added.items():
        assert pages[name]["totalCount"] == totals[name] + more, name
        assert len(pages[name]["edges"]) == min(100, totals[name] + more), name
        assert pages[name]["pageInfo"]["hasNextPage"] == (totals[name] + more > 100), name
    micro = [e["node"]["building"] for e in pages["M1a"]["edges"]]
    assert micro[:3] == sorted(micro)[:3] and len(set(micro)) == len(micro)
    tree = {e["node"]["building"] for e in pages["G1"]["edges"]}
    assert set(micro) & tree, "a grid's page holds its micro-grids' households"
    assert all(len(e["node"]["residents"]) >= 1 for e in pages["M1a"]["edges"])
