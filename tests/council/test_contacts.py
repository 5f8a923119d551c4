"""联系人: the account a meeting names as a resolution's contact works on it, and only on it.

The property company's account (a staff account without grid posts, here ``nopost``) is
named the contact of one resolution: it sees it in ``myResolutions`` with its deadline,
status, overdue flag and last progress, and reports progress on it with photos by
reference. It cannot report on other topics, report back at a meeting, or close the item.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from domain.database import Database
from domain.models import (
    ProgressReport,
    Proposal,
    ProposalCategory,
    ProposalSource,
    ProposalStatus,
    Resolution,
)
from tests.api_client import Api
from tests.council.helpers import (
    RESULT,
    add_to_agenda,
    close,
    mutate,
    raised_id,
    report,
    resident_token,
    schedule,
    to_deliberated,
)
from tests.schema.test_statement_count import counting_statements
from tests.world import World

PHOTO = {"url": "https://img.example/pump.jpg", "sha256": "b" * 64}
MINE = """query($all: Boolean!) { myResolutions(includeFinished: $all) {
  deadline status overdue daysOverdue
  proposal { id title } resolution { contactName }
  lastProgress { text percentDone photos { url sha256 } } } }"""


async def named(api: Api, staff: str, pid: str, contact: uuid.UUID, deadline: date) -> None:
    """Deliberated at a past meeting, with ``contact``'s account as the resolution's contact."""
    meeting = await schedule(api, staff, starts_at=None)
    added = await add_to_agenda(api, staff, meeting, pid)
    assert added["__typename"] == "Meeting", added
    done = await mutate(
        api,
        staff,
        f"""mutation($m: UUID!, $p: UUID!, $a: AgreementInput!) {{
             deliberate(meetingId: $m, proposalId: $p, agreement: $a) {{ {RESULT}
               ... on Resolution {{ contactAccountId contactName }} }} }}""",
        {
            "m": meeting,
            "p": pid,
            "a": {
                "solution": "更换排水泵",
                "deadline": deadline.isoformat(),
                "contactAccountId": str(contact),
                "contactName": "物业公司",
            },
        },
    )
    assert done["contactAccountId"] == str(contact), done


async def progress(
    api: Api, token: str, pid: str, *, photos: list[dict[str, str]], meeting: str | None = None
) -> Any:
    return await mutate(
        api,
        token,
        f"""mutation($p: UUID!, $photos: [ReferenceInput!], $m: UUID) {{
             reportProgress(proposalId: $p, text: "水泵已到货", percentDone: 40, photos: $photos,
                            meetingId: $m) {{
               {RESULT} ... on ProgressReport {{ percentDone photos {{ url sha256 }} }} }} }}""",
        {"p": pid, "photos": photos, "m": meeting},
    )


async def test_the_named_contact_reports_progress_with_photos(
    api: Api, world: World, database: Database
) -> None:
    resident = await resident_token(api, world, "H1a-x")
    admin = await api.login("admin")
    pid = await raised_id(api, resident, "地下室返水", category="REPAIRS")
    await named(api, admin, pid, world.accounts["nopost"], date.today() + timedelta(days=10))
    wuye = await api.login("nopost")

    done = await progress(api, wuye, pid, photos=[PHOTO])
    assert done == {"__typename": "ProgressReport", "percentDone": 40, "photos": [PHOTO]}
    async with database.read() as session:
        row = await session.scalar(select(Proposal).where(Proposal.id == uuid.UUID(pid)))
        reporter = await session.scalar(
            select(ProgressReport.reported_by_id).where(
                ProgressReport.proposal_id == uuid.UUID(pid)
            )
        )
    assert row is not None and row.status is ProposalStatus.IN_PROGRESS
    assert reporter == world.accounts["nopost"]

    queue = (await api.ok(MINE, {"all": False}, wuye))["myResolutions"]
    assert queue == [
        {
            "deadline": (date.today() + timedelta(days=10)).isoformat(),
            "status": "IN_PROGRESS",
            "overdue": False,
            "daysOverdue": 0,
            "proposal": {"id": pid, "title": "地下室返水"},
            "resolution": {"contactName": "物业公司"},
            "lastProgress": {"text": "水泵已到货", "percentDone": 40, "photos": [PHOTO]},
        }
    ]
    assert (await api.ok(MINE, {"all": False}, admin))["myResolutions"] == []


async def test_nothing_else_opens_to_a_contact(api: Api, world: World, database: Database) -> None:
    resident = await resident_token(api, world, "H1a-x")
    admin = await api.login("admin")
    mine = await raised_id(api, resident, "地下室返水", category="REPAIRS")
    other = await raised_id(api, resident, "楼道灯不亮", category="REPAIRS")
    await named(api, admin, mine, world.accounts["nopost"], date.today() + timedelta(days=10))
    await to_deliberated(api, admin, other)
    wuye = await api.login("nopost")
    report_back = await schedule(api, admin, "REPORT_BACK")

    assert (await progress(api, wuye, other, photos=[]))["code"] == "FORBIDDEN"
    at_meeting = await progress(api, wuye, mine, photos=[], meeting=report_back)
    assert at_meeting["code"] == "FORBIDDEN"
    for photos in (
        [{"url": "ftp://img.example/1.jpg", "sha256": "a" * 64}],
        [{"url": "https://img.example/1.jpg", "sha256": "not-a-digest"}],
        [PHOTO] * 11,
    ):
        refused = await progress(api, wuye, mine, photos=photos)
        assert refused["code"] == "INVALID_INPUT", photos
    async with database.read() as session:
        assert await session.scalar(select(func.count(ProgressReport.id))) == 0
    assert (await report(api, admin, mine, 100, report_back))["percentDone"] == 100
    assert (await close(api, wuye, mine))["code"] == "FORBIDDEN"
    ledger = await api.ok("{ ledger(first: 10) { totalCount } }", token=wuye)
    assert ledger["ledger"]["totalCount"] == 0
    assert (await api.ok("{ overdueQueue { daysOverdue } }", token=wuye))["overdueQueue"] == []

    # the finished item leaves the queue unless asked for
    assert (await close(api, admin, mine))["status"] == "CLOSED"
    assert (await api.ok(MINE, {"all": False}, wuye))["myResolutions"] == []
    finished = (await api.ok(MINE, {"all": True}, wuye))["myResolutions"]
    assert [(item["proposal"]["id"], item["status"]) for item in finished] == [(mine, "CLOSED")]


async def add_resolutions(db: Database, world: World, contact: uuid.UUID, count: int) -> None:
    """Topics in follow-up naming ``contact``, half overdue, each with two progress reports."""
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
                    status=ProposalStatus.IN_PROGRESS,
                    grid_id=world.grids["M1a"],
                    submitted_on=date.today(),
                    attachments=[],
                )
            )
            await session.flush()
            session.add(
                Resolution(
                    community_id=world.community,
                    proposal_id=pid,
                    solution="修好",
                    contact_account_id=contact,
                    contact_name="物业公司",
                    deadline=date.today() + timedelta(days=5 if n % 2 else -5),
                )
            )
            for percent in (30, 60):
                session.add(
                    ProgressReport(
                        created_at=datetime.now(UTC) - timedelta(hours=100 - percent),
                        community_id=world.community,
                        proposal_id=pid,
                        text=f"完成{percent}%",
                        photos=[PHOTO],
                        percent_done=percent,
                        reported_by_id=contact,
                    )
                )


async def test_my_resolutions_cost_the_same_statements_for_3_and_60(
    api: Api, world: World, database: Database, dialect: str
) -> None:
    wuye = await api.login("nopost")
    await add_resolutions(database, world, world.accounts["nopost"], 3)
    with counting_statements(database) as few:
        small = (await api.ok(MINE, {"all": False}, wuye))["myResolutions"]
    await add_resolutions(database, world, world.accounts["nopost"], 57)
    with counting_statements(database) as many:
        large = (await api.ok(MINE, {"all": False}, wuye))["myResolutions"]
    print(f"\nmyResolutions on {dialect}: 3 -> {len(few)} statements, 60 -> {len(many)}")
    assert len(small) == 3 and len(large) == 60
    assert len(few) == len(many), "\n".join(many)
    assert [item["overdue"] for item in large[:30]] == [True] * 30
    assert all(item["daysOverdue"] == 5 for item in large[:30])
    assert all(item["lastProgress"]["percentDone"] == 60 for item in large)
