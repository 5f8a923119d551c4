"""The demo council's stage: its people, their principals, and the story's clock.

``api.demo_council`` plays the story on it; this part knows who may act (one adult with a
phone per household, leaving out the households whose residents get login codes so they can
still vote), turns residents and staff into principals, and dates the rows of each step.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from domain.electorate import CHINA_TIME
from domain.models import (
    Account,
    AccountKind,
    AgendaItem,
    Attendance,
    Choice,
    Grid,
    Household,
    Meeting,
    MeetingKind,
    ProgressReport,
    Proposal,
    ProposalSupport,
    ProposalTransition,
    Rating,
    Resident,
    Resolution,
    Vote,
)
from domain.models.base import Stamped, utcnow
from domain.principal import Principal
from domain.services.ballots import record_in_person
from domain.services.meetings import schedule_meeting
from domain.services.principals import load_principal

SEED = 20261126
STORY_ROWS = (
    Proposal,
    ProposalTransition,
    ProposalSupport,
    Meeting,
    AgendaItem,
    Attendance,
    Resolution,
    ProgressReport,
    Rating,
)


@dataclass(frozen=True)
class Register:
    """What ``api.demo`` built and the council needs: people, places and staff accounts."""

    community_id: uuid.UUID
    admin: Principal
    accounts: dict[str, uuid.UUID]  # demo username → account
    grids: dict[str, Grid]  # grid or stairwell name → node
    grid_numbers: dict[str, int]  # grid or stairwell name → its grid's number (member{n})
    stairwell_staff: dict[uuid.UUID, uuid.UUID]  # stairwell → its 红色微网格员's account
    households: Sequence[Household]
    residents: Sequence[Resident]
    reserved: frozenset[uuid.UUID]  # households of the residents who get login codes


class Stage:
    """State shared by the story's steps: topic ids and backers, meetings, principals."""

    def __init__(self, session: AsyncSession, register: Register) -> None:
        self.session = session
        self.reg = register
        self.admin = register.admin
        self.rng = random.Random(SEED)
        self.now = utcnow()
        self.today = self.now.astimezone(CHINA_TIME).date()
        self.written_rows: dict[int, tuple[Stamped, bool]] = {}
        self.ids: dict[str, uuid.UUID] = {}
        self.people: dict[str, list[Resident]] = {}  # topic → its raiser, then its supporters
        self.residents: dict[uuid.UUID, Principal] = {}
        self.staff: dict[uuid.UUID, Principal] = {}
        self.meetings: dict[str, Meeting] = {}
        self.polling: dict[uuid.UUID, Meeting] = {}  # stairwell → its meeting under way now
        self.adults_cache: dict[str, list[Resident]] = {}

    # -- people, principals and the story's clock ----------------------------------------

    def _adults(self, place: str | None) -> list[Resident]:
        """One adult with a phone per household of ``place`` (None: everywhere), in register
        order, leaving out the households whose residents get login codes (they vote live)."""
        key = place or ""
        if key not in self.adults_cache:
            self.adults_cache[key] = [
                next(iter(members))
                for members in self._by_household(place, phone=True).values()
                if members
            ]
        return self.adults_cache[key]

    def _offline(self, place: str | None, number: int) -> list[Resident]:
        """Adults without a phone: they vote in person, recorded by a grid volunteer."""
        found = [m for ms in self._by_household(place, phone=False).values() for m in ms]
        return found[:number]

    def _by_household(self, place: str | None, *, phone: bool) -> dict[uuid.UUID, list[Resident]]:
        nodes = self._subtree(place)
        homes: dict[uuid.UUID, list[Resident]] = {
            h.id: []
            for h in self.reg.households
            if h.id not in self.reg.reserved and (nodes is None or h.grid_id in nodes)
        }
        cutoff = self.today.replace(year=self.today.year - 19)
        for resident in self.reg.residents:
            if resident.household_id not in homes or resident.birth_date is None:
                continue
            if resident.birth_date <= cutoff and (resident.phone is not None) == phone:
                homes[resident.household_id].append(resident)
        return homes

    def _subtree(self, place: str | None) -> set[uuid.UUID] | None:
        if place is None:
            return None
        root = self.reg.grids[place].id
        return {g.id for g in self.reg.grids.values() if root in (g.id, g.parent_id)}

    async def _resident(self, person: Resident) -> Principal:
        """The resident's account (what their first login would create) as a principal."""
        if person.id not in self.residents:
            account = Account(
                id=uuid.uuid4(),
                community_id=person.community_id,
                kind=AccountKind.RESIDENT,
                display_name=person.name,
                resident_id=person.id,
            )
            self.session.add(account)
            await self.session.flush()
            self.residents[person.id] = Principal(
                account_id=account.id,
                community_id=person.community_id,
                kind=AccountKind.RESIDENT,
                display_name=person.name,
                resident_id=person.id,
                household_id=person.household_id,
            )
        return self.residents[person.id]

    async def _staff(self, account_id: uuid.UUID) -> Principal:
        if account_id not in self.staff:
            principal = await load_principal(self.session, account_id)
            assert principal is not None
            self.staff[account_id] = principal
        return self.staff[account_id]

    def day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    def at(self, offset: int, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(self.day(offset), time(hour, minute), tzinfo=CHINA_TIME)

    def _title(self, offset: int, kind: str) -> str:
        return f"{self.day(offset).month}月{kind}"

    def written(self, session: Session, _context: object) -> None:
        """``after_flush``: remember the story rows each step inserted or changed."""
        new = set(session.new)
        for row in (*new, *session.dirty):
            if isinstance(row, STORY_ROWS):
                _, created = self.written_rows.get(id(row), (row, False))
                self.written_rows[id(row)] = (row, created or row in new)

    async def _dated(self, when: datetime) -> None:
        """Give the council rows written since the last call the story's time ``when``."""
        for row, created in self.written_rows.values():
            if created:
                row.created_at = when
                if isinstance(row, Proposal):
                    row.submitted_on = when.astimezone(UTC).date()
            row.updated_at = when
        await self.session.flush()
        self.written_rows.clear()

    async def _in_person(self, vote: Vote, person: Resident, choice: Choice) -> None:
        """An elderly neighbour without a phone votes through their stairwell's volunteer, at
        the stairwell's meeting under way this afternoon (their attendance recorded there)."""
        household = next(h for h in self.reg.households if h.id == person.household_id)
        recorder = await self._staff(self.reg.stairwell_staff[household.grid_id])
        meeting = self.polling.get(household.grid_id)
        if meeting is None:
            stairwell = next(g for g in self.reg.grids.values() if g.id == household.grid_id)
            meeting = await schedule_meeting(
                self.session,
                recorder,
                kind=MeetingKind.DELIBERATION,
                title=f"{stairwell.name}楼道议事会",
                starts_at=self.now - timedelta(hours=1),
                place=f"{stairwell.name}楼道口",
                grid_id=household.grid_id,
            )
            self.polling[household.grid_id] = meeting
        await record_in_person(
            self.session, recorder, vote.id, choice, meeting_id=meeting.id, resident_id=person.id
        )


def day_text(day: date) -> str:
    return f"{day.month}月{day.day}日"


def when_text(moment: datetime) -> str:
    local = moment.astimezone(CHINA_TIME)
    return f"{local.year}年{day_text(local.date())} {local:%H:%M}"
