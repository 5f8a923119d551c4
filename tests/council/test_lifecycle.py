"""The closed loop of the 长廊议事会, end to end through the API.

A resident raises a topic; putting it on a 议事会's agenda accepts it; deliberating records
the resolution; progress reports start the work and report it back at a 汇报会; closing
(销号) opens a rating window for its backers; once all have rated (or the window ends) an
average below the floor reopens it. Every step, and the rating's outcome, is in the topic's
history.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from domain.database import Database
from domain.models import Proposal, ProposalTransition
from tests.api_client import Api
from tests.council.helpers import (
    add_to_agenda,
    close,
    deliberate,
    raised_id,
    rate,
    report,
    resident_token,
    schedule,
    support,
    topic,
)
from tests.world import World

PENDING = "{ myPendingRatings { id } }"


async def test_a_topic_travels_from_raised_to_closed_and_is_reopened_by_poor_ratings(
    api: Api, world: World, database: Database
) -> None:
    raiser = await resident_token(api, world, "H1a-x")
    backer = await resident_token(api, world, "H1b-x")
    admin = await api.login("admin")

    pid = await raised_id(api, raiser, "3号楼门口停车难", description="晚上车位不够")
    assert (await support(api, backer, pid))["supportCount"] == 1

    meeting = await schedule(api, admin)
    added = await add_to_agenda(api, admin, meeting, pid)
    assert added["agenda"] == [{"position": 1, "proposalId": pid}]
    assert (await topic(api, raiser, pid, "status"))["status"] == "ACCEPTED"

    resolution = await deliberate(api, admin, meeting, pid, contact="物业王经理")
    assert resolution["__typename"] == "Resolution"
    assert (await topic(api, raiser, pid, "status"))["status"] == "DELIBERATED"

    assert (await report(api, admin, pid, 40))["percentDone"] == 40
    assert (await topic(api, raiser, pid, "status"))["status"] == "IN_PROGRESS"

    report_back = await schedule(api, admin, "REPORT_BACK")
    listed = await api.ok(
        """query($m: UUID!) { reportBack(meetingId: $m) { __typename ... on ReportBack {
             items { id resolution { contactName } progressReports { percentDone } } } } }""",
        {"m": report_back},
        raiser,
    )
    assert listed["reportBack"]["items"] == [
        {
            "id": pid,
            "resolution": {"contactName": "物业王经理"},
            "progressReports": [{"percentDone": 40}],
        }
    ]
    assert (await report(api, admin, pid, 100, report_back))["percentDone"] == 100
    assert (await topic(api, raiser, pid, "status"))["status"] == "REPORTED"

    closed = await close(api, admin, pid)
    assert closed == {"__typename": "Proposal", "status": "CLOSED", "closeRound": 1}
    assert (await api.ok(PENDING, token=raiser))["myPendingRatings"] == [{"id": pid}]
    assert (await api.ok(PENDING, token=backer))["myPendingRatings"] == [{"id": pid}]

    happy = await rate(api, raiser, pid, 5)
    assert happy["reopened"] is False
    assert happy["proposal"] == {"status": "CLOSED", "averageRating": None}  # not decided yet
    assert (await api.ok(PENDING, token=raiser))["myPendingRatings"] == []

    unhappy = await rate(api, backer, pid, 1)
    assert unhappy["reopened"] is False  # (5 + 1) / 2 = 3.0 is not below the floor 3.0
    assert unhappy["proposal"] == {"status": "CLOSED", "averageRating": 3.0}
    again = await rate(api, backer, pid, 1)
    assert again["code"] == "ALREADY_RATED"

    history = await topic(api, raiser, pid, "history { fromStatus toStatus reason actorName }")
    assert [step["toStatus"] for step in history["history"]] == [
        "SUBMITTED",
        "ACCEPTED",
        "DELIBERATED",
        "IN_PROGRESS",
        "REPORTED",
        "CLOSED",
        "CLOSED",  # the rating's outcome: kept closed
    ]
    assert history["history"][1]["actorName"] == "admin"
    assert "保持销号" in history["history"][-1]["reason"]

    async with database.read() as session:
        row = await session.scalar(select(Proposal).where(Proposal.id == uuid.UUID(pid)))
        transitions = await session.scalars(
            select(ProposalTransition).where(ProposalTransition.proposal_id == uuid.UUID(pid))
        )
        assert row is not None and row.close_round == 1
        assert len(list(transitions)) == 7


async def test_an_average_below_the_floor_reopens_the_item_with_the_numbers_as_reason(
    api: Api, world: World
) -> None:
    raiser = await resident_token(api, world, "H1a-x")
    admin = await api.login("admin")
    pid = await raised_id(api, raiser, "电梯经常坏")
    meeting = await schedule(api, admin)
    await add_to_agenda(api, admin, meeting, pid)
    await deliberate(api, admin, meeting, pid)
    await report(api, admin, pid, 50)
    report_back = await schedule(api, admin, "REPORT_BACK")
    await report(api, admin, pid, 100, report_back)
    await close(api, admin, pid)

    outcome = await rate(api, raiser, pid, 2)
    assert outcome["reopened"] is True
    assert outcome["proposal"]["status"] == "IN_PROGRESS"
    history = await topic(api, admin, pid, "history { toStatus reason actorName }")
    last = history["history"][-1]
    assert last["toStatus"] == "IN_PROGRESS"
    assert "2.00" in last["reason"] and "3" in last["reason"]
    assert last["actorName"] is None

    # a second round: reported again, closed again, rated afresh
    await report(api, admin, pid, 100, report_back)
    assert (await close(api, admin, pid))["closeRound"] == 2
    assert (await api.ok(PENDING, token=raiser))["myPendingRatings"] == [{"id": pid}]
    assert (await rate(api, raiser, pid, 4))["proposal"] == {
        "status": "CLOSED",
        "averageRating": 4.0,
    }


async def test_only_backers_rate_and_only_residents(api: Api, world: World) -> None:
    raiser = await resident_token(api, world, "H1a-x")
    stranger = await resident_token(api, world, "H2a-x")
    admin = await api.login("admin")
    pid = await raised_id(api, raiser, "楼道灯不亮")
    meeting = await schedule(api, admin)
    await add_to_agenda(api, admin, meeting, pid)
    await deliberate(api, admin, meeting, pid)
    await report(api, admin, pid, 100, await schedule(api, admin, "REPORT_BACK"))
    await close(api, admin, pid)

    assert (await rate(api, stranger, pid, 5))["code"] == "FORBIDDEN"
    assert (await rate(api, admin, pid, 5))["code"] == "NOT_ELIGIBLE"
    assert (await rate(api, raiser, pid, 6))["code"] == "INVALID_INPUT"
    assert (await api.ok(PENDING, token=stranger))["myPendingRatings"] == []
