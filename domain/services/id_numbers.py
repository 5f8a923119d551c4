"""Setting a resident's ID number, without answering "does this number exist?" to outsiders.

A number already held by another resident of the community is a clear conflict for the
admin and for staff who cover that resident. Anyone else would learn from that answer that
the number belongs to someone here (a registration form became a look-up: a few dozen
guesses found a real number), so for them the record is stored as for a fresh number (its
masked form and the birth date it carries, but no look-up hash, so the number still finds
only its first holder) and the pair goes to the admin's review (``DuplicateReview``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Conflict, InvalidInput
from domain.i18n import N_
from domain.models import DuplicateReview, DuplicateStatus, Household, Resident
from domain.personal_data import PersonalDataCipher, mask_id_number, normalize_id_number
from domain.principal import Principal


def birth_date_from_id(id_number: str) -> date | None:
    try:
        return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def _clear(resident: Resident) -> None:
    resident.id_number_cipher = resident.id_number_hash = resident.id_number_masked = None


async def set_id_number(
    session: AsyncSession,
    who: Principal,
    resident: Resident,
    cipher: PersonalDataCipher,
    raw: str | None,
) -> None:
    if raw is None or not raw.strip():
        _clear(resident)
        return
    value = normalize_id_number(raw)
    born = birth_date_from_id(value)
    if born is None:
        raise InvalidInput("idNumber", N_("the date of birth in this ID number does not exist"))
    digest = cipher.lookup_hash(value)
    clash = (
        await session.execute(
            select(Resident.id, Household.grid_id)
            .join(Household, Household.id == Resident.household_id)
            .where(
                Resident.community_id == resident.community_id,
                Resident.id_number_hash == digest,
                Resident.deleted.is_(False),
                Resident.id != resident.id,
            )
        )
    ).first()
    if clash is not None and (who.is_admin or (who.is_staff and who.covers(clash.grid_id))):
        raise Conflict(N_("a resident with this ID number is already registered"))
    resident.id_number_cipher = cipher.encrypt(value)
    resident.id_number_hash = digest if clash is None else None
    resident.id_number_masked = mask_id_number(value)
    if resident.birth_date is None:
        resident.birth_date = born
    if clash is not None:
        session.add(
            DuplicateReview(
                community_id=resident.community_id,
                resident=resident,
                existing_resident_id=clash.id,
                reported_by_id=who.account_id,
                status=DuplicateStatus.OPEN,
            )
        )
