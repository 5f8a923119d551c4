"""Importing a register: the preview's plan, then applying it through the domain services.

Applying is all-or-nothing by default: a register half loaded is worse than none, because
the operator cannot tell which rows to fix and re-send. With ``skip_refused`` the good rows
go in and the refused ones come back (as a workbook, ``api.register_refused``) to be fixed
and imported again. Every row is written in its own SAVEPOINT by the same services the
API uses (``create_household``, ``create_resident``, ``update_resident``), so the rules
are the API's; a row those services still refuse is reported like any other refusal.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.register_file import Register
from api.register_plan import (
    PROGRESS_EVERY,
    Address,
    Outcome,
    Progress,
    RowPlan,
    plan_register,
    row_reason,
    shown_field,
)
from domain.errors import Conflict, DomainError
from domain.i18n import N_, translate
from domain.permissions import require_admin
from domain.personal_data import PersonalDataCipher
from domain.principal import Principal
from domain.services.households import create_household
from domain.services.residents import create_resident, update_resident


@dataclass
class ImportReport:
    rows: list[RowPlan]
    ignored_columns: list[str] = field(default_factory=list)
    applied: bool = False
    households_created: int = 0

    @property
    def refused(self) -> list[RowPlan]:
        return [row for row in self.rows if row.outcome is Outcome.REFUSED]

    def counts(self) -> dict[str, int]:
        found = {outcome.value: 0 for outcome in Outcome}
        for row in self.rows:
            found[row.outcome.value] += 1
        return found

    def as_json(self, language: str) -> dict[str, Any]:
        """The report as the console reads it; reasons and field names in ``language``."""
        return {
            "rows": [
                {
                    "line": row.line,
                    "outcome": row.outcome.value,
                    "name": row.name,
                    "address": row.address,
                    "changes": [
                        {
                            "field": translate(shown_field(c.field), language),
                            "old": c.old,
                            "new": c.new,
                        }
                        for c in row.changes
                    ],
                    "reason": row_reason(row.error, language) if row.error else None,
                }
                for row in self.rows
            ],
            "counts": self.counts(),
            "applied": self.applied,
            "householdsCreated": self.households_created,
            "ignoredColumns": self.ignored_columns,
        }


class RegisterRejected(DomainError):
    """Raised inside the transaction so that a register with refused rows leaves nothing."""

    code = "REGISTER_REJECTED"

    def __init__(self, report: ImportReport) -> None:
        super().__init__(
            N_("{count} refused rows; nothing was imported"), count=len(report.refused)
        )
        self.report = report


async def import_register(
    session: AsyncSession,
    principal: Principal,
    cipher: PersonalDataCipher,
    register: Register,
    *,
    apply: bool,
    skip_refused: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Plan every row and, with ``apply``, write them into the caller's transaction. Raises
    ``RegisterRejected`` (roll back) when rows are refused and ``skip_refused`` is not set."""
    who = require_admin(principal)
    plans = await plan_register(session, who, cipher, register, progress=progress)
    report = ImportReport(rows=plans, ignored_columns=register.ignored_columns)
    if not apply:
        return report
    if report.refused and not skip_refused:
        raise RegisterRejected(report)
    writer = _Writer(session, who, cipher)
    todo = [p for p in plans if p.outcome in (Outcome.CREATE, Outcome.UPDATE)]
    for done, plan in enumerate(todo, start=1):
        try:
            await writer.write(plan)
        except DomainError as exc:
            plan.outcome, plan.error = Outcome.REFUSED, exc
        except IntegrityError:
            plan.outcome = Outcome.REFUSED
            plan.error = Conflict(N_("clashes with a row already registered"))
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == len(todo)):
            progress(done, len(todo))
    if report.refused and not skip_refused:
        raise RegisterRejected(report)
    report.applied = True
    report.households_created = writer.created
    return report


class _Writer:
    """Writes planned rows, creating each new address's household once."""

    def __init__(
        self, session: AsyncSession, principal: Principal, cipher: PersonalDataCipher
    ) -> None:
        self.session = session
        self.who = principal
        self.cipher = cipher
        self.households: dict[Address, uuid.UUID] = {}
        self.created = 0

    async def _household(self, plan: RowPlan) -> tuple[uuid.UUID, bool]:
        """The row's household, and whether this row creates it."""
        assert plan.household is not None
        if plan.household_id is not None:
            return plan.household_id, False
        if plan.household in self.households:
            return self.households[plan.household], False
        assert plan.micro_grid_id is not None, "the plan refuses a new address without one"
        building, unit, room = plan.household
        household = await create_household(
            self.session,
            self.who,
            grid_id=plan.micro_grid_id,
            building=building,
            unit=unit,
            room=room,
        )
        return household.id, True

    async def write(self, plan: RowPlan) -> None:
        """One row in its own SAVEPOINT; a new household is remembered once the row is in."""
        async with self.session.begin_nested():
            fields = dict(plan.fields)
            household_id, created = await self._household(plan)
            if plan.outcome is Outcome.CREATE:
                await create_resident(
                    self.session, self.who, self.cipher, household_id=household_id, fields=fields
                )
            else:
                assert plan.resident_id is not None
                if "household_id" in fields:
                    fields["household_id"] = household_id
                await update_resident(self.session, self.who, self.cipher, plan.resident_id, fields)
        if created:
            assert plan.household is not None
            self.households[plan.household] = household_id
            self.created += 1
