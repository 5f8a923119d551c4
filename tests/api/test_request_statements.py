"""An authenticated page of residents costs two statements: the asker, then the page.

The principal (account, device, session, posts and the grid tree's version) is one
statement (``domain.services.principals``); the compiled read path answers the page in one
more. Before, the principal alone took two, the second reading every grid row.
"""

from __future__ import annotations

from domain.database import Database
from tests.api_client import Api
from tests.schema.test_statement_count import counting_statements
from tests.world import World

PAGE = """{ residents(first: 20) { edges { node { id name household { building grid { name } } } }
  pageInfo { hasNextPage } } }"""


async def test_a_page_of_residents_costs_the_asker_and_the_page(
    api: Api, world: World, database: Database
) -> None:
    for who in ("admin", "chief1"):
        token = await api.login(who)
        await api.ok(PAGE, token=token)  # the operation's text recognised, the tree kept
        with counting_statements(database) as seen:
            data = await api.ok(PAGE, token=token)
        assert data["residents"]["edges"]
        selects = [s for s in seen if s.lstrip().upper().startswith(("SELECT", "WITH"))]
        assert len(selects) == 2, (who, selects)
        assert all(table in selects[0] for table in ("refresh_token", "device", "grid_post"))
