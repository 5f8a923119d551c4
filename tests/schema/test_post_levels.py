"""五级红色网格: each role holds posts only on its level of the grid tree.

包联社区干部, 网格长, 副网格长 and 网格员 on a grid; 红色微网格员 on a micro-grid. Any other
combination answers WRONG_GRID_LEVEL and stores nothing.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from domain.database import Database
from domain.models import GridLevel, GridPost, PostRole
from domain.services.posts import POST_LEVELS
from tests.api_client import Api
from tests.world import World

CREATE = """mutation($a: UUID!, $g: UUID!, $r: PostRole!) {
  createGridPost(accountId: $a, gridId: $g, role: $r) {
    __typename ... on GridPost { role } ... on Error { code message } } }"""

ON_A_GRID = ("CADRE", "GRID_CHIEF", "DEPUTY_CHIEF", "GRID_MEMBER")


def test_every_role_has_its_levels() -> None:
    assert set(POST_LEVELS) == set(PostRole)
    assert POST_LEVELS[PostRole.MICRO_GRID_MEMBER] == {GridLevel.MICRO_GRID}
    assert all(POST_LEVELS[PostRole[name]] == {GridLevel.GRID} for name in ON_A_GRID)


async def _posts(database: Database) -> int:
    async with database.read() as session:
        return int(await session.scalar(select(func.count(GridPost.id))) or 0)


@pytest.mark.parametrize(
    ("role", "right", "wrong"),
    [*((name, "G2", "M2a") for name in ON_A_GRID), ("MICRO_GRID_MEMBER", "M2a", "G2")],
)
async def test_a_role_is_refused_off_its_level_and_accepted_on_it(
    api: Api, world: World, database: Database, role: str, right: str, wrong: str
) -> None:
    admin = await api.login("admin")
    before = await _posts(database)
    variables = {"a": str(world.accounts["nopost"]), "r": role}
    refused = await api.ok(CREATE, {**variables, "g": str(world.grids[wrong])}, admin)
    assert refused["createGridPost"]["__typename"] == "RuleViolationError"
    assert refused["createGridPost"]["code"] == "WRONG_GRID_LEVEL"
    assert await _posts(database) == before

    accepted = await api.ok(CREATE, {**variables, "g": str(world.grids[right])}, admin)
    assert accepted["createGridPost"] == {"__typename": "GridPost", "role": role}
    assert await _posts(database) == before + 1
