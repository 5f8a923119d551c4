"""议事 and 汇报 happen at the meeting: refused before it starts, dated at its start.

A deliberation for a meeting next month, or a report-back at a 汇报会 still to come, answers
MEETING_NOT_STARTED and changes nothing. Once the meeting has begun, the topic's history
entry takes the meeting's start time, unless that would put it before the topic's previous
entry (then it takes the time it is recorded).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from domain.database import Database
from domain.models import ProgressReport, ProposalTransition, Resolution
from tests.api_client import Api
from tests.council.helpers import (
    add_to_agenda,
    deliberate,
    raised_id,
    report,
    resident_token,
    schedule,
    to_deliberated,
    topic,
)
from tests.world import World

HISTORY = "status history { toStatus at }"


async def _backdate_history(database: Database, proposal_id: str, to: datetime) -> None:
    """As if the topic had been raised and put on the agenda well before the meeting."""
    async with database.transaction() as session:
        await session.execute(
            update(ProposalTransition)
            .where(ProposalTransition.proposal_id == uuid.UUID(proposal_id))
            .values(created_at=to, updated_at=to)
        )


async def test_a_meeting_next_month_cannot_deliberate_yet(
    api: Api, world: World, database: Database
) -> None:
    resident = await resident_token(api, world, "H1a-x")
    admin = await api.login("admin")
    pid = await raised_id(api, resident, "小区东门停车难")
    upcoming = await schedule(api, admin, starts_at=datetime.now(UTC) + timedelta(days=30))
    assert (await add_to_agenda(api, admin, upcoming, pid))["__typename"] == "Meeting"

    refused = await deliberate(api, admin, upcoming, pid)
    assert refused["__typename"] == "RuleViolationError"
    assert refused["code"] == "MEETING_NOT_STARTED"
    seen = await topic(api, resident, pid, HISTORY)
    assert seen["status"] == "ACCEPTED"
    assert [h["toStatus"] for h in seen["history"]] == ["SUBMITTED", "ACCEPTED"]
    async with database.read() as session:
        assert await session.scalar(select(func.count(Resolution.id))) == 0


async def test_a_report_back_meeting_still_to_come_reports_nothing_back(
    api: Api, world: World, database: Database
) -> None:
    resident = await resident_token(api, world, "H1a-x")
    admin = await api.login("admin")
    pid = await raised_id(api, resident, "楼道灯坏了")
    await to_deliberated(api, admin, pid)
    assert (await report(api, admin, pid, 40))["__typename"] == "ProgressReport"
    later = datetime.now(UTC) + timedelta(days=7)
    upcoming = await schedule(api, admin, "REPORT_BACK", starts_at=later)

    refused = await report(api, admin, pid, 100, upcoming)
    assert refused["code"] == "MEETING_NOT_STARTED", refused
    assert (await topic(api, resident, pid, "status"))["status"] == "IN_PROGRESS"
    async with database.read() as session:
        assert await session.scalar(select(func.count(ProgressReport.id))) == 1


async def test_a_deliberation_is_dated_at_the_meeting_even_when_typed_in_later(
    api: Api, world: World, database: Database
) -> None:
    resident = await resident_token(api, world, "H1a-x")
    admin = await api.login("admin")
    pid = await raised_id(api, resident, "垃圾分类点太远")
    held = (datetime.now(UTC) - timedelta(hours=20)).replace(microsecond=0)
    meeting = await schedule(api, admin, starts_at=held)
    await add_to_agenda(api, admin, meeting, pid)
    await _backdate_history(database, pid, held - timedelta(days=2))

    assert (await deliberate(api, admin, meeting, pid))["__typename"] == "Resolution"
    seen = await topic(api, resident, pid, HISTORY)
    assert seen["history"][-1] == {"toStatus": "DELIBERATED", "at": held.isoformat()}
    async with database.read() as session:
        agreed = await session.scalar(select(Resolution.created_at))
    assert agreed == held


async def test_a_report_back_is_dated_at_its_meeting_after_the_work_began(
    api: Api, world: World, database: Database
) -> None:
    resident = await resident_token(api, world, "H1a-x")
    admin = await api.login("admin")
    pid = await raised_id(api, resident, "单元门禁失灵")
    await to_deliberated(api, admin, pid)
    held = (datetime.now(UTC) - timedelta(hours=3)).replace(microsecond=0)
    await _backdate_history(database, pid, held - timedelta(days=10))
    meeting = await schedule(api, admin, "REPORT_BACK", starts_at=held)

    assert (await report(api, admin, pid, 100, meeting))["__typename"] == "ProgressReport"
    seen = await topic(api, resident, pid, HISTORY)
    assert [h["toStatus"] for h in seen["history"]][-2:] == ["IN_PROGRESS", "REPORTED"]
    began, reported = (datetime.fromisoformat(h["at"]) for h in seen["history"][-2:])
    assert began == held and reported == held + timedelta(microseconds=1)


async def test_an_entry_never_goes_before_the_topics_previous_one(api: Api, world: World) -> None:
    """Put on the agenda of a meeting already under way: dated when it is recorded."""
    resident = await resident_token(api, world, "H1a-x")
    admin = await api.login("admin")
    pid = await raised_id(api, resident, "电动车乱停")
    before = datetime.now(UTC)
    await to_deliberated(api, admin, pid)  # a meeting sixty days ago
    seen = await topic(api, resident, pid, HISTORY)
    times = [datetime.fromisoformat(h["at"]) for h in seen["history"]]
    assert [h["toStatus"] for h in seen["history"]] == ["SUBMITTED", "ACCEPTED", "DELIBERATED"]
    assert times == sorted(times) and times[-1] >= before
