"""Who may see and change what, as SQL predicates a service adds to its own statement.

Rules live in the query, not after it, so that pagination and counts stay right and every
read path (GraphQL, export, later the sync pull) applies the same ones:

- an admin (community secretary) reaches everything in the community;
- grid staff reach the households and residents under the grid nodes their posts hold;
- a resident reaches their own household;
- nobody reaches another community: its ids behave exactly like unknown ones.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, and_, false, literal, true

from domain.errors import AuthenticationRequired, PermissionDenied
from domain.i18n import N_
from domain.models import Household, Resident
from domain.principal import Principal

PII_HIDDEN_REASON = "NOT_COVERED"


def require_login(principal: Principal | None) -> Principal:
    if principal is None:
        raise AuthenticationRequired()
    return principal


def require_admin(principal: Principal | None) -> Principal:
    who = require_login(principal)
    if not who.is_admin:
        raise PermissionDenied(N_("only the community's admin may do this"))
    return who


def require_staff(principal: Principal | None) -> Principal:
    who = require_login(principal)
    if not who.is_staff:
        raise PermissionDenied(N_("only grid staff may do this"))
    return who


def _covered(principal: Principal) -> ColumnElement[bool]:
    if not principal.covered_grid_ids:
        return false()
    return Household.grid_id.in_(principal.covered_grid_ids)


def households_visible(principal: Principal) -> ColumnElement[bool]:
    in_community = Household.community_id == principal.community_id
    if principal.is_admin:
        return and_(in_community, Household.deleted.is_(False))
    if principal.is_staff:
        return and_(in_community, Household.deleted.is_(False), _covered(principal))
    if principal.household_id is not None:
        own = Household.id == principal.household_id
        return and_(in_community, Household.deleted.is_(False), own)
    return false()


def residents_visible(principal: Principal) -> ColumnElement[bool]:
    """Residents whose household is visible; the caller joins ``Household``."""
    return and_(
        Resident.community_id == principal.community_id,
        Resident.deleted.is_(False),
        households_visible(principal),
    )


def resident_pii_visible(principal: Principal) -> ColumnElement[bool]:
    """True where this principal may see the resident's personal data (joined ``Household``).

    Staff see it for the households they cover (which, for them, is every visible row); a
    resident sees only their own, not their housemates'.
    """
    if principal.is_admin:
        return true()
    if principal.is_staff:
        return _covered(principal)
    if principal.resident_id is not None:
        return Resident.id == literal(principal.resident_id)
    return false()


def resident_name_visible(principal: Principal) -> ColumnElement[bool]:
    """Where this principal reads a resident's full name (joined ``Household``); else 张*.

    The admin, staff for the households they cover, and the resident's own household. It
    depends on who asks and where the resident lives, never on the resident's account: a
    resident's account carries their full name, and issuing a login code must not unmask it.
    """
    if principal.is_admin:
        return true()
    if principal.is_staff:
        return _covered(principal)
    if principal.household_id is not None:
        return Household.id == literal(principal.household_id)
    return false()


def household_pii_visible(principal: Principal) -> ColumnElement[bool]:
    """The room number: for staff who cover the household and for the residents who live there."""
    if principal.is_admin:
        return true()
    if principal.is_staff:
        return _covered(principal)
    if principal.household_id is not None:
        return Household.id == literal(principal.household_id)
    return false()


def require_covers(principal: Principal, grid_id: uuid.UUID) -> None:
    if not principal.is_staff or not principal.covers(grid_id):
        raise PermissionDenied(N_("this grid node is not under any of your posts"))
