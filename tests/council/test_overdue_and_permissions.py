"""逾期督办 up the red grid chain, and who may do what with the council.

Overdue items reach the grid chief from the first day, the cadre after 7 days, the admin
after 14 (SchemaConfig.escalation_days). Residents raise, support, rate and read; staff run
meetings and follow-up only for topics in grids they cover; another community's ids answer
like unknown ones.
"""

from __future__ import annotations

from datetime import date, timedelta

from domain.database import Database
from domain.models import GridPost, PostRole
from tests.api_client import Api
from tests.council.helpers import (
    RESULT,
    add_to_agenda,
    mutate,
    raised_id,
    report,
    resident_token,
    schedule,
    to_deliberated,
    topic,
)
from tests.world import World

QUEUE = "{ overdueQueue { daysOverdue level proposal { title } resolution { deadline } } }"


async def test_overdue_items_climb_from_grid_chief_to_cadre_to_admin(
    api: Api, world: World, database: Database
) -> None:
    async with database.transaction() as session:
        session.add(
            GridPost(
                community_id=world.community,
                account_id=world.accounts["nopost"],
                grid_id=world.grids["G1"],
                role=PostRole.CADRE,
            )
        )
    resident = await resident_token(api, world, "H1a-x")
    admin = await api.login("admin")
    today = date.today()
    for title, days in (("一天", 1), ("八天", 8), ("二十天", 20), ("今天到期", 0)):
        pid = await raised_id(api, resident, title)
        await to_deliberated(api, admin, pid, deadline=today - timedelta(days=days))
        if title == "八天":
            await report(api, admin, pid, 30)  # in progress is still overdue

    async def queue(token: str | None) -> list[tuple[str, int, str]]:
        items = (await api.ok(QUEUE, token=token))["overdueQueue"]
        return [(i["proposal"]["title"], i["daysOverdue"], i["level"]) for i in items]

    assert await queue(await api.login("chief1")) == [
        ("二十天", 20, "ADMIN"),
        ("八天", 8, "CADRE"),
        ("一天", 1, "GRID_CHIEF"),
    ]
    assert await queue(await api.login("nopost")) == [
        ("二十天", 20, "ADMIN"),
        ("八天", 8, "CADRE"),
    ]
    assert await queue(admin) == [("二十天", 20, "ADMIN")]
    assert await queue(await api.login("chief2")) == []
    assert await queue(await api.login("member1a")) == []
    body = await api.post(QUEUE, token=resident)
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_staff_work_only_on_topics_in_grids_they_cover(api: Api, world: World) -> None:
    resident = await resident_token(api, world, "H1a-x")
    pid = await raised_id(api, resident, "3号楼漏水", category="REPAIRS")  # located in M1a
    chief1, chief2 = await api.login("chief1"), await api.login("chief2")

    assert (
        await add_to_agenda(
            api, chief2, await schedule(api, chief2, grid_id=str(world.grids["G2"])), pid
        )
    )["code"] == "FORBIDDEN"
    refused = await mutate(
        api,
        chief2,
        f"""mutation {{ scheduleMeeting(kind: DELIBERATION, title: "全社区", place: "广场",
             startsAt: "2030-01-01T10:00:00+08:00") {{ {RESULT} }} }}""",
        {},
    )
    assert refused["code"] == "FORBIDDEN"  # a community-wide meeting is the admin's
    own = await schedule(api, chief1, grid_id=str(world.grids["G1"]))
    assert (await add_to_agenda(api, chief1, own, pid))["__typename"] == "Meeting"
    assert (await topic(api, resident, pid, "status"))["status"] == "ACCEPTED"


async def test_residents_cannot_run_the_council(api: Api, world: World) -> None:
    resident = await resident_token(api, world, "H1a-x")
    pid = await raised_id(api, resident, "绿化带被占")
    assert (await report(api, resident, pid, 10))["code"] == "FORBIDDEN"
    decline = (
        f"""mutation($id: UUID!) {{ declineProposal(id: $id, reason: "不行") {{ {RESULT} }} }}"""
    )
    assert (await mutate(api, resident, decline, {"id": pid}))["code"] == "FORBIDDEN"
    refused = await mutate(
        api,
        resident,
        f"""mutation {{ scheduleMeeting(kind: DELIBERATION, title: "x", place: "y",
             startsAt: "2030-01-01T10:00:00+08:00") {{ {RESULT} }} }}""",
        {},
    )
    assert refused["code"] == "FORBIDDEN"
    body = await api.post("{ ledger { totalCount } }", token=resident)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_topic_without_a_location_is_the_admins(api: Api, world: World) -> None:
    pid = await raised_id(api, await api.login("admin"), "会上提出的建议", source="MEETING")
    decline = (
        f"""mutation($id: UUID!) {{ declineProposal(id: $id, reason: "重复") {{ {RESULT} }} }}"""
    )
    assert (await mutate(api, await api.login("chief1"), decline, {"id": pid}))["code"] == (
        "FORBIDDEN"
    )
    assert (await mutate(api, await api.login("admin"), decline, {"id": pid}))["__typename"] == (
        "Proposal"
    )


async def test_another_communitys_topics_and_meetings_are_unknown(api: Api, world: World) -> None:
    resident = await resident_token(api, world, "H1a-x")
    pid = await raised_id(api, resident, "停车难")
    meeting = await schedule(api, await api.login("admin"))
    for who in ("admin-b", "staff-b"):
        token = await api.login(who)
        assert (await topic(api, token, pid, "id"))["code"] == "NOT_FOUND"
        seen = await api.ok(
            f"query($m: UUID!) {{ meeting(id: $m) {{ {RESULT} }} }}", {"m": meeting}, token
        )
        assert seen["meeting"]["code"] == "NOT_FOUND"
        assert (await add_to_agenda(api, token, meeting, pid))["code"] == "NOT_FOUND"
        listed = await api.ok("{ proposals { totalCount } meetings { id } }", token=token)
        assert listed == {"proposals": {"totalCount": 0}, "meetings": []}
    neighbour = await resident_token(api, world, "H2a-x")
    listed = await api.ok("{ proposals { edges { node { id } } } }", token=neighbour)
    assert listed["proposals"]["edges"] == [{"node": {"id": pid}}]
    body = await api.post("{ proposals { totalCount } }")
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_the_escalation_days_are_the_community_s_settings(api: Api, world: World) -> None:
    resident = await resident_token(api, world, "H1a-x")
    admin = await api.login("admin")
    pid = await raised_id(api, resident, "三天")
    await to_deliberated(api, admin, pid, deadline=date.today() - timedelta(days=3))
    chief = await api.login("chief1")

    async def levels(token: str) -> list[str]:
        return [item["level"] for item in (await api.ok(QUEUE, token=token))["overdueQueue"]]

    assert await levels(chief) == ["GRID_CHIEF"]
    assert await levels(admin) == []
    changed = await mutate(
        api,
        admin,
        """mutation { updateCommunitySettings(input: {escalationToCadreDays: 2,
             escalationToAdminDays: 3}) { __typename } }""",
        {},
    )
    assert changed == {"__typename": "CommunitySettings"}
    assert await levels(chief) == ["ADMIN"]
    assert await levels(admin) == ["ADMIN"]
