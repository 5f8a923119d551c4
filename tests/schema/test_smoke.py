from __future__ import annotations

from tests.api_client import Api
from tests.world import World


async def test_admin_lists_residents_with_households(api: Api, world: World) -> None:
    token = await api.login("admin")
    data = await api.ok(
        """{ residents(first: 50) { totalCount edges { node { name phone { value hiddenReason }
             household { building grid { name } } } } } }""",
        token=token,
    )
    assert data["residents"]["totalCount"] == 8
    names = [edge["node"]["name"] for edge in data["residents"]["edges"]]
    assert names == sorted(names)
