"""相似议题合并 and the lifecycle's guard rails.

Merging keeps every voice: each supporter and each known raiser of a merged topic supports
the target once. A topic already put to a vote is never merged. A refused change, of any
kind, leaves every council table exactly as it was.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from domain.database import Database
from domain.models import Electorate, Threshold, Vote
from tests.api_client import Api
from tests.council.helpers import (
    RESULT,
    add_to_agenda,
    box_topic,
    close,
    deliberate,
    mutate,
    raised_id,
    report,
    resident_token,
    schedule,
    support,
    topic,
)
from tests.world import World

COUNCIL_TABLES = (
    "proposal",
    "proposal_support",
    "proposal_transition",
    "agenda_item",
    "resolution",
    "progress_report",
    "rating",
)

MERGE = f"""mutation($t: UUID!, $s: [UUID!]!) {{ mergeProposals(targetId: $t, sourceIds: $s) {{
    {RESULT} ... on Proposal {{ supportCount mergedFrom {{ id status mergedIntoId }} }} }} }}"""


async def council_rows(db: Database) -> dict[str, list[str]]:
    async with db.read() as session:
        return {
            table: sorted(
                repr(tuple(row))
                for row in (await session.execute(text(f"SELECT * FROM {table}"))).all()
            )
            for table in COUNCIL_TABLES
        }


async def test_merging_keeps_every_supporter_once_and_links_back(api: Api, world: World) -> None:
    a = await resident_token(api, world, "H1a-x")
    b = await resident_token(api, world, "H1a-y")
    c = await resident_token(api, world, "H1b-x")
    target = await raised_id(api, a, "停车难")
    dup1 = await raised_id(api, b, "车位不够")
    dup2 = await raised_id(api, c, "晚上没地方停车")
    await support(api, c, dup1)  # c backs dup1 and raised dup2: counts once
    await support(api, a, dup1)  # a already raised the target: still one support row
    anonymous = await box_topic(api, world, "停车乱", "M1b")

    staff = await api.login("chief1")
    merged = await mutate(api, staff, MERGE, {"t": target, "s": [dup1, dup2, anonymous]})
    assert merged["__typename"] == "Proposal", merged
    assert merged["supportCount"] == 3  # a, b (raised dup1), c
    assert {m["id"] for m in merged["mergedFrom"]} == {dup1, dup2, anonymous}
    assert {(m["status"], m["mergedIntoId"]) for m in merged["mergedFrom"]} == {("MERGED", target)}
    assert (await support(api, b, dup1))["code"] == "NOT_OPEN"


async def test_a_topic_put_to_a_vote_cannot_be_merged(
    api: Api, world: World, database: Database
) -> None:
    resident = await resident_token(api, world, "H1a-x")
    target = await raised_id(api, resident, "停车难")
    voted = await raised_id(api, resident, "车位不够")
    async with database.transaction() as session:
        now = datetime.now(UTC)
        session.add(
            Vote(
                community_id=world.community,
                proposal_id=uuid.UUID(voted),
                electorate=Electorate.ADULT_RESIDENTS,
                electorate_size=10,
                opens_at=now,
                closes_at=now + timedelta(days=3),
                threshold=Threshold.SIMPLE_MAJORITY,
                secret=True,
                allow_change=False,
                hide_results_until_close=True,
                created_by_id=world.accounts["admin"],
            )
        )
    before = await council_rows(database)
    admin = await api.login("admin")
    refused = await mutate(api, admin, MERGE, {"t": target, "s": [voted]})
    assert (refused["__typename"], refused["code"]) == ("RuleViolationError", "ALREADY_PUT_TO_VOTE")
    assert await council_rows(database) == before


async def test_merges_that_make_no_sense_are_refused(
    api: Api, world: World, database: Database
) -> None:
    resident = await resident_token(api, world, "H1a-x")
    outsider = await resident_token(api, world, "HB-x")
    target = await raised_id(api, resident, "停车难")
    other = await raised_id(api, resident, "车位不够")
    foreign = await raised_id(api, outsider, "别的社区的停车")
    admin = await api.login("admin")
    before = await council_rows(database)
    assert (await mutate(api, admin, MERGE, {"t": target, "s": [target]}))["code"] == (
        "INVALID_INPUT"
    )
    assert (await mutate(api, admin, MERGE, {"t": target, "s": [foreign]}))["code"] == ("NOT_FOUND")
    assert (await mutate(api, resident, MERGE, {"t": target, "s": [other]}))["code"] == (
        "FORBIDDEN"
    )
    assert (await mutate(api, await api.login("chief2"), MERGE, {"t": target, "s": [other]}))[
        "code"
    ] == "FORBIDDEN"
    assert await council_rows(database) == before


async def test_invalid_transitions_are_typed_errors_that_change_nothing(
    api: Api, world: World, database: Database
) -> None:
    resident = await resident_token(api, world, "H1a-x")
    admin = await api.login("admin")
    pid = await raised_id(api, resident, "楼道灯不亮")
    report_back = await schedule(api, admin, "REPORT_BACK")
    before = await council_rows(database)

    assert (await close(api, admin, pid))["code"] == "INVALID_TRANSITION"
    assert (await report(api, admin, pid, 10))["code"] == "INVALID_TRANSITION"
    assert (await add_to_agenda(api, admin, report_back, pid))["code"] == "WRONG_MEETING_KIND"
    meeting = await schedule(api, admin)
    assert (await deliberate(api, admin, meeting, pid))["code"] == "NOT_ON_AGENDA"
    decline = f"""mutation($id: UUID!, $r: String!) {{ declineProposal(id: $id, reason: $r) {{
        {RESULT} ... on Proposal {{ status }} }} }}"""
    assert (await mutate(api, admin, decline, {"id": pid, "r": "  "}))["code"] == "INVALID_INPUT"
    assert await council_rows(database) == before

    declined = await mutate(api, admin, decline, {"id": pid, "r": "属于物业合同范围"})
    assert declined == {"__typename": "Proposal", "status": "DECLINED"}
    after_decline = await council_rows(database)
    assert (await add_to_agenda(api, admin, meeting, pid))["code"] == "INVALID_TRANSITION"
    assert (await support(api, resident, pid))["code"] == "NOT_OPEN"
    assert await council_rows(database) == after_decline
    history = await topic(api, resident, pid, "history { toStatus reason }")
    assert history["history"][-1] == {"toStatus": "DECLINED", "reason": "属于物业合同范围"}


async def test_the_raiser_or_the_admin_withdraws_a_topic(api: Api, world: World) -> None:
    raiser = await resident_token(api, world, "H1a-x")
    neighbour = await resident_token(api, world, "H1a-y")
    withdraw = f"""mutation($id: UUID!) {{ withdrawProposal(id: $id, reason: "已自行解决") {{
        {RESULT} ... on Proposal {{ status }} }} }}"""
    pid = await raised_id(api, raiser, "快递柜不够")
    assert (await mutate(api, neighbour, withdraw, {"id": pid}))["code"] == "FORBIDDEN"
    assert (await mutate(api, await api.login("chief1"), withdraw, {"id": pid}))["code"] == (
        "FORBIDDEN"
    )
    assert (await mutate(api, raiser, withdraw, {"id": pid}))["status"] == "WITHDRAWN"
    anonymous = await box_topic(api, world, "匿名的")
    assert (await mutate(api, raiser, withdraw, {"id": anonymous}))["code"] == "FORBIDDEN"
    admin = await api.login("admin")
    assert (await mutate(api, admin, withdraw, {"id": anonymous}))["status"] == "WITHDRAWN"
