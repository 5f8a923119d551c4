"""The demo community: the promised size, valid personal data, every role, and loaded once."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from api.demo import DEMO_PASSWORD, load_demo
from api.demo_topics import BOX, TOPICS
from api.settings import Settings
from domain.credentials import use_fast_password_hashing
from domain.database import Database, open_database
from domain.migrate import upgrade
from domain.models import (
    Account,
    AccountKind,
    AgendaItem,
    Attendance,
    Choice,
    Electorate,
    Grid,
    GridLevel,
    GridPost,
    Household,
    LoginCode,
    Meeting,
    MeetingKind,
    PostRole,
    Proposal,
    ProposalCategory,
    ProposalStatus,
    ProposalSupport,
    ProposalTransition,
    Rating,
    RatingOutcome,
    RatingWindow,
    Resident,
    Resolution,
    Vote,
)
from domain.personal_data import PersonalDataCipher, normalize_id_number, normalize_phone
from domain.principal import Principal
from domain.services.ballot_audit import verify_tally
from domain.services.ballots import cast
from domain.services.overdue import EscalationLevel, overdue_queue
from domain.services.principals import load_principal
from domain.services.sessions import login_with_code, login_with_password
from domain.services.votes import VoteStatus, status_of, voter_statuses
from domain.stored_text import present

TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def _fast_hashing() -> None:
    use_fast_password_hashing()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, pii_key="demo-test-pii-key-0123456789-abcdefghijk")


def _age(born: date) -> int:
    return TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))


async def test_demo_has_the_promised_shape(database: Database, settings: Settings) -> None:
    started = time.perf_counter()
    logins = await load_demo(database, settings, today=TODAY)
    assert time.perf_counter() - started < 10
    assert logins is not None
    async with database.read() as session:
        levels = list(await session.scalars(select(Grid.level)))
        households = list(await session.scalars(select(Household)))
        residents = await session.scalar(select(func.count(Resident.id)))
        roles = set(await session.scalars(select(GridPost.role)))
        posts = {p.id: p for p in await session.scalars(select(GridPost))}
        named = select(Account.username).where(Account.username.is_not(None))
        usernames = set(await session.scalars(named))
    assert levels.count(GridLevel.GRID) == 4
    assert 8 <= levels.count(GridLevel.MICRO_GRID) <= 12
    assert len(households) == 200
    assert residents is not None and 450 <= residents <= 550
    assert roles == set(PostRole)
    uncovered = [h for h in households if h.contact_post_id is None]
    assert 1 <= len(uncovered) <= 10
    for household in households:
        if household.contact_post_id is not None:
            assert posts[household.contact_post_id].grid_id == household.grid_id
    assert {login.username for login in logins.staff} == usernames
    assert {login.password for login in logins.staff} == {DEMO_PASSWORD}
    assert {
        "社区书记",
        "包联社区干部",
        "网格长",
        "副网格长",
        "网格员",
        "红色微网格员",
        "物业公司",
    } <= {login.role for login in logins.staff}
    assert len(logins.residents) == 3


async def test_demo_personal_data_is_valid_and_consistent(
    database: Database, settings: Settings
) -> None:
    await load_demo(database, settings, today=TODAY)
    cipher = PersonalDataCipher(settings.pii_key)
    async with database.read() as session:
        residents = list(await session.scalars(select(Resident)))
    hashes = set()
    for resident in residents:
        assert resident.id_number_cipher and resident.birth_date
        id_number = normalize_id_number(cipher.decrypt(resident.id_number_cipher))
        assert id_number[6:14] == f"{resident.birth_date:%Y%m%d}"
        assert resident.id_number_hash == cipher.lookup_hash(id_number)
        assert resident.id_number_masked == f"{id_number[:6]}********{id_number[-4:]}"
        hashes.add(resident.id_number_hash)
        age = _age(resident.birth_date)
        assert ("高龄老人" in resident.tags) == (age >= 80)
        assert ("儿童" in resident.tags) == (age < 14)
        if resident.phone is not None:
            assert normalize_phone(resident.phone) == resident.phone
            assert age >= 14
        assert 2 <= len(resident.name) <= 3
        assert not (resident.party_member and age < 18)
    assert len(hashes) == len(residents)
    assert 0 < sum(r.party_member for r in residents) < len(residents) // 4
    assert any("困难家庭" in r.tags for r in residents)
    assert any("残疾人" in r.tags for r in residents)


async def test_demo_logins_work(database: Database, settings: Settings) -> None:
    logins = await load_demo(database, settings, today=TODAY)
    assert logins is not None
    admin = next(login for login in logins.staff if login.username == "admin")
    async with database.transaction() as session:
        issued = await login_with_password(
            session,
            username=admin.username,
            password=admin.password,
            device_name="test",
            device_id=None,
            refresh_ttl=timedelta(days=1),
        )
        assert issued.account.kind is AccountKind.ADMIN
        resident = await login_with_code(
            session, code=logins.residents[0].code, device_name="phone", refresh_ttl=timedelta(1)
        )
        assert resident.account.display_name == logins.residents[0].name
    async with database.read() as session:
        live = await session.scalar(select(func.count()).where(LoginCode.used_at.is_(None)))
    assert live == 2


async def test_demo_loads_only_into_an_empty_database(
    database: Database, settings: Settings
) -> None:
    assert await load_demo(database, settings, today=TODAY) is not None
    assert await load_demo(database, settings, today=TODAY) is None
    async with database.read() as session:
        assert await session.scalar(select(func.count(Household.id))) == 200
        staff = select(func.count(Account.id)).where(Account.kind != AccountKind.RESIDENT)
        assert await session.scalar(staff) == 28
        assert await session.scalar(select(func.count(Proposal.id))) == len(TOPICS) + len(BOX)


async def test_demo_is_the_same_every_time(
    database: Database, settings: Settings, tmp_path: Path
) -> None:
    """A fixed seed: two fresh databases get the same people and council (ids, codes aside)."""
    other = open_database(f"sqlite+aiosqlite:///{tmp_path / 'other.sqlite3'}")
    try:
        await upgrade(other.write_engine)
        people = []
        council = []
        for db in (database, other):
            await load_demo(db, settings, today=TODAY)
            async with db.read() as session:
                rows = await session.execute(select(Resident.name, Resident.id_number_hash))
                people.append(sorted(tuple(row) for row in rows))
                topics = sorted(
                    tuple(r) for r in await session.execute(select(Proposal.title, Proposal.status))
                )
                closed = select(Vote.result).where(Vote.result.is_not(None))
                council.append((topics, list(await session.scalars(closed))))
    finally:
        await other.dispose()
    assert people[0] == people[1]
    assert council[0] == council[1]


async def _admin(database: Database) -> Principal:
    async with database.read() as session:
        account = await session.scalar(select(Account.id).where(Account.username == "admin"))
        assert account is not None
        principal = await load_principal(session, account)
    assert principal is not None
    return principal


async def test_demo_shows_every_step_of_the_council(database: Database, settings: Settings) -> None:
    """Issue 3's promise: topics in every state, with the history that got them there."""
    await load_demo(database, settings, today=TODAY)
    async with database.read() as session:
        topics = list(await session.scalars(select(Proposal)))
        transitions = list(
            await session.scalars(
                select(ProposalTransition).order_by(
                    ProposalTransition.created_at, ProposalTransition.id
                )
            )
        )
        supports = list(await session.scalars(select(ProposalSupport)))
        ratings = list(await session.scalars(select(Rating)))
        resolutions = list(await session.scalars(select(Resolution)))
    assert {t.status for t in topics} == set(ProposalStatus)
    assert {c for c in ProposalCategory if c is not ProposalCategory.OTHER} <= {
        t.category for t in topics
    }
    anonymous = [t for t in topics if t.anonymous]
    assert len(anonymous) == 3  # the suggestion box's batch, released together
    assert len({(t.created_at, t.submitted_on) for t in anonymous}) == 1
    assert all(
        t.raised_by_account_id is None and t.raised_by_resident_id is None for t in anonymous
    )
    by_id = {t.id: t for t in topics}
    [merged] = [t for t in topics if t.status is ProposalStatus.MERGED]
    assert merged.merged_into_id is not None
    assert by_id[merged.merged_into_id].category is ProposalCategory.PARKING
    history: dict[object, list[ProposalTransition]] = {}
    for transition in transitions:
        history.setdefault(transition.proposal_id, []).append(transition)
    for topic in topics:  # in time order, each transition starts where the last one ended
        steps = history[topic.id]
        assert steps[0].from_status is None
        for before, after in itertools.pairwise(steps):
            assert after.from_status is before.to_status
        assert steps[-1].to_status is topic.status
    [declined] = [t for t in topics if t.status is ProposalStatus.DECLINED]
    assert history[declined.id][-1].reason
    reopened = [
        t
        for t in topics
        if any(
            s.from_status is ProposalStatus.CLOSED and s.to_status is ProposalStatus.IN_PROGRESS
            for s in history[t.id]
        )
    ]
    assert len(reopened) == 1 and reopened[0].status is ProposalStatus.IN_PROGRESS
    closed = {t.id for t in topics if t.status is ProposalStatus.CLOSED}
    assert closed and closed <= {r.proposal_id for r in ratings}
    submitted = [t for t in topics if t.status is ProposalStatus.SUBMITTED and not t.anonymous]
    assert any(s.proposal_id == submitted[0].id for s in supports)
    assert all(r.contact_name and r.deadline for r in resolutions)
    admin = await _admin(database)
    async with database.read() as session:
        queue = await overdue_queue(session, admin, escalation_days=(7, 14))
    assert EscalationLevel.ADMIN in {item.level for item in queue}


async def test_demo_has_a_rating_window_still_open_with_some_ratings(
    database: Database, settings: Settings
) -> None:
    """评菜期: one closed item's window is open, some of its backers rated, the rest may."""
    await load_demo(database, settings, today=TODAY)
    now = datetime.now(UTC)
    async with database.read() as session:
        windows = list(await session.scalars(select(RatingWindow)))
        ratings = list(await session.scalars(select(Rating)))
    running = [w for w in windows if w.decided_at is None and w.closes_at > now]
    assert len(running) == 1
    [window] = running
    given = [r for r in ratings if r.proposal_id == window.proposal_id]
    assert 0 < len(given) < window.eligible_count
    outcomes = {w.outcome for w in windows if w.decided_at is not None}
    assert outcomes == {RatingOutcome.KEPT_CLOSED, RatingOutcome.REOPENED}


async def test_demo_meetings_have_agenda_attendance_and_minutes(
    database: Database, settings: Settings
) -> None:
    await load_demo(database, settings, today=TODAY)
    now = datetime.now(UTC)
    async with database.read() as session:
        meetings = list(await session.scalars(select(Meeting).order_by(Meeting.starts_at)))
        agenda = list(await session.scalars(select(AgendaItem)))
        attendance = list(await session.scalars(select(Attendance)))
    council = [m for m in meetings if not m.title.endswith("楼道议事会")]
    past, report, upcoming = council
    stairwells = [m for m in meetings if m not in council]  # where neighbours vote in person
    assert stairwells and all(m.starts_at < now for m in stairwells)
    assert all(any(a.meeting_id == m.id for a in attendance) for m in stairwells)
    assert past.kind is MeetingKind.DELIBERATION and past.starts_at < now and past.minutes
    assert report.kind is MeetingKind.REPORT_BACK and report.starts_at < now and report.minutes
    assert upcoming.kind is MeetingKind.DELIBERATION and upcoming.starts_at > now
    upcoming_items = sorted(i.sort_order for i in agenda if i.meeting_id == upcoming.id)
    assert upcoming_items == [1, 2, 3, 4]  # with the topic a failed vote sent back
    present = [a for a in attendance if a.meeting_id == past.id]
    assert sum(a.resident_id is not None for a in present) >= 5
    assert [a.name for a in present if a.resident_id is None] == ["孙桂兰（3号楼1单元租户）"]


async def test_demo_votes_are_open_closed_and_verified(
    database: Database, settings: Settings
) -> None:
    await load_demo(database, settings, today=TODAY)
    admin = await _admin(database)
    now = datetime.now(UTC)
    async with database.read() as session:
        votes = list(await session.scalars(select(Vote)))
        checks = {vote.id: await verify_tally(session, admin, vote.id) for vote in votes}
    for check in checks.values():
        assert check.ok and check.problems == [], check.problems
    live = [v for v in votes if status_of(v, now) is VoteStatus.OPEN]
    assert any(v.secret for v in live) and any(not v.secret for v in live)
    assert all(checks[v.id].receipts > 0 for v in live)
    finished = [v for v in votes if v.closed_at is not None]
    assert sorted(v.result["passed"] for v in finished if v.result) == [False, True]
    for closed in finished:
        assert closed.result is not None
        recount = checks[closed.id].recount
        assert recount is not None and recount.as_dict() == closed.result
        assert checks[closed.id].counted_ballots == closed.result["ballots"] >= 10
    [panel] = [v for v in votes if v.electorate is Electorate.PANEL]
    assert panel.electorate_size == 5 and status_of(panel, now) is VoteStatus.OPEN


async def test_demo_votes_outcomes_reached_their_topics(
    database: Database, settings: Settings
) -> None:
    """The passed vote moved its topic into follow-up; the failed one sent its topic back to
    deliberation (on the next meeting's agenda again), and both histories say so."""
    await load_demo(database, settings, today=TODAY)
    async with database.read() as session:
        finished = list(await session.scalars(select(Vote).where(Vote.closed_at.is_not(None))))
        topics = {vote.id: await session.get(Proposal, vote.proposal_id) for vote in finished}
        history = {
            vote.id: list(
                await session.scalars(
                    select(ProposalTransition)
                    .where(ProposalTransition.proposal_id == vote.proposal_id)
                    .order_by(ProposalTransition.created_at, ProposalTransition.id)
                )
            )
            for vote in finished
        }
        next_agenda = set(
            await session.scalars(
                select(AgendaItem.proposal_id)
                .join(Meeting, Meeting.id == AgendaItem.meeting_id)
                .where(Meeting.starts_at > datetime.now(UTC))
            )
        )
    for vote in finished:
        topic, steps = topics[vote.id], history[vote.id]
        assert topic is not None and vote.result is not None
        outcome = next(s for s in steps if (present(s.reason, "en") or "").startswith("vote "))
        if vote.result["passed"]:
            assert (outcome.from_status, outcome.to_status) == (
                ProposalStatus.DELIBERATED,
                ProposalStatus.IN_PROGRESS,
            )
            assert topic.status is ProposalStatus.IN_PROGRESS
        else:
            assert (outcome.from_status, outcome.to_status) == (
                ProposalStatus.DELIBERATED,
                ProposalStatus.ACCEPTED,
            )
            assert "vote failed" in (present(outcome.reason, "en") or "")
            assert topic.status is ProposalStatus.ACCEPTED and topic.id in next_agenda


async def test_demo_codes_belong_to_residents_who_may_still_vote(
    database: Database, settings: Settings
) -> None:
    """Whoever tries the web page with a printed code can cast a first ballot."""
    logins = await load_demo(database, settings, today=TODAY)
    assert logins is not None
    now = datetime.now(UTC)
    async with database.transaction() as session:
        votes = [
            v
            for v in await session.scalars(select(Vote))
            if v.electorate is not Electorate.PANEL and status_of(v, now) is VoteStatus.OPEN
        ]
        assert len(votes) == 2
        for login in logins.residents:
            issued = await login_with_code(
                session, code=login.code, device_name="phone", refresh_ttl=timedelta(1)
            )
            principal = await load_principal(session, issued.account.id)
            statuses = await voter_statuses(session, principal, votes)
            for vote in votes:
                assert statuses[vote.id].eligible, statuses[vote.id].reason
                assert not statuses[vote.id].has_voted
        receipt = await cast(session, principal, votes[0].id, Choice.FOR)
        assert receipt.receipt and not receipt.changed
