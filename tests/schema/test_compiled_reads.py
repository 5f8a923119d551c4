"""The compiled read path answers as the general executor does, in one statement per field.

Hand-written operations over the test world, as every role; the generated ones are in
``test_compiled_reads_differential.py``. Each is asked of an app with the compiled path and
of one without it, and the answers must be equal (key order included), and the compiled app
must have answered it itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from sqlalchemy import update

from domain.database import Database
from domain.models import Household, Resident
from tests import api_client
from tests.api_client import Api, api_for
from tests.schema.test_statement_count import add_households, counting_statements
from tests.world import World

RESIDENT_FIELDS = """id name householdId phone { value hiddenReason }
  idNumber { value hiddenReason } birthYear tags partyMember politicalStatus gender
  relationToHead updatedAt __typename"""
HOUSEHOLD_FIELDS = """id building unit room { value hiddenReason } gridId contactPostId updatedAt"""

OPERATIONS = [
    f"{{ residents(first: 5) {{ totalCount edges {{ cursor node {{ {RESIDENT_FIELDS}"
    f" household {{ {HOUSEHOLD_FIELDS} grid {{ name level parent {{ name }} }} }} }} }}"
    " pageInfo { hasNextPage hasPreviousPage startCursor endCursor __typename } } }",
    f"{{ households(first: 3) {{ edges {{ node {{ {HOUSEHOLD_FIELDS} residents {{ name"
    " phone { value } } contact { role gridId grid { name } account { displayName kind } }"
    " } } pageInfo { hasNextPage endCursor } } }",
    "{ grids { id name level parentId sortOrder updatedAt parent { name } children { name }"
    " households(first: 2) { totalCount edges { node { building residents { name } } }"
    " pageInfo { hasNextPage endCursor } } } }",
    "query Tree { a: grids { n: name } __typename b: households { totalCount } }",
    "{ viewer { accountId displayName kind residentId householdId deviceId communityName"
    " household { building residents { name } } posts { role grid { name } } __typename }"
    " households(first: 1) { totalCount } }",
    "fragment R on Resident { name phone { value } } { residents(first: 50) { edges { node {"
    " ...R household { ... on Household { building } } } } } }",
]


@pytest.fixture
async def both(database: Database) -> AsyncIterator[tuple[Api, Api, Any]]:
    settings = api_client.test_settings(max_query_cost=10_000_000)
    compiled = api_for(database, settings)
    general = api_for(database, api_client.test_settings(compiled_reads=False))
    app = compiled.client._transport.app  # type: ignore[attr-defined]
    try:
        yield compiled, general, app.state.compiled_reads
    finally:
        await compiled.client.aclose()
        await general.client.aclose()


def ordered(body: dict[str, Any]) -> bytes:
    return orjson.dumps(body)


@pytest.mark.parametrize("login", ["admin", "chief1", "member1a", "resident"])
async def test_hand_written_operations_answer_alike(
    both: tuple[Api, Api, Any], world: World, login: str
) -> None:
    compiled, general, reads = both
    token = await general.login(login) if login != "resident" else await _resident(general, world)
    for operation in OPERATIONS:
        before = reads.answered
        ours = await compiled.post(operation, {}, token)
        theirs = await general.post(operation, {}, token)
        assert ordered(ours) == ordered(theirs), operation
        assert reads.answered == before + 1, operation


async def _resident(api: Api, world: World) -> str:
    """H1a-x logs in with a login code: a resident sees their household only."""
    admin = await api.login("admin")
    issued = await api.ok(
        "mutation($r: UUID!) { issueLoginCode(residentId: $r) { ... on LoginCode { code } } }",
        {"r": str(world.residents["H1a-x"])},
        admin,
    )
    session = await api.ok(
        "mutation($c: String!) { loginWithCode(code: $c) { ... on AuthSession { accessToken } } }",
        {"c": issued["issueLoginCode"]["code"]},
    )
    return str(session["loginWithCode"]["accessToken"])


async def test_a_page_is_one_statement_after_the_principal(
    both: tuple[Api, Api, Any], world: World, database: Database
) -> None:
    compiled, _, _ = both
    token = await compiled.login("admin")
    await add_households(database, world, 100)
    await compiled.ok(OPERATIONS[0], {}, token)
    with counting_statements(database) as statements:
        await compiled.ok(OPERATIONS[0].replace("first: 5", "first: 100"), {}, token)
    sent = [s for s in statements if s != "BEGIN"]
    page = [s for s in sent if "json" in s.lower()]
    assert len(page) == 1, statements
    assert len(sent) == 2, sent  # the principal (account, session, posts) and the page


async def test_past_its_time_budget_the_compiled_path_hands_over_to_the_general_one(
    database: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from schema.compiled import roots

    async def stuck(*_args: Any) -> Any:
        await asyncio.sleep(60)

    api = api_for(database, api_client.test_settings(operation_timeout_seconds=0.3))
    reads = api.client._transport.app.state.compiled_reads  # type: ignore[attr-defined]
    try:
        token = await api.login("admin")
        monkeypatch.setitem(roots.ROOTS, "households", (stuck, False))
        before = (reads.answered, reads.declined)
        body = await api.ok("{ households { totalCount } }", token=token)
    finally:
        await api.client.aclose()
    assert body == {"households": {"totalCount": 4}}
    assert (reads.answered, reads.declined) == (before[0], before[1] + 1)


async def test_what_it_does_not_cover_goes_to_the_general_executor(
    both: tuple[Api, Api, Any], world: World
) -> None:
    compiled, general, reads = both
    token = await compiled.login("chief1")
    declined = [
        "{ residents { edges { node { name } } } coverage { covered } }",  # another root field
        "{ residents(first: 1) { edges { node { name @include(if: true) } } } }",  # directive
        "{ residents(first: -1) { totalCount } }",  # refused argument
        '{ residents(after: "zz") { totalCount } }',  # not a cursor
        '{ resident(id: "00000000-0000-0000-0000-000000000000") { __typename } }',  # not found
        "{ grids { name name: id } }",  # one key twice
        "mutation { logout { __typename } }",
    ]
    for operation in declined:
        before = reads.answered
        assert ordered(await compiled.post(operation, {}, token)) == ordered(
            await general.post(operation, {}, token)
        ), operation
        assert reads.answered == before, operation


async def test_odd_text_and_values_come_out_alike_and_cursors_page_on_either_path(
    both: tuple[Api, Api, Any], world: World, database: Database
) -> None:
    """Quotes, backslashes, emoji and markup in names (JSON escaping, cursors), a landline
    phone (its mask), a time with no fraction (its ISO form), a household with no
    residents, and a cursor from one path paging on through the other."""
    compiled, general, reads = both
    async with database.transaction() as session:
        household = Household(
            community_id=world.community,
            grid_id=world.grids["M1a"],
            building='A"座\\',
            unit="1",
            room="1001",
        )
        session.add(household)
        session.add(
            Household(
                community_id=world.community,
                grid_id=world.grids["M1b"],
                building="空",
                unit="1",
                room="1",
            )
        )
        await session.flush()
        for n, name in enumerate(['O\'Brien "张"', "back\\slash", "😀王", "</script>李"]):
            resident = Resident(
                community_id=world.community,
                household_id=household.id,
                name=name,
                phone="010-12345678" if n % 2 else None,
                tags=["高龄老人"],
                party_member=bool(n % 2),
            )
            session.add(resident)
        await session.flush()
        await session.execute(
            update(Resident)
            .where(Resident.household_id == household.id)
            .values(updated_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
        )
    token = await compiled.login("admin")
    page = """query($after: String) { residents(first: 3, after: $after) { edges { cursor
      node { name phone { value hiddenReason } updatedAt household { building } } }
      pageInfo { hasNextPage startCursor endCursor } } households(first: 50) {
      edges { node { building residents { name } } } } }"""
    after = None
    seen = 0
    while True:
        ours = await compiled.post(page, {"after": after}, token)
        theirs = await general.post(page, {"after": after}, token)
        assert ordered(ours) == ordered(theirs), after
        info = ours["data"]["residents"]["pageInfo"]
        seen += len(ours["data"]["residents"]["edges"])
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
        # the general path's next page from the compiled path's cursor, and back
        swapped = await general.post(page, {"after": after}, token)
        assert ordered(swapped) == ordered(await compiled.post(page, {"after": after}, token))
    assert seen == 12
    assert reads.answered == 4 + 3  # four pages, and three asked again with a swapped cursor


async def test_a_selection_too_deep_for_the_engine_to_parse_is_handed_over(
    both: tuple[Api, Api, Any], world: World
) -> None:
    """Seven objects deep, the statement passes SQLite's parser stack ("parser stack
    overflow"): the general executor answers, where the compiled path raised a 500."""
    compiled, general, _ = both
    token = await compiled.login("admin")
    operation = (
        "query($h: UUID!) { household(id: $h) { ... on Household { contact { grid {"
        " children { children { children { id } } } } } } } }"
    )
    variables = {"h": str(world.households["H1a"])}
    ours = await compiled.post(operation, variables, token)
    assert ordered(ours) == ordered(await general.post(operation, variables, token))
    assert ours == {"data": {"household": {"contact": {"grid": {"children": []}}}}}


async def test_an_empty_page_has_no_start_cursor(both: tuple[Api, Api, Any], world: World) -> None:
    """``first: 0`` reads one row to know whether more follow; its cursor is not the page's."""
    compiled, general, reads = both
    token = await compiled.login("admin")
    operation = """{ residents(first: 0) { pageInfo { startCursor endCursor hasNextPage } }
      grids { households(first: 0) { pageInfo { startCursor hasNextPage } } } }"""
    before = reads.answered
    ours = await compiled.post(operation, {}, token)
    assert ordered(ours) == ordered(await general.post(operation, {}, token))
    assert ours["data"]["residents"]["pageInfo"]["startCursor"] is None
    assert reads.answered == before + 1


async def test_a_phone_of_fullwidth_digits_is_masked_alike(
    both: tuple[Api, Api, Any], world: World, database: Database
) -> None:
    """``str.isdigit`` takes ``１３８…`` for eleven digits, the SQL mask does not: both paths now
    mask such a phone (left by an old import; the API refuses it) as any other text."""
    compiled, general, reads = both
    async with database.transaction() as session:
        session.add(
            Resident(
                community_id=world.community,
                household_id=world.households["H1a"],
                name="全角",
                phone="１３８００００１１１１",
            )
        )
    token = await compiled.login("admin")
    operation = '{ residents(filter: {search: "全角"}) { edges { node { phone { value } } } } }'
    before = reads.answered
    ours = await compiled.post(operation, {}, token)
    assert ordered(ours) == ordered(await general.post(operation, {}, token))
    [edge] = ours["data"]["residents"]["edges"]
    assert edge == {"node": {"phone": {"value": "１３８００００****"}}}
    assert reads.answered == before + 1
