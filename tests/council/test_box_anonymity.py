"""The hidden-correlation rule (DOMAIN.md) for the suggestion box (民主决议箱).

Five residents drop suggestions in, one after another, in a known order, while a staff
member watches every live channel (``proposalRaised``, the phone's ``streamProposal``) and
every log record is captured. Then the box is opened, and the test tries to link submitters
to topics through everything any API, stream, subscription, export and log exposes: ids,
timestamps, change positions, row order, history and log records.

The shuffle is pinned to a known permutation and the ids to known random ones, so that every
order the server shows is one the test can predict: it must be the shuffle's (or the random
ids'), never the submission order. ``test_suggestion_box`` checks that the real shuffle is
uniform, so in production that order is a secret coin toss.
"""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select, text

from api.app import create_app
from api.events import LocalEventBus
from api.pg_events import PostgresEventBus
from domain.database import Database
from domain.models import Account, BoxSuggestion
from domain.services import suggestion_box
from schema.sync import stream
from tests.api_client import test_settings as settings_with
from tests.sync.client import pull_query, stream_query
from tests.sync.live_server import Http, LiveSubscription, serving, subscribed
from tests.world import World

SUBMITTERS = ("H1a-x", "H1a-y", "H1b-x", "H1b-y", "H1a2-x")
TITLES = tuple(f"匿名建议{n}：{key}的楼" for n, key in enumerate(SUBMITTERS))
RELEASE = (2, 4, 0, 3, 1)
"""The pinned shuffle: the submission indexes in the order the batch is released."""
ALLOWED = (list(RELEASE), list(reversed(RELEASE)))
SUBMISSION = (list(range(5)), list(reversed(range(5))))

SUBMIT = """mutation($t: String!) { submitSuggestion(input: {title: $t, category: PARKING}) {
  __typename ... on SuggestionReceived { received anonymity } ... on Error { code } } }"""
OPEN = """mutation($g: UUID) { openSuggestionBox(gridId: $g) {
  __typename ... on SuggestionBoxOpened { released releasedAt waiting } } }"""
RAISE = """mutation($t: String!, $g: UUID) { raiseProposal(input: {title: $t, category: OTHER,
  source: MEETING, gridId: $g}) { __typename } }"""
TOPIC_FIELDS = """id title anonymous raiserName submittedOn source status grid { id }
  history { at fromStatus toStatus reason actorName }"""
LIST = f"{{ proposals(first: 100) {{ edges {{ cursor node {{ {TOPIC_FIELDS} }} }} }} }}"
LEDGER = "{ ledger(first: 100) { edges { cursor node { proposalId title submittedOn } } } }"
RAISED = f"subscription {{ proposalRaised {{ {TOPIC_FIELDS} }} }}"


@pytest.fixture(autouse=True)
def _no_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "POLL_SECONDS", 3600.0)


@pytest.fixture
async def server(database: Database, world: World) -> AsyncIterator[Http]:
    async with serving(create_app(settings_with(), db=database)) as base:
        http = Http(base)
        try:
            yield http
        finally:
            await http.client.aclose()


async def _resident(http: Http, world: World, key: str) -> str:
    admin = (await http.login("admin"))["accessToken"]
    code = await http.ok(
        "mutation($r: UUID!) { issueLoginCode(residentId: $r) { ... on LoginCode { code } } }",
        {"r": str(world.residents[key])},
        admin,
    )
    session = await http.ok(
        """mutation($c: String!) { loginWithCode(code: $c) {
             ... on AuthSession { accessToken } } }""",
        {"c": code["issueLoginCode"]["code"]},
    )
    return str(session["loginWithCode"]["accessToken"])


async def _quiet(sub: LiveSubscription, seconds: float = 0.5) -> list[dict[str, Any]]:
    """Whatever the subscription still emits until it has been silent for ``seconds``."""
    got: list[dict[str, Any]] = []
    while True:
        try:
            got.append(await sub.next(seconds))
        except TimeoutError:
            return got


async def _until_live(
    subs: Sequence[LiveSubscription], write: Callable[[int], Awaitable[None]]
) -> None:
    """Write until every subscription has emitted (they start silently), then drain them."""
    pending = [asyncio.ensure_future(sub.next(20)) for sub in subs]
    for attempt in range(40):
        await write(attempt)
        await asyncio.wait(pending, timeout=0.25)
        if all(p.done() for p in pending):
            break
    assert all(p.done() for p in pending), "a subscription never went live"
    for sub in subs:
        await _quiet(sub)


def _order(titles: Sequence[str]) -> list[int]:
    return [TITLES.index(title) for title in titles if title in TITLES]


def _assert_unlinkable(where: str, titles: Sequence[str]) -> None:
    order = _order(titles)
    assert sorted(order) == list(range(5)), (where, titles)
    assert order in ALLOWED and order not in SUBMISSION, (where, order)


async def test_nothing_the_server_exposes_links_box_submitters_to_their_topics(
    server: Http,
    world: World,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ids = sorted((uuid.uuid4() for _ in TITLES), reverse=True)  # released first: largest id
    handed = iter(ids)
    monkeypatch.setattr(suggestion_box, "new_topic_id", lambda: next(handed))
    release_titles = [TITLES[n] for n in RELEASE]
    monkeypatch.setattr(
        suggestion_box,
        "shuffled",
        lambda items: sorted(items, key=lambda item: release_titles.index(item.title)),
    )
    published: list[tuple[str, dict[str, Any]]] = []
    bus = PostgresEventBus if database.dialect == "postgresql" else LocalEventBus
    original = bus.publish

    async def spy(self: Any, channel: str, payload: dict[str, Any]) -> None:
        published.append((channel, payload))
        await original(self, channel, payload)

    monkeypatch.setattr(bus, "publish", spy)

    tokens = [await _resident(server, world, key) for key in SUBMITTERS]
    phone = await server.login("chief1", "phone")
    chief = phone["accessToken"]
    bearer = {"Authorization": f"Bearer {chief}"}
    async with (
        subscribed(server.base, RAISED, {}, bearer) as raised,
        subscribed(server.base, stream_query("proposal"), {"headers": bearer}, {}) as streamed,
    ):

        async def warm(attempt: int) -> None:
            await server.ok(RAISE, {"t": f"预热{attempt}", "g": str(world.grids["G1"])}, chief)

        await _until_live([raised, streamed], warm)
        caplog.set_level(logging.INFO)  # the level the server logs at in production
        caplog.clear()
        published.clear()
        answers, logs_per_submission = [], []
        for token, title in zip(tokens, TITLES, strict=True):
            before = len(caplog.records)
            answers.append((await server.ok(SUBMIT, {"t": title}, token))["submitSuggestion"])
            logs_per_submission.append(caplog.records[before:])
        assert await _quiet(raised, 1.0) == [] and await _quiet(streamed, 0.2) == []
        assert published == []  # no event, not even a sync wake-up, while the box fills

        async with database.read() as session:
            held = set(await session.scalars(select(BoxSuggestion.id)))
        opened = (await server.ok(OPEN, {"g": str(world.grids["G1"])}, chief))["openSuggestionBox"]
        assert (opened["released"], opened["waiting"]) == (5, 0)
        at = opened["releasedAt"]
        live = [(await raised.next())["proposalRaised"] for _ in TITLES]
        stream_batches = [e["streamProposal"] for e in await _quiet(streamed, 1.0)]

    # the submitters' answers: identical, and naming nothing
    assert all(answer == answers[0] for answer in answers)
    assert set(answers[0]) == {"__typename", "received", "anonymity"}

    # one announcement for the whole batch, ids in id order
    proposal_events = [p for c, p in published if c.startswith("proposals:")]
    assert proposal_events == [{"event": "released", "proposalIds": sorted(map(str, ids))}]

    # ids: fresh random ones, never the box's
    admin = (await server.login("admin"))["accessToken"]
    listing = [e["node"] for e in (await server.ok(LIST, None, admin))["proposals"]["edges"]]
    batch = [t for t in listing if t["title"] in TITLES]
    assert {uuid.UUID(t["id"]) for t in batch} == set(ids)
    assert all(uuid.UUID(t["id"]).version == 4 for t in batch) and not held & set(ids)

    # every field of the topic, as staff, a submitter and a neighbour read it
    for reader in (admin, chief, tokens[0], tokens[4]):
        rows = [e["node"] for e in (await server.ok(LIST, None, reader))["proposals"]["edges"]]
        mine = [t for t in rows if t["title"] in TITLES]
        _assert_unlinkable("proposals", [t["title"] for t in mine])
        for t in mine:
            assert (t["anonymous"], t["raiserName"], t["source"]) == (True, None, "SUGGESTION_BOX")
            assert t["submittedOn"] == at[:10] and t["grid"] == {"id": str(world.grids["G1"])}
            assert t["history"] == [
                {
                    "at": at,
                    "fromStatus": None,
                    "toStatus": "SUBMITTED",
                    "reason": "",
                    "actorName": None,
                }
            ]

    # the subscription and the phone's live stream
    _assert_unlinkable("proposalRaised", [t["title"] for t in live])
    assert len(stream_batches) == 1  # the whole batch in one emission
    documents = [d for d in stream_batches[0]["documents"] if d["title"] in TITLES]
    _assert_unlinkable("streamProposal", [d["title"] for d in documents])

    # the phone's pull: positions are consecutive and in the shuffled order
    pulled = (await server.ok(pull_query("proposal"), {"checkpoint": None, "limit": 100}, chief))[
        "pullProposal"
    ]["documents"]
    mine_pulled = [d for d in pulled if d["title"] in TITLES]
    _assert_unlinkable("pullProposal", [d["title"] for d in mine_pulled])
    positions = sorted(d["updatedAt"] for d in mine_pulled)
    assert positions == [positions[0] + n for n in range(5)]
    assert [d["title"] for d in sorted(mine_pulled, key=lambda d: d["updatedAt"])] == (
        release_titles
    )
    for d in mine_pulled:
        assert (d["residentId"], d["raisedByAccountId"], d["submittedOn"]) == (None, None, at[:10])

    # the ledger, as a list and as both exports
    ledger = [e["node"] for e in (await server.ok(LEDGER, None, admin))["ledger"]["edges"]]
    _assert_unlinkable("ledger", [r["title"] for r in ledger])
    assert {r["submittedOn"] for r in ledger if r["title"] in TITLES} == {at[:10]}
    headers = {"Authorization": f"Bearer {admin}"}
    exported = await server.client.get("/export/ledger.csv", headers=headers)
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))[1:]
    _assert_unlinkable("ledger.csv", [line[1] for line in lines])
    assert {line[4] for line in lines if line[1] in TITLES} == {at[:10]}
    xlsx = await server.client.get("/export/ledger.xlsx", headers=headers)
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    cells = [row for row in sheet.iter_rows(min_row=2, values_only=True)]
    _assert_unlinkable("ledger.xlsx", [str(row[1]) for row in cells])
    assert len({row[4] for row in cells if row[1] in TITLES}) == 1

    # the stored rows, in the order the database keeps them
    async with database.read() as session:
        stored = (
            await session.execute(text("SELECT title, created_at, updated_at FROM proposal"))
        ).all()
        steps = (
            await session.execute(
                text(
                    "SELECT p.title, t.created_at, t.updated_at FROM proposal_transition t "
                    "JOIN proposal p ON p.id = t.proposal_id"
                )
            )
        ).all()
        accounts = list(
            await session.scalars(
                select(Account).where(
                    Account.resident_id.in_([world.residents[k] for k in SUBMITTERS])
                )
            )
        )
    _assert_unlinkable("proposal table", [row[0] for row in stored])
    for rows in (stored, steps):
        times = {(str(row[1]), str(row[2])) for row in rows if row[0] in TITLES}
        assert len(times) == 1, times

    # the logs: every submission logs the same, and nothing names a submitter or a topic
    shapes = [[(r.name, r.levelno, r.msg) for r in records] for records in logs_per_submission]
    assert all(shape == shapes[0] for shape in shapes)
    secrets_ = [*TITLES, *map(str, ids), *map(str, held)]
    secrets_ += [str(world.residents[k]) for k in SUBMITTERS]
    secrets_ += [str(a.id) for a in accounts] + [a.username for a in accounts if a.username]
    for record in caplog.records:
        seen = f"{record.getMessage()} {vars(record)!r}"
        assert not [s for s in secrets_ if s in seen], seen
