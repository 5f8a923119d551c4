"""What importing a register would do, row by row, before anything is written (the preview).

Each row is matched to a person already registered: by ID number (its keyed look-up hash,
as ``domain.services.id_numbers`` finds duplicates), else by address and name, so that the
same file imported twice creates nobody twice, with or without ID numbers. The outcome is
create, update (the fields that change, old → new, personal data masked), unchanged, or
refused with the reason.

Everything the rows need is loaded up front in a few queries (the community's grids, the
households at the file's buildings, the residents matched by hash or living there), so a
20,000-row register costs the same handful of statements as a 20-row one.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.register_cells import GENDER_LABELS, RELATION_LABELS, resident_fields
from api.register_file import COLUMNS, Register, RegisterRow, cell_text, header_of
from domain.errors import Conflict, DomainError, InvalidInput
from domain.i18n import N_, render, translate
from domain.models import Grid, GridLevel, Household, Relation, Resident
from domain.permissions import require_admin
from domain.personal_data import (
    PersonalDataCipher,
    mask_id_number,
    mask_phone,
    normalize_id_number,
    normalize_phone,
)
from domain.principal import Principal
from domain.services.grids import community_grids
from domain.services.resident_tags import tag_vocabulary

Progress = Callable[[int, int], None]
"""Called every ``PROGRESS_EVERY`` rows, and at the end, with (rows done, rows in total)."""

PROGRESS_EVERY = 200
_CHUNK = 500  # bound parameters per IN (...), well under both databases' limits

Address = tuple[str, str, str]


class Outcome(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass
class RowPlan:
    line: int
    outcome: Outcome
    name: str
    address: str
    cells: dict[str, Any]
    changes: list[Change] = field(default_factory=list)
    error: DomainError | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    resident_id: uuid.UUID | None = None
    household: Address | None = None
    household_id: uuid.UUID | None = None  # the registered household at the row's address
    micro_grid_id: uuid.UUID | None = None  # set when the row's household is to be created


_SHOWN = {
    "name": N_("name"),
    "phone": N_("phone"),
    "id_number": N_("ID number"),
    "birth_date": N_("birth date"),
    "tags": N_("tags"),
    "party_member": N_("party member"),
    "political_status": N_("political status"),
    "gender": N_("gender"),
    "relation_to_head": N_("relation to head"),
    "household_id": N_("address"),
}
"""The fields a change names (message ids, rendered in the reader's language)."""


def address_of(cells: dict[str, Any]) -> Address:
    return (
        cell_text(cells.get("building")),
        cell_text(cells.get("unit")),
        cell_text(cells.get("room")),
    )


def _shown(key: str, value: Any) -> str:
    """A value as the preview prints it; phones and ID numbers masked, dates by year."""
    if value is None or value == [] or value == "":
        return ""
    if key == "phone":
        return mask_phone(str(value))
    if key == "id_number":
        return mask_id_number(str(value))
    if key == "birth_date" and isinstance(value, date):
        return str(value.year)
    if key == "tags":
        return "、".join(value)
    if key == "party_member":
        return "是" if value else "否"
    if key == "gender":
        return GENDER_LABELS.get(value, str(value))
    if key == "relation_to_head":
        return RELATION_LABELS.get(value, str(value))
    return str(value)


def _chunks(values: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


class Planner:
    """Loads what a register touches, then decides every row without another query."""

    def __init__(
        self, session: AsyncSession, principal: Principal, cipher: PersonalDataCipher
    ) -> None:
        self.session = session
        self.who = principal
        self.cipher = cipher
        self.micro_grids: dict[str, list[Grid]] = {}
        self.households: dict[Address, Household] = {}
        self.by_hash: dict[str, Resident] = {}
        self.by_home: dict[tuple[uuid.UUID, str], list[Resident]] = {}
        self.heads: dict[Address, str] = {}  # the head of each address, as the file leaves it
        self.vocabulary: list[str] = []
        self.seen_ids: dict[str, int] = {}
        self.seen_homes: dict[tuple[Address, str], int] = {}
        self.planned: dict[Address, uuid.UUID] = {}  # new addresses, by their micro-grid

    async def load(self, rows: list[RegisterRow]) -> None:
        who = self.who
        self.vocabulary = await tag_vocabulary(self.session, who.community_id)
        grids = await community_grids(self.session, who.community_id)
        names = {grid.id: grid.name for grid in grids}
        for grid in grids:
            if grid.level is GridLevel.MICRO_GRID:
                self.micro_grids.setdefault(grid.name, []).append(grid)
                path = f"{names.get(grid.parent_id or grid.id, '')}/{grid.name}"
                self.micro_grids.setdefault(path, []).append(grid)
        buildings = sorted({cell_text(row.cells.get("building")) for row in rows} - {""})
        for chunk in _chunks(buildings):
            for household in await self.session.scalars(
                select(Household).where(
                    Household.community_id == who.community_id,
                    Household.building.in_(chunk),
                    Household.deleted.is_(False),
                )
            ):
                self.households[(household.building, household.unit, household.room)] = household
        hashes = sorted({h for h in (self._hash(row) for row in rows) if h})
        residents: dict[uuid.UUID, Resident] = {}
        for chunk in _chunks(hashes):
            for resident in await self.session.scalars(
                select(Resident).where(
                    Resident.community_id == who.community_id,
                    Resident.id_number_hash.in_(chunk),
                    Resident.deleted.is_(False),
                )
            ):
                residents[resident.id] = resident
        ids = sorted(h.id for h in self.households.values())
        for chunk in _chunks(ids):
            for resident in await self.session.scalars(
                select(Resident).where(
                    Resident.household_id.in_(chunk), Resident.deleted.is_(False)
                )
            ):
                residents[resident.id] = resident
        addresses = {h.id: a for a, h in self.households.items()}
        for resident in residents.values():
            if resident.id_number_hash:
                self.by_hash[resident.id_number_hash] = resident
            self.by_home.setdefault((resident.household_id, resident.name), []).append(resident)
            address = addresses.get(resident.household_id)
            if address is not None and resident.relation_to_head is Relation.HEAD:
                self.heads[address] = resident.name

    def _hash(self, row: RegisterRow) -> str | None:
        text = cell_text(row.cells.get("id_number"))
        try:
            return self.cipher.lookup_hash(normalize_id_number(text)) if text else None
        except DomainError:
            return None

    def _micro_grid(self, name: str) -> Grid:
        found = self.micro_grids.get(name, [])
        if not found:
            raise InvalidInput("microGrid", N_("no micro-grid named {name}"), name=repr(name))
        if len(found) > 1:
            raise InvalidInput(
                "microGrid", N_("{name} is ambiguous; write 网格/微网格"), name=repr(name)
            )
        return found[0]

    def plan(self, row: RegisterRow) -> RowPlan:
        address = address_of(row.cells)
        plan = RowPlan(
            line=row.line,
            outcome=Outcome.REFUSED,
            name=cell_text(row.cells.get("name")),
            address="-".join(address),
            cells=row.cells,
            household=address,
        )
        try:
            self._decide(plan, row, address)
        except DomainError as exc:
            plan.outcome, plan.error, plan.changes = Outcome.REFUSED, exc, []
        return plan

    def _decide(self, plan: RowPlan, row: RegisterRow, address: Address) -> None:
        for part, value in zip(("building", "unit", "room"), address, strict=True):
            if not value:
                raise InvalidInput(part, N_("is required"))
        fields = resident_fields(row.cells, self.vocabulary)
        if fields["phone"]:
            fields["phone"] = normalize_phone(fields["phone"])
        digest = None
        if fields["id_number"]:
            fields["id_number"] = normalize_id_number(fields["id_number"])
            digest = self.cipher.lookup_hash(fields["id_number"])
            if digest in self.seen_ids:
                raise Conflict(N_("the same ID number as line {line}"), line=self.seen_ids[digest])
        home_key = (address, fields["name"])
        if home_key in self.seen_homes:
            raise Conflict(
                N_("the same person at the same address as line {line}"),
                line=self.seen_homes[home_key],
            )
        household = self.households.get(address)
        micro_name = cell_text(row.cells.get("micro_grid"))
        if household is not None:
            plan.household_id = household.id
            if micro_name and self._micro_grid(micro_name).id != household.grid_id:
                raise InvalidInput("microGrid", N_("this address is already in another micro-grid"))
        elif address in self.planned:  # a new address an earlier row of the file creates
            plan.micro_grid_id = self.planned[address]
            if micro_name and self._micro_grid(micro_name).id != plan.micro_grid_id:
                raise InvalidInput("microGrid", N_("this address is already in another micro-grid"))
        elif not micro_name:
            raise InvalidInput("microGrid", N_("is required for an address not registered yet"))
        else:
            plan.micro_grid_id = self._micro_grid(micro_name).id
        existing = self._match(digest, household, fields["name"])
        if fields["relation_to_head"] is Relation.HEAD:
            head = self.heads.get(address)
            if head is not None and head != fields["name"]:
                raise Conflict(N_("the household already has a head: {name}"), name=head)
        wanted = {k: v for k, v in fields.items() if v is not None}
        if existing is None:
            plan.outcome = Outcome.CREATE
            plan.fields = wanted
            plan.changes = [Change(k, "", _shown(k, v)) for k, v in wanted.items()]
        else:
            plan.resident_id = existing.id
            plan.changes, plan.fields = self._changes(existing, household, wanted, plan.address)
            plan.outcome = Outcome.UPDATE if plan.changes else Outcome.UNCHANGED
        if digest:
            self.seen_ids[digest] = row.line
        self.seen_homes[home_key] = row.line
        if plan.micro_grid_id is not None:
            self.planned[address] = plan.micro_grid_id
        if fields["relation_to_head"] is Relation.HEAD:
            self.heads[address] = fields["name"]

    def _match(self, digest: str | None, household: Household | None, name: str) -> Resident | None:
        if digest and digest in self.by_hash:
            return self.by_hash[digest]
        if household is None:
            return None
        for resident in self.by_home.get((household.id, name), []):
            if not (digest and resident.id_number_hash and resident.id_number_hash != digest):
                return resident
        return None

    def _changes(
        self,
        resident: Resident,
        household: Household | None,
        wanted: dict[str, Any],
        address: str,
    ) -> tuple[list[Change], dict[str, Any]]:
        changes: list[Change] = []
        fields: dict[str, Any] = {}
        for key, new in wanted.items():
            if key == "id_number":
                if self.cipher.lookup_hash(new) == resident.id_number_hash:
                    continue
                old: Any = resident.id_number_masked or ""
                changes.append(Change(key, old, _shown(key, new)))
                fields[key] = new
                continue
            old = getattr(resident, key)
            if key == "tags":
                old = sorted(old or [])
            if old != new:
                changes.append(Change(key, _shown(key, old), _shown(key, new)))
                fields[key] = new
        if household is None or household.id != resident.household_id:
            moved_from = next(
                ("-".join(a) for a, h in self.households.items() if h.id == resident.household_id),
                "",
            )
            changes.append(Change("household_id", moved_from, address))
            fields["household_id"] = None  # the row's household, known (or created) on apply
        return changes, fields


async def plan_register(
    session: AsyncSession,
    principal: Principal,
    cipher: PersonalDataCipher,
    register: Register,
    *,
    progress: Progress | None = None,
) -> list[RowPlan]:
    """Every row's outcome, in file order; reads only. Yields to the event loop between
    batches so that a streaming response can send its progress lines."""
    require_admin(principal)
    planner = Planner(session, principal, cipher)
    await planner.load(register.rows)
    plans: list[RowPlan] = []
    total = len(register.rows)
    for done, row in enumerate(register.rows, start=1):
        plans.append(planner.plan(row))
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)
            await asyncio.sleep(0)
    return plans


def shown_field(key: str) -> str:
    return _SHOWN.get(key, key)


_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")


def row_reason(error: DomainError, language: str) -> str:
    """Why a row was refused, naming the field by the register's own column header in the
    reader's language (身份证号, not ``idNumber``): the operator fixes the spreadsheet, not an
    API call."""
    if not isinstance(error, InvalidInput):
        return error.render(language)
    key = _SNAKE.sub("_", error.field).lower()
    column = next((c for c in COLUMNS if c.key == key), None)
    label = header_of(column, language) if column else translate(shown_field(key), language)
    own = render(error.template, error.params, language)
    return render(N_("{field}: {message}"), {"field": label, "message": own}, language)
