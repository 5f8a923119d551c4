"""民主决议箱: suggestions wait in the box and come out as topics in batches.

A box releases when staff who cover it open it, or on the server's schedule, and never fewer
than the minimum unless its oldest suggestion has waited past the maximum age. Which box:
the one the resident names, else their grid at grid level, never their own micro-grid.
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from api.events import LocalEventBus
from api.settings import Settings, SettingsError
from api.suggestion_box_task import periodic_release, release_all
from domain.database import Database
from domain.models import BoxSuggestion, Proposal
from domain.models.base import utcnow
from domain.services import suggestion_box
from domain.services.suggestion_box import BoxRules
from tests.api_client import Api
from tests.council.helpers import drop_in, open_box, resident_token, topic, topic_ids_by_title
from tests.schema.test_statement_count import counting_statements
from tests.world import World

COUNT = "query($g: UUID) { suggestionBox(gridId: $g) { __typename ... on SuggestionBox { waiting } "
COUNT += "... on Error { code } } }"


async def _count(api: Api, token: str, grid: str | None = None) -> Any:
    return (await api.ok(COUNT, {"g": grid}, token))["suggestionBox"]


async def _drop(api: Api, world: World, residents: list[str], grid: str | None = None) -> None:
    for resident in residents:
        token = await resident_token(api, world, resident)
        fields = {"gridId": str(world.grids[grid])} if grid else {}
        received = await drop_in(api, token, f"建议{resident}", **fields)
        assert received["__typename"] == "SuggestionReceived", received


async def test_a_suggestion_waits_in_the_box_and_staff_see_only_the_count(
    api: Api, world: World
) -> None:
    resident = await resident_token(api, world, "H1a-x")
    received = await drop_in(api, resident, "垃圾站太臭", description="夏天尤其严重")
    assert received == {
        "__typename": "SuggestionReceived",
        "received": True,
        "anonymity": received["anonymity"],
    }
    assert "随机顺序" in received["anonymity"] and "没有名字" in received["anonymity"]  # Chinese
    admin = await api.login("admin")
    assert (await api.ok("{ proposals { totalCount } }", token=admin))["proposals"] == {
        "totalCount": 0
    }
    assert await _count(api, admin) == {"__typename": "SuggestionBox", "waiting": 1}
    assert (await _count(api, await api.login("chief1")))["waiting"] == 1  # G1's box
    assert (await _count(api, await api.login("chief2")))["waiting"] == 0  # G2's boxes
    assert (await _count(api, resident))["code"] == "FORBIDDEN"


async def test_a_box_releases_no_fewer_than_the_minimum_all_at_one_time(
    api: Api, world: World
) -> None:
    await _drop(api, world, ["H1a-x", "H1a-y"])
    chief = await api.login("chief1")
    early = await open_box(api, chief)
    assert (early["released"], early["releasedAt"], early["waiting"]) == (0, None, 2)
    await _drop(api, world, ["H1b-x"])
    opened = await open_box(api, chief, str(world.grids["G1"]))
    assert (opened["released"], opened["waiting"]) == (3, 0)
    assert (await _count(api, chief))["waiting"] == 0
    ids = await topic_ids_by_title(api, chief)
    assert sorted(ids) == ["建议H1a-x", "建议H1a-y", "建议H1b-x"]
    fields = "anonymous raiserName submittedOn source grid { name } history { at actorName }"
    for pid in ids.values():
        seen = await topic(api, chief, pid, fields)
        assert seen["anonymous"] is True and seen["raiserName"] is None
        assert seen["source"] == "SUGGESTION_BOX" and seen["grid"] == {"name": "G1"}
        assert seen["history"] == [{"at": opened["releasedAt"], "actorName": None}]
        assert seen["submittedOn"] == opened["releasedAt"][:10]


async def test_the_oldest_suggestion_past_the_maximum_age_releases_its_box_alone(
    api: Api, world: World, database: Database
) -> None:
    await _drop(api, world, ["H1a-x"])
    admin = await api.login("admin")
    for days, released in ((0, 0), (6, 0), (7, 1)):  # the maximum age is 7 days
        async with database.transaction() as session:
            await session.execute(
                update(BoxSuggestion).values(dropped_on=utcnow().date() - timedelta(days=days))
            )
        assert (await open_box(api, admin))["released"] == released, days


async def test_a_suggestion_goes_to_the_named_box_or_the_residents_grid_not_their_micro_grid(
    api: Api, world: World, database: Database
) -> None:
    await _drop(api, world, ["H1a-x"])  # lives in M1a, under G1
    await _drop(api, world, ["H1a-y"], grid="M2a")  # the box at another building's door
    async with database.read() as session:
        boxes = sorted(await session.scalars(select(BoxSuggestion.grid_id)))
    assert boxes == sorted([world.grids["G1"], world.grids["M2a"]])
    assert world.grids["M1a"] not in boxes


async def test_staff_open_only_the_boxes_their_posts_cover(api: Api, world: World) -> None:
    await _drop(api, world, ["H1a-x", "H1a-y", "H1b-x"])  # G1's box
    await _drop(api, world, ["H2a-x", "H2a-y", "H1b-y"], grid="M1a")  # M1a's box
    member = await api.login("member1a")  # covers M1a only
    assert (await open_box(api, member, str(world.grids["G1"])))["code"] == "FORBIDDEN"
    assert (await _count(api, member))["waiting"] == 3
    assert (await open_box(api, await api.login("chief2")))["released"] == 0
    assert (await open_box(api, member))["released"] == 3
    assert (await _count(api, await api.login("admin")))["waiting"] == 3
    assert (await open_box(api, await api.login("nopost")))["released"] == 0
    resident = await resident_token(api, world, "H1a-x")
    assert (await open_box(api, resident))["code"] == "FORBIDDEN"


async def test_the_schedule_opens_every_box_that_may_release_with_one_event_per_batch(
    api: Api, world: World, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _drop(api, world, ["H1a-x", "H1a-y", "H1b-x"])
    await _drop(api, world, ["H2a-x"], grid="M2a")  # too few: keeps waiting
    published: list[tuple[str, dict[str, Any]]] = []
    bus = LocalEventBus()

    heard = asyncio.Event()

    async def spy(channel: str, payload: dict[str, Any]) -> None:
        published.append((channel, payload))
        heard.set()

    monkeypatch.setattr(bus, "publish", spy)
    async with periodic_release(database, 0.05, BoxRules(), lambda: bus):
        async with asyncio.timeout(10):
            await heard.wait()
    async with database.read() as session:
        released = set(await session.scalars(select(Proposal.id)))
        waiting = list(await session.scalars(select(BoxSuggestion.grid_id)))
    assert len(released) == 3 and waiting == [world.grids["M2a"]]
    [(channel, payload)] = published
    assert channel == f"proposals:{world.community}"
    assert payload == {"event": "released", "proposalIds": sorted(payload["proposalIds"])}
    assert {str(i) for i in released} == set(payload["proposalIds"])
    assert await release_all(database, BoxRules(), bus) == 0 and len(published) == 1


def test_the_release_order_is_a_uniform_shuffle() -> None:
    seen = {tuple(suggestion_box.shuffled([0, 1, 2])) for _ in range(600)}
    assert seen == set(itertools.permutations([0, 1, 2]))


def test_the_box_settings_are_read_and_checked() -> None:
    env = {
        "CHANGLANG_SECRET_KEY": "k" * 8 + "abcdefghijklmnopqrstuvwxyz0123456789",
        "CHANGLANG_PII_KEY": "p" * 8 + "abcdefghijklmnopqrstuvwxyz0123456789",
        "CHANGLANG_SUGGESTION_BOX_MINIMUM": "5",
        "CHANGLANG_SUGGESTION_BOX_MAX_WAIT_DAYS": "14",
        "CHANGLANG_SUGGESTION_BOX_RELEASE_SECONDS": "3600",
    }
    settings = Settings.from_env(env)
    assert settings.suggestion_box == BoxRules(minimum=5, max_wait_days=14)
    assert settings.suggestion_box_release_seconds == 3600
    with pytest.raises(SettingsError):
        Settings.from_env({**env, "CHANGLANG_SUGGESTION_BOX_MINIMUM": "0"})


async def test_opening_a_box_costs_the_same_statements_however_many_it_releases(
    api: Api, world: World, database: Database
) -> None:
    admin = await api.login("admin")
    counts = []
    for residents in (["H1a-x", "H1a-y", "H1b-x"], ["H1a-x", "H1a-y", "H1b-x", "H1b-y", "H2a-x"]):
        await _drop(api, world, residents, grid="G1")
        with counting_statements(database) as statements:
            assert (await open_box(api, admin))["released"] == len(residents)
        counts.append(len(statements))
    assert counts[0] == counts[1]
