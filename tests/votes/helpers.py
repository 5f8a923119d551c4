"""Shared set-up for the vote tests: topics, logins, a controllable clock, row counts.

The world (tests/world.py): community A has G1 (M1a: H1a, H1a2; M1b: H1b) and G2 (M2a:
H2a); community B has HB. Every household has residents ``-x`` and ``-y``, born 1980.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Executable, event, func, select

from domain.database import Database
from domain.models import (
    Ballot,
    BallotLogEntry,
    Meeting,
    MeetingKind,
    Proposal,
    ProposalCategory,
    ProposalSource,
    ProposalStatus,
    Vote,
    VoterRecord,
)
from domain.models.base import utcnow
from tests.api_client import Api
from tests.world import World

ERR = "... on Error { code message }"
VOTE_FIELDS = """id status electorateSize secret closedAt
  tally { ballots turnout quorumMet for against abstain passed countsHidden final }
  viewerStatus { eligible hasVoted receipt canChange }"""

PUT = f"""mutation($p: UUID!, $r: VoteRuleInput!) {{ putToVote(proposalId: $p, rule: $r) {{
  __typename ... on Vote {{ {VOTE_FIELDS} }} {ERR} }} }}"""
CAST = f"""mutation($v: UUID!, $c: Choice!, $t: String) {{
  castBallot(voteId: $v, choice: $c, changeToken: $t) {{
  __typename ... on BallotReceipt {{ receipt changeToken changed channel commitmentSalt }}
  {ERR} }} }}"""
RECORD = f"""mutation($v: UUID!, $c: Choice!, $m: UUID!, $r: UUID, $a: UUID, $t: String) {{
  recordInPersonBallot(voteId: $v, choice: $c, meetingId: $m, residentId: $r, accountId: $a,
    changeToken: $t) {{
  __typename ... on BallotReceipt {{ receipt changeToken changed channel commitmentSalt }}
  {ERR} }} }}"""
VOTE = f"""query($v: UUID!) {{ vote(id: $v) {{
  __typename ... on Vote {{ {VOTE_FIELDS} }} {ERR} }} }}"""
CLOSE = f"""mutation($v: UUID!) {{ closeVote(voteId: $v) {{
  __typename ... on Vote {{ {VOTE_FIELDS} }} {ERR} }} }}"""
COMMITMENTS = f"""query($v: UUID!) {{ voteCommitments(voteId: $v) {{
  __typename ... on CommitmentList {{ commitments }} {ERR} }} }}"""
SESSIONS = f"""query($v: UUID!) {{ inPersonSessions(voteId: $v) {{
  __typename ... on PollingSessionList {{ sessions {{
    meetingId meetingTitle recordedById recordedBy counted setAside }} }} {ERR} }} }}"""
CHOICES = f"""query($v: UUID!) {{ voteChoices(voteId: $v) {{
  __typename ... on ChoiceList {{ secret choices {{ choice ballotId voter }} }} {ERR} }} }}"""
VERIFY = f"""query($v: UUID!) {{ verifyTally(voteId: $v) {{
  __typename ... on VerifyResult {{ ok problems logEntries receipts countedBallots digest
    sealedDigest recount {{ for against abstain passed }} }} {ERR} }} }}"""
STATUS = f"""query($v: UUID!) {{ myVoteStatus(voteId: $v) {{
  __typename ... on VoterStatus {{ eligible reason hasVoted receipt canChange commitmentSalt
    commitment }} {ERR} }} }}"""


class Clock:
    """Moves the votes' notion of now; the database's rows keep their real times."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return utcnow() + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


async def make_proposal(
    db: Database,
    world: World,
    *,
    status: ProposalStatus = ProposalStatus.ACCEPTED,
    grid: str | None = "G1",
    community: uuid.UUID | None = None,
) -> uuid.UUID:
    """A topic row as the council's own services would leave it (their API is not ours)."""
    async with db.transaction() as session:
        proposal = Proposal(
            id=uuid.uuid4(),
            community_id=community or world.community,
            title="楼道停车",
            description="电动车停放",
            category=ProposalCategory.PARKING,
            source=ProposalSource.RESIDENT,
            status=status,
            grid_id=world.grids[grid] if grid else None,
            submitted_on=date.today(),
        )
        session.add(proposal)
    return proposal.id


async def open_meeting(
    db: Database,
    world: World,
    grid: str | None = "M1a",
    *,
    started: timedelta = timedelta(hours=1),
    cancelled: bool = False,
) -> uuid.UUID:
    """A corridor meeting under way (started ``started`` ago), where ballots are given in
    person; a stairwell's (M1a: member1a runs it) unless another grid is named."""
    async with db.transaction() as session:
        meeting = Meeting(
            id=uuid.uuid4(),
            community_id=world.community,
            kind=MeetingKind.DELIBERATION,
            title="楼道议事会",
            starts_at=utcnow() - started,
            place="楼道口",
            grid_id=world.grids[grid] if grid else None,
            minutes="",
            cancelled=cancelled,
        )
        session.add(meeting)
    return meeting.id


async def set_proposal_status(db: Database, proposal_id: uuid.UUID, status: ProposalStatus) -> None:
    async with db.transaction() as session:
        proposal = await session.get(Proposal, proposal_id)
        assert proposal is not None
        proposal.status = status


def rule(now: datetime | None = None, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "electorate": "ADULT_RESIDENTS",
        "closesAt": ((now or utcnow()) + timedelta(hours=1)).isoformat(),
        "threshold": "SIMPLE_MAJORITY",
        "secret": True,
    }
    values.update(overrides)
    return values


class Voters:
    """Access tokens, logging residents in once each through their one-time codes."""

    def __init__(self, api: Api, world: World, clock: Clock) -> None:
        self.api = api
        self.world = world
        self.clock = clock
        self.tokens: dict[str, str] = {}

    async def token(self, name: str) -> str:
        if name not in self.tokens:
            if name in self.world.residents:
                self.tokens[name] = await self._resident(name)
            else:
                self.tokens[name] = await self.api.login(name)
        return self.tokens[name]

    async def _resident(self, name: str) -> str:
        admin = await self.token("admin-b" if name.startswith("HB") else "admin")
        issued = await self.api.ok(
            """mutation($r: UUID!) { issueLoginCode(residentId: $r) {
                 __typename ... on LoginCode { code } } }""",
            {"r": str(self.world.residents[name])},
            admin,
        )
        login = await self.api.ok(
            """mutation($c: String!) { loginWithCode(code: $c) {
                 __typename ... on AuthSession { accessToken } } }""",
            {"c": issued["issueLoginCode"]["code"]},
        )
        return str(login["loginWithCode"]["accessToken"])

    async def put(self, proposal_id: uuid.UUID, by: str = "admin", **overrides: Any) -> dict:
        data = await self.api.ok(
            PUT,
            {"p": str(proposal_id), "r": rule(self.clock.now(), **overrides)},
            await self.token(by),
        )
        return dict(data["putToVote"])

    async def open_vote(self, db: Database, world: World, **overrides: Any) -> str:
        proposal_id = await make_proposal(db, world)
        put = await self.put(proposal_id, **overrides)
        assert put["__typename"] == "Vote", put
        return str(put["id"])

    async def cast(self, vote_id: str, who: str, choice: str, token: str | None = None) -> dict:
        data = await self.api.ok(
            CAST, {"v": vote_id, "c": choice, "t": token}, await self.token(who)
        )
        return dict(data["castBallot"])

    async def query(self, query: str, vote_id: str, who: str = "admin") -> dict:
        data = await self.api.ok(query, {"v": vote_id}, await self.token(who))
        return dict(next(iter(data.values())))


async def row_counts(db: Database) -> dict[str, int]:
    """The vote tables' sizes: what "nothing was recorded" compares."""
    async with db.read() as session:
        return {
            model.__tablename__: int(await session.scalar(select(func.count()).select_from(model)))
            for model in (Vote, VoterRecord, Ballot, BallotLogEntry)
        }


async def execute(db: Database, statement: Executable) -> None:
    """Change rows behind the application's back, as someone with database access could."""
    async with db.transaction() as session:
        await session.execute(statement)


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    """Every SQL statement sent to either engine while the block runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    engines = {db.write_engine.sync_engine, db.read_engine.sync_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)
