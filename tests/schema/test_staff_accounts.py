"""The secretary's staff list (staffAccounts) and the viewer's community name, on both
databases: every staff account with its posts, contacts without posts included, other
communities' never; admin only; two statements however many accounts."""

from __future__ import annotations

from domain.credentials import hash_password
from domain.database import Database
from domain.services.accounts import create_staff_account
from tests.api_client import Api
from tests.schema.test_statement_count import counting_statements
from tests.world import World

STAFF = """{ staffAccounts { id username displayName kind disabled
  posts { role grid { name } } } }"""
COMMUNITY = "{ viewer { communityName } }"


async def _add_contacts(database: Database, world: World, count: int) -> None:
    password_hash = hash_password("unused-password")
    async with database.transaction() as session:
        for number in range(count):
            await create_staff_account(
                session,
                world.community,
                username=f"contact{number}",
                password="unused-password",
                display_name=f"物业{number}",
                password_hash=password_hash,
            )


async def test_the_admin_lists_staff_with_their_posts_and_contacts_without(
    api: Api, world: World, database: Database
) -> None:
    await _add_contacts(database, world, 1)
    admin = await api.login("admin")
    found = {a["username"]: a for a in (await api.ok(STAFF, token=admin))["staffAccounts"]}
    assert "admin-b" not in found  # another community's admin
    assert found["admin"]["kind"] == "ADMIN"
    assert [(p["role"], p["grid"]["name"]) for p in found["chief1"]["posts"]] == [
        ("GRID_CHIEF", "G1")
    ]
    assert found["contact0"]["posts"] == [] and found["contact0"]["displayName"] == "物业0"
    assert all(a["kind"] in ("ADMIN", "STAFF") for a in found.values())


async def test_staff_may_not_list_the_staff(api: Api, world: World) -> None:
    chief = await api.login("chief1")
    body = await api.post(STAFF, token=chief)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = await api.post(STAFF)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_every_signed_in_viewer_reads_their_community_name(api: Api, world: World) -> None:
    for username in ("admin", "chief1"):
        token = await api.login(username)
        assert (await api.ok(COMMUNITY, token=token))["viewer"]["communityName"] == "浩宇苑社区"


async def test_the_staff_list_costs_the_same_statements_for_more_accounts(
    api: Api, world: World, database: Database
) -> None:
    admin = await api.login("admin")
    with counting_statements(database) as few:
        await api.ok(STAFF, token=admin)
    await _add_contacts(database, world, 30)
    with counting_statements(database) as many:
        result = await api.ok(STAFF, token=admin)
    assert len(result["staffAccounts"]) > 30
    assert len(many) == len(few)
