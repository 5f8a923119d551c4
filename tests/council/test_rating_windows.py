"""评菜期: a 销号 opens a rating window; no single rating decides the item.

Every raiser and supporter rates once while the window is open. The outcome is decided when
the last of them has rated or when the window ends, on the average against the floor and the
count against the minimum (kept closed, reopened, or closed without enough ratings), and is
recorded in the history with the numbers. An ended window is decided before any answer, so
no read shows it still running.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select

from api.rating_sweep import settle_ended_windows
from domain.database import Database
from domain.models import ProposalTransition, RatingOutcome, RatingWindow
from tests.api_client import Api
from tests.council.helpers import (
    RESULT,
    add_to_agenda,
    close,
    deliberate,
    mutate,
    raised_id,
    rate,
    report,
    resident_token,
    schedule,
    support,
    topic,
)
from tests.world import World

PENDING = "{ myPendingRatings { id ratingWindow { open ratingCount } } }"
WINDOW = """status averageRating history { fromStatus toStatus reason at }
  ratingWindow { closeRound opensAt closesAt eligibleCount ratingCount floor minimumRatings
                 open decidedAt outcome average }"""
SETTINGS = """mutation($i: CommunitySettingsInput!) { updateCommunitySettings(input: $i) {
  __typename ... on Error { code message } ... on InvalidInputError { field }
  ... on CommunitySettings { ratingWindowDays ratingFloor minimumRatings
                             escalationToCadreDays escalationToAdminDays } } }"""


async def closed_topic(api: Api, world: World, backers: list[str]) -> tuple[str, list[str]]:
    """A topic raised by the first resident, supported by the others, worked and closed."""
    tokens = [await resident_token(api, world, key) for key in backers]
    admin = await api.login("admin")
    pid = await raised_id(api, tokens[0], "电梯经常坏", category="REPAIRS")
    for token in tokens[1:]:
        assert (await support(api, token, pid))["__typename"] == "Proposal"
    meeting = await schedule(api, admin)
    await add_to_agenda(api, admin, meeting, pid)
    await deliberate(api, admin, meeting, pid)
    await report(api, admin, pid, 100, await schedule(api, admin, "REPORT_BACK"))
    assert (await close(api, admin, pid))["status"] == "CLOSED"
    return pid, tokens


async def end_window(database: Database, pid: str) -> datetime:
    """Time passes: the topic's story so far moves 7 days and 2 minutes into the past, so
    that its window ended a minute ago."""
    shift = timedelta(days=7, minutes=2)
    topic_id = uuid.UUID(pid)
    async with database.transaction() as session:
        window = await session.scalar(
            select(RatingWindow).where(RatingWindow.proposal_id == topic_id)
        )
        assert window is not None and window.decided_at is None
        window.opens_at -= shift
        window.closes_at -= shift
        ended = window.closes_at
        steps = await session.scalars(
            select(ProposalTransition).where(ProposalTransition.proposal_id == topic_id)
        )
        for step in steps:
            step.created_at -= shift
    return ended


async def test_the_first_low_rating_of_three_backers_decides_nothing(
    api: Api, world: World
) -> None:
    pid, (raiser, second, third) = await closed_topic(api, world, ["H1a-x", "H1b-x", "H2a-x"])

    first = await rate(api, raiser, pid, 2)
    assert first["reopened"] is False
    assert first["proposal"] == {"status": "CLOSED", "averageRating": None}
    shown = await topic(api, raiser, pid, WINDOW)
    window = shown["ratingWindow"]
    assert window["open"] is True and window["eligibleCount"] == 3
    assert window["ratingCount"] == 1 and window["average"] is None
    assert window["outcome"] is None and window["floor"] == 3.0
    opened = datetime.fromisoformat(window["opensAt"])
    assert datetime.fromisoformat(window["closesAt"]) - opened == timedelta(days=7)
    assert (await api.ok(PENDING, token=second))["myPendingRatings"] == [
        {"id": pid, "ratingWindow": {"open": True, "ratingCount": 1}}
    ]

    assert (await rate(api, second, pid, 4))["proposal"]["status"] == "CLOSED"
    last = await rate(api, third, pid, 5)  # everyone has rated: decided now
    assert last["reopened"] is False
    assert last["proposal"] == {"status": "CLOSED", "averageRating": 3.67}
    shown = await topic(api, raiser, pid, WINDOW)
    window = shown["ratingWindow"]
    assert window["open"] is False and window["outcome"] == "KEPT_CLOSED"
    assert window["ratingCount"] == 3 and window["average"] == 3.67
    decision = shown["history"][-1]
    assert decision["fromStatus"] == decision["toStatus"] == "CLOSED"
    assert "3.67" in decision["reason"] and "保持销号" in decision["reason"]
    assert (await rate(api, third, pid, 1))["code"] == "ALREADY_RATED"


async def test_the_window_s_end_decides_on_the_ratings_given_before_any_answer(
    api: Api, world: World, database: Database
) -> None:
    pid, (raiser, second, late) = await closed_topic(api, world, ["H1a-x", "H1b-x", "H2a-x"])
    await rate(api, raiser, pid, 1)
    await rate(api, second, pid, 2)
    ended = await end_window(database, pid)

    # the very next request, whatever it is, answers as if decided at the window's end
    assert (await api.ok(PENDING, token=late))["myPendingRatings"] == []
    shown = await topic(api, raiser, pid, WINDOW)
    assert shown["status"] == "IN_PROGRESS" and shown["averageRating"] == 1.5
    window = shown["ratingWindow"]
    assert window["outcome"] == "REOPENED" and window["ratingCount"] == 2
    assert abs(datetime.fromisoformat(window["decidedAt"]) - ended) < timedelta(seconds=1)
    reopened = shown["history"][-1]
    assert (reopened["fromStatus"], reopened["toStatus"]) == ("CLOSED", "IN_PROGRESS")
    assert "1.50" in reopened["reason"] and "低于 3 分" in reopened["reason"]
    assert abs(datetime.fromisoformat(reopened["at"]) - ended) < timedelta(seconds=1)
    assert (await rate(api, late, pid, 5))["code"] == "NOT_OPEN"


async def test_too_few_ratings_leave_the_item_closed_and_say_so(
    api: Api, world: World, database: Database
) -> None:
    admin = await api.login("admin")
    changed = await mutate(api, admin, SETTINGS, {"i": {"minimumRatings": 2}})
    assert changed["minimumRatings"] == 2
    pid, (raiser, _second) = await closed_topic(api, world, ["H1a-x", "H1b-x"])
    await rate(api, raiser, pid, 1)  # alone below the floor, but one rating is not enough
    await end_window(database, pid)

    shown = await topic(api, admin, pid, WINDOW)
    assert shown["status"] == "CLOSED"
    assert shown["ratingWindow"]["outcome"] == "TOO_FEW_RATINGS"
    assert shown["ratingWindow"]["minimumRatings"] == 2
    assert "不足所需的 2 人" in shown["history"][-1]["reason"]


async def test_the_periodic_sweep_decides_ended_windows_once(
    api: Api, world: World, database: Database
) -> None:
    pid, (raiser, _second) = await closed_topic(api, world, ["H1a-x", "H1b-x"])
    await rate(api, raiser, pid, 5)
    await end_window(database, pid)

    assert await settle_ended_windows(database) == 1
    assert await settle_ended_windows(database) == 0
    async with database.read() as session:
        window = await session.scalar(
            select(RatingWindow).where(RatingWindow.proposal_id == uuid.UUID(pid))
        )
    assert window is not None and window.outcome is RatingOutcome.KEPT_CLOSED
    history = (await topic(api, raiser, pid, WINDOW))["history"]
    assert sum("评菜" in step["reason"] for step in history) == 1


async def test_a_window_keeps_the_rules_it_opened_with(
    api: Api, world: World, database: Database
) -> None:
    admin = await api.login("admin")
    pid, (raiser, second) = await closed_topic(api, world, ["H1a-x", "H1b-x"])
    changed = await mutate(api, admin, SETTINGS, {"i": {"ratingFloor": 4.5, "ratingWindowDays": 3}})
    assert changed == {
        "__typename": "CommunitySettings",
        "ratingWindowDays": 3,
        "ratingFloor": 4.5,
        "minimumRatings": 1,
        "escalationToCadreDays": 7,
        "escalationToAdminDays": 14,
    }
    await rate(api, raiser, pid, 4)
    outcome = await rate(api, second, pid, 4)
    assert outcome["proposal"] == {"status": "CLOSED", "averageRating": 4.0}  # floor 3 held

    again, _ = await closed_topic(api, world, ["H1a-y"])
    window = (await topic(api, admin, again, WINDOW))["ratingWindow"]
    assert window["floor"] == 4.5
    span = datetime.fromisoformat(window["closesAt"]) - datetime.fromisoformat(window["opensAt"])
    assert span == timedelta(days=3)


async def test_an_item_nobody_may_rate_is_decided_when_closed(api: Api, world: World) -> None:
    admin = await api.login("admin")
    pid = await raised_id(api, admin, "消防通道被占", source="MEETING", category="PARKING")
    meeting = await schedule(api, admin)
    await add_to_agenda(api, admin, meeting, pid)
    await deliberate(api, admin, meeting, pid)
    await report(api, admin, pid, 100, await schedule(api, admin, "REPORT_BACK"))
    await close(api, admin, pid)
    window = (await topic(api, admin, pid, WINDOW))["ratingWindow"]
    assert window["eligibleCount"] == 0
    assert window["open"] is False and window["outcome"] == "TOO_FEW_RATINGS"


async def test_staff_read_the_settings_and_only_the_admin_changes_them(
    api: Api, world: World
) -> None:
    read = f"{{ communitySettings {{ {RESULT} ... on CommunitySettings {{ ratingFloor }} }} }}"
    chief = await api.login("chief1")
    resident = await resident_token(api, world, "H1a-x")
    admin = await api.login("admin")
    assert (await api.ok(read, token=chief))["communitySettings"]["ratingFloor"] == 3.0
    assert (await api.ok(read, token=resident))["communitySettings"]["code"] == "FORBIDDEN"
    assert (await api.ok(read))["communitySettings"]["code"] == "UNAUTHENTICATED"
    refused = await mutate(api, chief, SETTINGS, {"i": {"ratingFloor": 4.0}})
    assert refused["code"] == "FORBIDDEN"

    for bad, field in (
        ({"ratingFloor": 5.5}, "ratingFloor"),
        ({"ratingFloor": 0.5}, "ratingFloor"),
        ({"ratingWindowDays": 0}, "ratingWindowDays"),
        ({"ratingWindowDays": 61}, "ratingWindowDays"),
        ({"minimumRatings": 0}, "minimumRatings"),
        ({"escalationToCadreDays": 14}, "escalationToAdminDays"),  # not below the admin's
        ({"escalationToCadreDays": 3, "escalationToAdminDays": 2}, "escalationToAdminDays"),
        ({"escalationToAdminDays": 366}, "escalationToAdminDays"),
        ({"ratingWindowDays": 5, "minimumRatings": -1}, "minimumRatings"),
    ):
        result = await mutate(api, admin, SETTINGS, {"i": bad})
        assert (result["code"], result["field"]) == ("INVALID_INPUT", field), bad
    unchanged = await api.ok(
        "{ communitySettings { ... on CommunitySettings { ratingWindowDays minimumRatings } } }",
        token=admin,
    )
    assert unchanged["communitySettings"] == {"ratingWindowDays": 7, "minimumRatings": 1}

    other = await api.login("admin-b")
    await mutate(api, admin, SETTINGS, {"i": {"ratingFloor": 3.5}})
    assert (await api.ok(read, token=other))["communitySettings"]["ratingFloor"] == 3.0
    assert (await api.ok(read, token=chief))["communitySettings"]["ratingFloor"] == 3.5
