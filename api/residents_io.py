"""The resident register (居民花名册) in and out of the spreadsheets communities keep.

Import is all-or-nothing by default: a register half loaded is worse than none, because the
operator cannot tell which rows to fix and re-send. Every row still runs in its own
SAVEPOINT through the domain services, so that all bad rows are reported at once (by their
spreadsheet line, header = line 1) and ``skip_bad`` can keep the good ones.

Export is a bulk read of personal data (PIPL): an admin action, masked unless asked
otherwise, and logged with one ``PersonalDataAccess`` row that commits before the file
appears.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.register_file import (
    COLUMNS,
    TAG_LABELS,
    Register,
    RegisterFileError,
    RegisterRow,
    cell_text,
    header_of,
    inert,
    read_register,
    resident_fields,
    write_register,
)
from domain.database import Database
from domain.errors import Conflict, DomainError, InvalidInput, NotFound
from domain.i18n import DEFAULT_LANGUAGE, N_
from domain.models import (
    Account,
    AccountKind,
    Community,
    Grid,
    GridLevel,
    Household,
    PersonalDataAccess,
    Resident,
    ResidentTag,
)
from domain.permissions import require_admin, residents_visible
from domain.personal_data import PersonalDataCipher, mask_phone
from domain.principal import Principal
from domain.services.grids import community_grids
from domain.services.households import create_household
from domain.services.residents import create_resident
from domain.words import yes_no

Progress = Callable[[int, int], None]
"""Called after each row with (rows done, rows in total)."""


@dataclass(frozen=True)
class RowError:
    line: int
    error: DomainError

    @property
    def message(self) -> str:
        """In English, for logs and tests; ``render`` gives the reader's language."""
        return self.error.message

    def render(self, language: str) -> str:
        return self.error.render(language)


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    households_created: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    rejected: bool = False  # bad rows without skip_bad: the whole register was rolled back


class RegisterRejected(DomainError):
    """Raised inside the transaction so that a register with bad rows leaves nothing behind."""

    code = "REGISTER_REJECTED"

    def __init__(self, report: ImportReport) -> None:
        super().__init__(N_("{count} bad rows; nothing was imported"), count=len(report.errors))
        self.report = report


class _Importer:
    """Rows to residents, reusing each address's household once it has been seen."""

    def __init__(
        self, session: AsyncSession, principal: Principal, cipher: PersonalDataCipher
    ) -> None:
        self.session = session
        self.principal = principal
        self.cipher = cipher
        self.households: dict[tuple[str, str, str], Household] = {}
        self.micro_grids: dict[str, list[Grid]] = {}

    async def load_grids(self) -> None:
        grids = await community_grids(self.session, self.principal.community_id)
        names = {grid.id: grid.name for grid in grids}
        for grid in grids:
            if grid.level is GridLevel.MICRO_GRID:
                self.micro_grids.setdefault(grid.name, []).append(grid)
                path = f"{names.get(grid.parent_id or grid.id, '')}/{grid.name}"
                self.micro_grids.setdefault(path, []).append(grid)

    def _micro_grid(self, name: str) -> Grid:
        found = self.micro_grids.get(name, [])
        if not found:
            raise InvalidInput("microGrid", N_("no micro-grid named {name}"), name=repr(name))
        if len(found) > 1:
            raise InvalidInput(
                "microGrid", N_("{name} is ambiguous; write 网格/微网格"), name=repr(name)
            )
        return found[0]

    async def _household(self, cells: dict[str, Any]) -> tuple[Household, bool]:
        address = (
            cell_text(cells.get("building")),
            cell_text(cells.get("unit")),
            cell_text(cells.get("room")),
        )
        for part, value in zip(("building", "unit", "room"), address, strict=True):
            if not value:
                raise InvalidInput(part, N_("is required"))
        micro_name = cell_text(cells.get("micro_grid"))
        household = self.households.get(address) or await self.session.scalar(
            select(Household).where(
                Household.community_id == self.principal.community_id,
                Household.building == address[0],
                Household.unit == address[1],
                Household.room == address[2],
                Household.deleted.is_(False),
            )
        )
        if household is not None:
            if micro_name and self._micro_grid(micro_name).id != household.grid_id:
                raise InvalidInput("microGrid", N_("this address is already in another micro-grid"))
            return household, False
        if not micro_name:
            raise InvalidInput("microGrid", N_("is required for an address not registered yet"))
        created = await create_household(
            self.session,
            self.principal,
            grid_id=self._micro_grid(micro_name).id,
            building=address[0],
            unit=address[1],
            room=address[2],
        )
        return created, True

    async def import_row(self, row: RegisterRow) -> bool:
        """One row in its own SAVEPOINT; True when it created a household."""
        async with self.session.begin_nested():
            fields = resident_fields(row.cells)
            household, created = await self._household(row.cells)
            await create_resident(
                self.session, self.principal, self.cipher, household_id=household.id, fields=fields
            )
        self.households[(household.building, household.unit, household.room)] = household
        return created


async def import_register(
    session: AsyncSession,
    principal: Principal,
    cipher: PersonalDataCipher,
    register: Register,
    *,
    skip_bad: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import into the caller's transaction; raises ``RegisterRejected`` unless ``skip_bad``."""
    require_admin(principal)
    importer = _Importer(session, principal, cipher)
    await importer.load_grids()
    report = ImportReport(rows=len(register.rows), ignored_columns=register.ignored_columns)
    for done, row in enumerate(register.rows, start=1):
        try:
            report.households_created += await importer.import_row(row)
            report.imported += 1
        except DomainError as exc:
            report.errors.append(RowError(row.line, exc))
        except IntegrityError:
            clash = Conflict(N_("clashes with a row already registered"))
            report.errors.append(RowError(row.line, clash))
        if progress is not None:
            progress(done, report.rows)
    if report.errors and not skip_bad:
        report.imported = report.households_created = 0
        report.rejected = True
        raise RegisterRejected(report)
    return report


async def import_residents(
    db: Database,
    cipher: PersonalDataCipher,
    path: Path,
    *,
    community: str | None = None,
    skip_bad: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Read ``path`` and import it in one transaction, as the community's admin."""
    register = read_register(path)
    try:
        async with db.transaction() as session:
            principal = await admin_principal(session, community)
            return await import_register(
                session, principal, cipher, register, skip_bad=skip_bad, progress=progress
            )
    except RegisterRejected as rejected:
        return rejected.report


async def export_register(
    session: AsyncSession,
    principal: Principal,
    cipher: PersonalDataCipher,
    *,
    unmasked: bool,
    language: str = DEFAULT_LANGUAGE,
) -> list[list[str]]:
    """The register as rows of text under ``COLUMNS``' headers in ``language``, and its audit
    row. What it writes, the import reads back in either language."""
    who = require_admin(principal)
    result = await session.execute(
        select(Resident, Household, Grid.name)
        .join(Household, Household.id == Resident.household_id)
        .join(Grid, Grid.id == Household.grid_id)
        .where(residents_visible(who))
    )
    ordered = sorted(result, key=lambda row: _address_order(row[1], row[0]))
    rows = [_export_row(r, h, grid, cipher, unmasked, language) for r, h, grid in ordered]
    session.add(
        PersonalDataAccess(
            community_id=who.community_id,
            account_id=who.account_id,
            purpose="export",
            detail=f"{len(rows)} residents, {'unmasked' if unmasked else 'masked'}",
        )
    )
    await session.flush()
    return [[header_of(column, language) for column in COLUMNS], *rows]


def _address_order(household: Household, resident: Resident) -> tuple[str, str, str]:
    """Household by household in address order (2, 10, 101, 1001), as a register is read on
    paper and as the residents list pages (``Household.sort_key``), then by name."""
    return (household.sort_key, resident.name, str(resident.id))


def _export_row(
    resident: Resident,
    household: Household,
    micro_grid: str,
    cipher: PersonalDataCipher,
    unmasked: bool,
    language: str,
) -> list[str]:
    """A masked row hides the birth date too (year only): the masked ID number hides it."""
    if unmasked:
        phone = resident.phone or ""
        id_number = cipher.decrypt(resident.id_number_cipher) if resident.id_number_cipher else ""
        born = resident.birth_date.isoformat() if resident.birth_date else ""
    else:
        phone = mask_phone(resident.phone) if resident.phone else ""
        id_number = resident.id_number_masked or ""
        born = str(resident.birth_date.year) if resident.birth_date else ""
    chinese = language == "zh"
    tags = ("、" if chinese else ", ").join(
        TAG_LABELS[ResidentTag(tag)] if chinese else ResidentTag(tag).value for tag in resident.tags
    )
    values = (
        household.building,
        household.unit,
        household.room,
        resident.name,
        phone,
        id_number,
        born,
        tags,
        yes_no(resident.party_member, language),
        micro_grid,
    )
    return [inert(value) for value in values]


async def export_residents(
    db: Database,
    cipher: PersonalDataCipher,
    path: Path,
    *,
    community: str | None = None,
    unmasked: bool = False,
    language: str = DEFAULT_LANGUAGE,
) -> int:
    """Export to ``path``; the file appears only after its audit row is committed."""
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise RegisterFileError(N_("export to a .csv or .xlsx file"))
    partial = path.with_name(f".{path.stem}.{uuid.uuid4().hex}.partial{path.suffix}")
    try:
        async with db.transaction() as session:
            principal = await admin_principal(session, community)
            rows = await export_register(
                session, principal, cipher, unmasked=unmasked, language=language
            )
            write_register(partial, rows)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return len(rows) - 1


async def find_community(session: AsyncSession, name: str | None) -> Community:
    """The named community, or the only one; the command line serves one community at a time."""
    communities = list(await session.scalars(select(Community).order_by(Community.name)))
    if name is not None:
        for community in communities:
            if community.name == name.strip():
                return community
        raise NotFound(N_("community"), name)
    if len(communities) == 1:
        return communities[0]
    if not communities:
        raise DomainError(N_("there is no community yet; create one with `changlang create-admin`"))
    names = "、".join(c.name for c in communities)
    raise DomainError(N_("several communities ({names}); choose one with --community"), names=names)


async def admin_principal(session: AsyncSession, community_name: str | None) -> Principal:
    """Act as the community's first admin, so that audit rows name an accountable person."""
    community = await find_community(session, community_name)
    admin = await session.scalar(
        select(Account)
        .where(
            Account.community_id == community.id,
            Account.kind == AccountKind.ADMIN,
            Account.disabled.is_(False),
        )
        .order_by(Account.created_at, Account.id)
        .limit(1)
    )
    if admin is None:
        raise DomainError(
            N_("{community} has no admin yet; run `changlang create-admin`"),
            community=community.name,
        )
    return Principal(
        account_id=admin.id,
        community_id=community.id,
        kind=AccountKind.ADMIN,
        display_name=admin.display_name,
    )
