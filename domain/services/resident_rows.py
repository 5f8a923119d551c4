"""New residents as rows for one Core ``INSERT``: ``stage_new_resident``'s rules, no objects.

A sync push may create 500 residents at once. Staged as ORM objects, each costs more to
build, track and flush (instrumented attributes, the unit of work) than the insert itself.
For the fields a device can send (its household, name, phone, tags, party membership) the
row is the same when built here: the same checks (an editable household, a name), the same
field rules (``apply_fields``), the same defaults, and no ID number or relation to the head
(``set_id_number`` and the one-head rule read the database, so a change that carries either
goes the ORM way: ``NotPlain``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.errors import InvalidInput
from domain.i18n import N_
from domain.models import Gender, Household, Relation
from domain.principal import Principal
from domain.services.households import editable_household
from domain.services.residents import apply_fields

PLAIN_FIELDS = frozenset({"name", "phone", "tags", "party_member"})
"""What a new resident's row may be built from here; anything else is ``NotPlain``."""


class NotPlain(Exception):
    """The change needs the ORM way (``stage_new_resident``)."""


@dataclass
class NewResident:
    """The attributes ``apply_fields`` sets, with a new ``Resident``'s starting values."""

    id: uuid.UUID
    community_id: uuid.UUID
    household_id: uuid.UUID
    name: str = ""
    phone: str | None = None
    tags: list[str] = field(default_factory=list)
    party_member: bool = False
    political_status: str | None = None
    birth_date: date | None = None
    gender: Gender = Gender.UNKNOWN
    relation_to_head: Relation | None = None
    id_number_cipher: str | None = None
    id_number_hash: str | None = None
    id_number_masked: str | None = None
    deleted: bool = False


def new_resident_row(
    who: Principal,
    households: Mapping[uuid.UUID, Household],
    vocabulary: list[str],
    *,
    household_id: uuid.UUID,
    fields: Mapping[str, Any],
    resident_id: uuid.UUID,
) -> dict[str, Any]:
    """The column values of the resident ``stage_new_resident`` would add (``position``,
    ``created_at`` and ``updated_at`` are the insert's to fill); raises its ``DomainError``s."""
    if not fields.keys() <= PLAIN_FIELDS:
        raise NotPlain
    editable_household(households, household_id)
    if not fields.get("name"):
        raise InvalidInput("name", N_("is required"))
    resident = NewResident(id=resident_id, community_id=who.community_id, household_id=household_id)
    apply_fields(resident, fields, vocabulary)
    return dict(vars(resident))
