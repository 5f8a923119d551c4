"""台账: every topic with its status, contact, deadline, overdue flag, rating and support.

The ledger costs the same number of SQL statements for 5 topics as for 100, and its CSV
and XLSX exports (Chinese headers) read back to the same lines.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from openpyxl import load_workbook
from sqlalchemy import event
from starlette.routing import Route

from api.app import create_app
from api.ledger_export import ledger_export_endpoint
from api.tokens import TokenService
from domain.database import Database
from domain.models import (
    Proposal,
    ProposalCategory,
    ProposalSource,
    ProposalStatus,
    ProposalSupport,
    Rating,
    RatingOutcome,
    RatingWindow,
    Resolution,
)
from tests import api_client
from tests.api_client import Api
from tests.council.helpers import raised_id, resident_token, support, to_deliberated
from tests.world import World

LEDGER = """query($f: LedgerFilter, $after: String) {
  ledger(first: 100, filter: $f, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { proposalId title status category gridName contactName deadline overdue
                   averageRating supportCount } } } }"""


async def add_topics(db: Database, world: World, count: int) -> None:
    """Closed, rated, supported topics straight into the database (fast, many); each
    round's rating window is decided, so the ledger shows its average."""
    residents = [world.residents[key] for key in ("H1a-x", "H1a-y", "H1b-x")]
    async with db.transaction() as session:
        for n in range(count):
            pid = uuid.uuid4()
            session.add(
                Proposal(
                    id=pid,
                    community_id=world.community,
                    title=f"议题{n}",
                    description="",
                    category=ProposalCategory.REPAIRS,
                    source=ProposalSource.RESIDENT,
                    status=ProposalStatus.CLOSED,
                    grid_id=world.grids["M1a"],
                    submitted_on=date.today(),
                    attachments=[],
                    close_round=1,
                )
            )
            await session.flush()
            session.add(
                Resolution(
                    community_id=world.community,
                    proposal_id=pid,
                    solution="修好",
                    contact_name="王师傅",
                    deadline=date.today(),
                )
            )
            for score, resident in enumerate(residents, start=3):
                session.add(
                    ProposalSupport(
                        community_id=world.community, proposal_id=pid, resident_id=resident
                    )
                )
                session.add(
                    Rating(
                        community_id=world.community,
                        proposal_id=pid,
                        resident_id=resident,
                        close_round=1,
                        score=score,
                    )
                )
            session.add(
                RatingWindow(
                    community_id=world.community,
                    proposal_id=pid,
                    close_round=1,
                    opens_at=datetime.now(UTC) - timedelta(days=8),
                    closes_at=datetime.now(UTC) - timedelta(days=1),
                    eligible_count=3,
                    floor=3.0,
                    minimum_ratings=1,
                    decided_at=datetime.now(UTC) - timedelta(days=1),
                    outcome=RatingOutcome.KEPT_CLOSED,
                    rating_count=3,
                    average=4.0,
                )
            )


@contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    engines = {id(e): e for e in (db.read_engine.sync_engine, db.write_engine.sync_engine)}
    for engine in engines.values():
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        for engine in engines.values():
            event.remove(engine, "before_cursor_execute", record)


async def test_the_ledger_costs_the_same_statements_for_5_and_100_topics(
    api: Api, world: World, database: Database, dialect: str
) -> None:
    admin = await api.login("admin")
    await add_topics(database, world, 5)
    with counting(database) as few:
        small = await api.ok(LEDGER, token=admin)
    await add_topics(database, world, 95)
    with counting(database) as many:
        large = await api.ok(LEDGER, token=admin)
    print(f"\nledger statements on {dialect}: 5 topics -> {len(few)}, 100 topics -> {len(many)}")
    assert small["ledger"]["totalCount"] == 5 and len(large["ledger"]["edges"]) == 100
    assert len(few) == len(many)
    node = large["ledger"]["edges"][0]["node"]
    assert node["averageRating"] == 4.0 and node["supportCount"] == 3


async def test_the_ledger_lists_every_topic_with_its_follow_up_state(
    api: Api, world: World
) -> None:
    resident = await resident_token(api, world, "H1a-x")
    backer = await resident_token(api, world, "H1b-x")
    admin = await api.login("admin")
    late = await raised_id(api, resident, "=SUM(A1) 路面坑洼", category="OTHER")
    await support(api, backer, late)
    await to_deliberated(api, admin, late, deadline=date.today() - timedelta(days=3))
    fresh = await raised_id(api, resident, "垃圾分类点太远", category="PROPERTY_SERVICE")

    lines = {
        e["node"]["proposalId"]: e["node"]
        for e in (await api.ok(LEDGER, token=admin))["ledger"]["edges"]
    }
    assert lines[late] == {
        "proposalId": late,
        "title": "=SUM(A1) 路面坑洼",
        "status": "DELIBERATED",
        "category": "OTHER",
        "gridName": "M1a",
        "contactName": "王师傅",
        "deadline": (date.today() - timedelta(days=3)).isoformat(),
        "overdue": True,
        "averageRating": None,
        "supportCount": 1,
    }
    assert lines[fresh]["overdue"] is False and lines[fresh]["deadline"] is None

    overdue = await api.ok(LEDGER, {"f": {"overdue": True}}, admin)
    assert [e["node"]["proposalId"] for e in overdue["ledger"]["edges"]] == [late]
    by_category = await api.ok(LEDGER, {"f": {"category": "PROPERTY_SERVICE"}}, admin)
    assert [e["node"]["proposalId"] for e in by_category["ledger"]["edges"]] == [fresh]
    chief2 = await api.ok(LEDGER, token=await api.login("chief2"))
    assert chief2["ledger"]["totalCount"] == 0  # none of it is in G2


async def test_the_ledger_pages_by_cursor(api: Api, world: World, database: Database) -> None:
    await add_topics(database, world, 7)
    admin = await api.login("admin")
    query = LEDGER.replace("first: 100", "first: 3")
    seen: list[str] = []
    after = None
    while True:
        page = (await api.ok(query, {"after": after}, admin))["ledger"]
        seen += [e["node"]["proposalId"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 7
    body = await api.post(query, {"after": "not-a-cursor"}, admin)
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


def export_client(database: Database) -> httpx.AsyncClient:
    """The real app with the export route added the way api/app.py adds it."""
    settings = api_client.test_settings()
    app = create_app(settings, db=database)
    app.router.routes.insert(
        0,
        Route(
            "/export/ledger.{format}",
            ledger_export_endpoint(lambda: database, TokenService(settings)),
            methods=["GET"],
        ),
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def test_the_ledger_exports_to_csv_and_xlsx_with_chinese_headers(
    api: Api, world: World, database: Database
) -> None:
    resident = await resident_token(api, world, "H1a-x")
    admin = await api.login("admin")
    pid = await raised_id(api, resident, "=HYPERLINK(1) 车棚漏雨", category="REPAIRS")
    await to_deliberated(api, admin, pid, deadline=date.today() - timedelta(days=2))
    auth = {"Authorization": f"Bearer {admin}"}
    async with export_client(database) as client:
        as_csv = await client.get("/export/ledger.csv", headers=auth)
        as_xlsx = await client.get("/export/ledger.xlsx?overdue=true", headers=auth)
        anonymous = await client.get("/export/ledger.csv")
        by_resident = await client.get(
            "/export/ledger.csv", headers={"Authorization": f"Bearer {resident}"}
        )
        bad_filter = await client.get("/export/ledger.csv?status=nonsense", headers=auth)
    assert as_csv.status_code == 200 and as_xlsx.status_code == 200
    assert (anonymous.status_code, by_resident.status_code, bad_filter.status_code) == (
        401,
        403,
        400,
    )

    chinese = ("编号", "议题", "状态", "类别", "提出日期", "网格", "联系人", "完成期限")
    chinese += ("是否逾期", "满意度", "附议人数")
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == chinese
    deadline = (date.today() - timedelta(days=2)).isoformat()
    assert rows[1:] == [
        [
            pid,
            "'=HYPERLINK(1) 车棚漏雨",
            "已议定",
            "水电维修",
            date.today().isoformat(),
            "M1a",
            "王师傅",
            deadline,
            "是",
            "",
            "0",
        ]
    ]

    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert tuple(cells[0]) == chinese and sheet.title == "台账"
    assert len(cells) == 2
    line = cells[1]
    assert line[0] == pid and line[1] == "'=HYPERLINK(1) 车棚漏雨" and line[8] == "是"
    assert line[7].date().isoformat() == deadline  # openpyxl reads dates back as datetimes


async def test_the_ledger_speaks_english_when_asked(
    api: Api, world: World, database: Database
) -> None:
    """``Accept-Language: en``: English headers and words, and English error messages; the
    same request without it answers in Chinese."""
    resident = await resident_token(api, world, "H1a-x")
    admin = await api.login("admin")
    pid = await raised_id(api, resident, "车棚漏雨", category="REPAIRS")
    await to_deliberated(api, admin, pid, deadline=date.today() - timedelta(days=2))
    auth = {"Authorization": f"Bearer {admin}"}
    english = auth | {"Accept-Language": "en-GB,en;q=0.9,zh;q=0.5"}
    async with export_client(database) as client:
        as_csv = await client.get("/export/ledger.csv", headers=english)
        bad_en = await client.get("/export/ledger.csv?status=nonsense", headers=english)
        bad_zh = await client.get("/export/ledger.csv?status=nonsense", headers=auth)
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["No.", "Topic", "Status", "Category"]
    assert rows[1][2:4] == ["deliberated", "repairs"] and rows[1][8] == "yes"
    assert bad_en.json()["errors"][0]["message"].startswith("status: must be one of: submitted")
    assert bad_zh.json()["errors"][0]["message"].startswith("status：只能是：submitted")
    assert bad_en.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
