"""Residents (居民): reading within one's coverage, personal data on request, staff changes."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.dialect import json_array_contains
from domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from domain.i18n import N_
from domain.models import Gender, Household, PersonalDataAccess, Relation, Resident
from domain.pagination import Page, keyset_page
from domain.permissions import (
    require_covers,
    require_staff,
    resident_pii_visible,
    residents_visible,
)
from domain.personal_data import (
    PersonalDataCipher,
    normalize_phone,
)
from domain.principal import Principal
from domain.services.grids import subtree_of
from domain.services.households import editable_household, editable_households
from domain.services.id_numbers import set_id_number
from domain.services.resident_tags import checked_tags, tag_vocabulary
from domain.validation import clean_text

if TYPE_CHECKING:
    from domain.services.resident_rows import NewResident

NAME_MAX = 50
SEARCH_MAX = 50


@dataclass(frozen=True)
class ResidentFilter:
    grid_id: uuid.UUID | None = None
    household_id: uuid.UUID | None = None
    tag: str | None = None
    search: str | None = None


@dataclass(frozen=True)
class PersonalData:
    """The unmasked record: returned for one resident at a time, and every read is logged."""

    resident_id: uuid.UUID
    phone: str | None
    id_number: str | None
    room: str


def _select(principal: Principal) -> Select[Resident, bool]:
    return select(Resident, resident_pii_visible(principal).label("pii_visible")).join(
        Household, Household.id == Resident.household_id
    )


async def filter_clauses(
    session: AsyncSession, principal: Principal, where: ResidentFilter
) -> list[ColumnElement[bool]]:
    clauses = [residents_visible(principal)]
    if where.grid_id is not None:
        clauses.append(Household.grid_id.in_(await subtree_of(session, principal, where.grid_id)))
    if where.household_id is not None:
        clauses.append(Resident.household_id == where.household_id)
    if where.tag is not None:
        clauses.append(json_array_contains(Resident.tags, where.tag))
    if where.search:
        text = clean_text("search", where.search, max_length=SEARCH_MAX)
        address = Household.building + "-" + Household.unit + "-" + Household.room
        clauses.append(
            Resident.name.contains(text, autoescape=True) | address.contains(text, autoescape=True)
        )
    return clauses


RESIDENT_ORDER = (Household.sort_key, Resident.name, Resident.id)
"""Residents as a register is read: household by household (1号楼 before 10号楼, room 101
before 1001), and by name within one."""


async def list_residents(
    session: AsyncSession,
    principal: Principal,
    where: ResidentFilter,
    *,
    first: int,
    after: str | None,
) -> Page[Any]:
    """By household, in address order (``Household.sort_key``), then by name."""
    statement = (
        _select(principal)
        .add_columns(Household.sort_key)
        .where(*await filter_clauses(session, principal, where))
    )
    page = await keyset_page(
        session,
        statement,
        RESIDENT_ORDER,
        first=first,
        after=after,
        key_of=lambda row: (row[2], row[0].name, row[0].id),
    )
    return Page(
        items=[(resident, visible) for resident, visible, _ in page.items],
        cursors=page.cursors,
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
    )


async def count_residents(
    session: AsyncSession, principal: Principal, where: ResidentFilter
) -> int:
    statement = (
        select(func.count(Resident.id))
        .join(Household, Household.id == Resident.household_id)
        .where(*await filter_clauses(session, principal, where))
    )
    return int(await session.scalar(statement) or 0)


async def residents_of_households(
    session: AsyncSession, principal: Principal, household_ids: Iterable[uuid.UUID]
) -> list[tuple[Resident, bool]]:
    rows = await session.execute(
        _select(principal)
        .where(Resident.household_id.in_(list(household_ids)), residents_visible(principal))
        .order_by(Resident.name, Resident.id)
    )
    return [(resident, bool(visible)) for resident, visible in rows]


ResidentHome = tuple[Resident, Household]
"""A resident with the household it lives in (whose grid node decides who may change it)."""


async def residents_with_households(
    session: AsyncSession, principal: Principal, resident_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, ResidentHome]:
    """The residents among ``resident_ids`` the principal may see, with their households: one
    query for a whole batch of changes (``stage_resident_update``, ``stage_resident_delete``)."""
    wanted = set(resident_ids)
    if not wanted:
        return {}
    rows = await session.execute(
        select(Resident, Household)
        .join(Household, Household.id == Resident.household_id)
        .where(Resident.id.in_(wanted), residents_visible(principal))
    )
    return {resident.id: (resident, household) for resident, household in rows}


def _found(home: ResidentHome | None, resident_id: uuid.UUID) -> ResidentHome:
    if home is None:
        raise NotFound(N_("resident"), resident_id)
    return home


async def get_resident_with_household(
    session: AsyncSession, principal: Principal, resident_id: uuid.UUID
) -> ResidentHome:
    homes = await residents_with_households(session, principal, [resident_id])
    return _found(homes.get(resident_id), resident_id)


async def get_resident_view(
    session: AsyncSession, principal: Principal, resident_id: uuid.UUID
) -> tuple[Resident, bool]:
    """One resident as the principal may see it, with whether personal data is visible."""
    row = (
        await session.execute(
            _select(principal).where(Resident.id == resident_id, residents_visible(principal))
        )
    ).one_or_none()
    if row is None:
        raise NotFound(N_("resident"), resident_id)
    return row[0], bool(row[1])


PARTY_LABELS = ("中共党员", "中共预备党员")
"""政治面貌 that make a resident a party member; every other label (群众, 共青团员…) does not."""


def apply_fields(
    resident: Resident | NewResident, changes: Mapping[str, Any], vocabulary: list[str]
) -> None:
    """The rules every write of a resident's fields follows (a new one's row built for a
    Core insert included: ``domain.services.resident_rows``)."""
    if "name" in changes and changes["name"] is not None:
        resident.name = clean_text("name", changes["name"], max_length=NAME_MAX)
    if "phone" in changes:
        phone = changes["phone"]
        resident.phone = normalize_phone(phone) if phone and phone.strip() else None
    if "tags" in changes and changes["tags"] is not None:
        resident.tags = checked_tags(changes["tags"], vocabulary)
    if "party_member" in changes and changes["party_member"] is not None:
        resident.party_member = bool(changes["party_member"])
    if "political_status" in changes:
        label = changes["political_status"]
        resident.political_status = (
            clean_text("politicalStatus", label, max_length=20) if label else None
        )
        if resident.political_status and changes.get("party_member") is None:
            resident.party_member = resident.political_status in PARTY_LABELS
    if "birth_date" in changes:
        resident.birth_date = changes["birth_date"]
    if "gender" in changes:
        resident.gender = Gender(changes["gender"] or Gender.UNKNOWN)
    if "relation_to_head" in changes:
        relation = changes["relation_to_head"]
        resident.relation_to_head = Relation(relation) if relation else None


async def _vocabulary(
    session: AsyncSession, who: Principal, fields: Mapping[str, Any]
) -> list[str]:
    """The community's tags, read only when the change sets some."""
    return await tag_vocabulary(session, who.community_id) if fields.get("tags") else []


async def _one_head(session: AsyncSession, resident: Resident) -> None:
    """A household has one head (户主): a second one is refused, naming the first."""
    if resident.relation_to_head is not Relation.HEAD:
        return
    head = await session.scalar(
        select(Resident.name).where(
            Resident.household_id == resident.household_id,
            Resident.relation_to_head == Relation.HEAD,
            Resident.deleted.is_(False),
            Resident.id != resident.id,
        )
    )
    if head is not None:
        raise Conflict(N_("the household already has a head: {name}"), name=head)


async def stage_new_resident(
    session: AsyncSession,
    who: Principal,
    cipher: PersonalDataCipher,
    households: Mapping[uuid.UUID, Household],
    *,
    household_id: uuid.UUID,
    fields: Mapping[str, Any],
    resident_id: uuid.UUID | None = None,
) -> Resident:
    """``create_resident``'s rules and row, added to the session but not flushed, so that a
    batch (a sync push) writes many in one flush. ``who`` is staff; ``households`` come from
    ``editable_households``. Queries only to check an ID number."""
    editable_household(households, household_id)
    if not fields.get("name"):
        raise InvalidInput("name", N_("is required"))
    resident = Resident(
        id=resident_id or uuid.uuid4(),
        community_id=who.community_id,
        household_id=household_id,
        tags=[],
        party_member=False,
        gender=Gender.UNKNOWN,
    )
    apply_fields(resident, fields, await _vocabulary(session, who, fields))
    await _one_head(session, resident)
    await set_id_number(session, who, resident, cipher, fields.get("id_number"))
    session.add(resident)
    return resident


async def create_resident(
    session: AsyncSession,
    principal: Principal | None,
    cipher: PersonalDataCipher,
    *,
    household_id: uuid.UUID,
    fields: Mapping[str, Any],
    resident_id: uuid.UUID | None = None,
) -> Resident:
    who = require_staff(principal)
    households = await editable_households(session, who, [household_id])
    resident = await stage_new_resident(
        session,
        who,
        cipher,
        households,
        household_id=household_id,
        fields=fields,
        resident_id=resident_id,
    )
    await session.flush()
    return resident


async def stage_resident_update(
    session: AsyncSession,
    who: Principal,
    cipher: PersonalDataCipher,
    homes: Mapping[uuid.UUID, ResidentHome],
    households: Mapping[uuid.UUID, Household],
    resident_id: uuid.UUID,
    fields: Mapping[str, Any],
) -> ResidentHome:
    """``update_resident``'s rules, applied to the loaded resident but not flushed; ``homes``
    from ``residents_with_households``, ``households`` from ``editable_households`` (of the
    household the change moves it to, if any). Returns the resident with its household after
    the change."""
    resident, household = _found(homes.get(resident_id), resident_id)
    require_covers(who, household.grid_id)
    if fields.get("household_id") is not None and fields["household_id"] != resident.household_id:
        household = editable_household(households, fields["household_id"])
        resident.household_id = fields["household_id"]
    apply_fields(resident, fields, await _vocabulary(session, who, fields))
    if "relation_to_head" in fields or "household_id" in fields:
        await _one_head(session, resident)
    if "id_number" in fields:
        await set_id_number(session, who, resident, cipher, fields["id_number"])
    return resident, household


async def update_resident(
    session: AsyncSession,
    principal: Principal | None,
    cipher: PersonalDataCipher,
    resident_id: uuid.UUID,
    fields: Mapping[str, Any],
) -> Resident:
    who = require_staff(principal)
    homes = await residents_with_households(session, who, [resident_id])
    households = (
        await editable_households(session, who, [fields.get("household_id")]) if homes else {}
    )
    resident, _ = await stage_resident_update(
        session, who, cipher, homes, households, resident_id, fields
    )
    await session.flush()
    return resident


def stage_resident_delete(
    who: Principal, home: ResidentHome | None, resident_id: uuid.UUID
) -> None:
    """``delete_resident``'s rules on a loaded resident (``residents_with_households``, or what
    ``stage_resident_update`` returned); not flushed."""
    resident, household = _found(home, resident_id)
    require_covers(who, household.grid_id)
    resident.deleted = True


async def delete_resident(
    session: AsyncSession, principal: Principal | None, resident_id: uuid.UUID
) -> Resident:
    who = require_staff(principal)
    homes = await residents_with_households(session, who, [resident_id])
    stage_resident_delete(who, homes.get(resident_id), resident_id)
    await session.flush()
    return homes[resident_id][0]


async def read_personal_data(
    session: AsyncSession,
    principal: Principal,
    cipher: PersonalDataCipher,
    resident_id: uuid.UUID,
    purpose: str,
) -> PersonalData:
    """The full phone and ID number of one resident, for covering staff or the resident; logged."""
    resident, household = await get_resident_with_household(session, principal, resident_id)
    if (
        not (principal.covers(household.grid_id) and principal.is_staff)
        and principal.resident_id != resident.id
    ):
        raise PermissionDenied(
            N_("personal data is only for the resident and the staff who cover them")
        )
    session.add(
        PersonalDataAccess(
            community_id=principal.community_id,
            account_id=principal.account_id,
            resident_id=resident.id,
            purpose=clean_text("purpose", purpose, max_length=50),
        )
    )
    await session.flush()
    return PersonalData(
        resident_id=resident.id,
        phone=resident.phone,
        id_number=cipher.decrypt(resident.id_number_cipher) if resident.id_number_cipher else None,
        room=household.room,
    )
