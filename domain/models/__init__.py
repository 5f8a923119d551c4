"""SQLAlchemy models; importing this package registers every table on ``Base.metadata``."""

from domain.models.accounts import (
    Account,
    AccountKind,
    Device,
    LoginCode,
    PersonalDataAccess,
    RefreshToken,
)
from domain.models.base import Base, Synced
from domain.models.community import ChangeCounter, Community, Grid, GridLevel, GridPost, PostRole
from domain.models.households import Household, Resident, ResidentTag

__all__ = [
    "Account",
    "AccountKind",
    "Base",
    "ChangeCounter",
    "Community",
    "Device",
    "Grid",
    "GridLevel",
    "GridPost",
    "Household",
    "LoginCode",
    "PersonalDataAccess",
    "PostRole",
    "RefreshToken",
    "Resident",
    "ResidentTag",
    "Synced",
]
