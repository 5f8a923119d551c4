"""The resident register (居民花名册) in and out of the spreadsheets communities keep.

Import (preview, then apply) is ``api.register_plan`` and ``api.register_import``; this
module runs it from the command line, as the community's admin.

Export is a bulk read of personal data (PIPL): an admin action, masked unless asked
otherwise, and logged with one ``PersonalDataAccess`` row that commits before the file
appears.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.register_cells import GENDER_LABELS, RELATION_LABELS
from api.register_file import (
    COLUMNS,
    RegisterFileError,
    header_of,
    inert,
    read_register,
    write_register,
)
from api.register_import import ImportReport, RegisterRejected, import_register
from api.register_plan import Progress
from domain.database import Database
from domain.errors import DomainError, NotFound
from domain.i18n import DEFAULT_LANGUAGE, N_
from domain.models import (
    Account,
    AccountKind,
    Community,
    Gender,
    Grid,
    Household,
    PersonalDataAccess,
    Relation,
    Resident,
)
from domain.permissions import require_admin, residents_visible
from domain.personal_data import PersonalDataCipher, mask_phone
from domain.principal import Principal
from domain.words import yes_no


async def import_residents(
    db: Database,
    cipher: PersonalDataCipher,
    path: Path,
    *,
    community: str | None = None,
    apply: bool = True,
    skip_refused: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Read ``path`` and preview or import it in one transaction, as the community's admin.
    A rejected register comes back as its report, with nothing written."""
    register = read_register(path)
    try:
        async with db.transaction() as session:
            principal = await admin_principal(session, community)
            return await import_register(
                session,
                principal,
                cipher,
                register,
                apply=apply,
                skip_refused=skip_refused,
                progress=progress,
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
    tags = "、".join(resident.tags)
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
        GENDER_LABELS[Gender(resident.gender)],
        RELATION_LABELS[Relation(resident.relation_to_head)] if resident.relation_to_head else "",
        resident.political_status or "",
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
