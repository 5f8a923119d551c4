"""SQLAlchemy models; importing this package registers every table on ``Base.metadata``.

Every synced table gets the composite index ``(community_id, position, id)`` here, in one
place, so that a sync pull is an index range scan whatever the table's size.
"""

from sqlalchemy import Index

from domain.models.accounts import (
    Account,
    AccountKind,
    Device,
    LoginCode,
    PersonalDataAccess,
    RefreshToken,
)
from domain.models.base import Base, Synced
from domain.models.community import (
    DEFAULT_RESIDENT_TAGS,
    ChangeCounter,
    Community,
    Grid,
    GridLevel,
    GridPost,
    PostRole,
)
from domain.models.council import (
    AgendaItem,
    Attendance,
    Meeting,
    MeetingKind,
    ProgressReport,
    Proposal,
    ProposalCategory,
    ProposalSource,
    ProposalStatus,
    ProposalSupport,
    ProposalTransition,
    Rating,
    RatingOutcome,
    RatingWindow,
    Resolution,
)
from domain.models.duplicates import DuplicateReview, DuplicateStatus
from domain.models.households import Gender, Household, Relation, Resident
from domain.models.listings import LISTING_INDEXES
from domain.models.login_throttle import LoginThrottle, ThrottleKind
from domain.models.settings import CommunitySettings
from domain.models.suggestion_box import BoxSuggestion
from domain.models.sync import (
    ConflictStatus,
    DeviceHolding,
    DeviceNotice,
    DeviceSync,
    RefusedPush,
    SyncConflict,
    SyncDeparture,
    SyncHorizon,
    SyncPushReceipt,
    SyncScope,
)
from domain.models.visits import VisitCategory, VisitNote
from domain.models.votes import (
    Ballot,
    BallotLogEntry,
    Channel,
    Choice,
    Electorate,
    OfflineBallot,
    OfflineBallotStatus,
    Panel,
    PanelMember,
    SetAsideBallot,
    Threshold,
    Vote,
    VoterRecord,
)

for _table in list(Base.metadata.tables.values()):
    if {"community_id", "position", "deleted"} <= set(_table.c.keys()):
        Index(f"ix_{_table.name}_sync", _table.c.community_id, _table.c.position, _table.c.id)

__all__ = [
    "DEFAULT_RESIDENT_TAGS",
    "LISTING_INDEXES",
    "Account",
    "AccountKind",
    "AgendaItem",
    "Attendance",
    "Ballot",
    "BallotLogEntry",
    "Base",
    "BoxSuggestion",
    "ChangeCounter",
    "Channel",
    "Choice",
    "Community",
    "CommunitySettings",
    "ConflictStatus",
    "Device",
    "DeviceHolding",
    "DeviceNotice",
    "DeviceSync",
    "DuplicateReview",
    "DuplicateStatus",
    "Electorate",
    "Gender",
    "Grid",
    "GridLevel",
    "GridPost",
    "Household",
    "LoginCode",
    "LoginThrottle",
    "Meeting",
    "MeetingKind",
    "OfflineBallot",
    "OfflineBallotStatus",
    "Panel",
    "PanelMember",
    "PersonalDataAccess",
    "PostRole",
    "ProgressReport",
    "Proposal",
    "ProposalCategory",
    "ProposalSource",
    "ProposalStatus",
    "ProposalSupport",
    "ProposalTransition",
    "Rating",
    "RatingOutcome",
    "RatingWindow",
    "RefreshToken",
    "RefusedPush",
    "Relation",
    "Resident",
    "Resolution",
    "SetAsideBallot",
    "SyncConflict",
    "SyncDeparture",
    "SyncHorizon",
    "SyncPushReceipt",
    "SyncScope",
    "Synced",
    "Threshold",
    "ThrottleKind",
    "VisitCategory",
    "VisitNote",
    "Vote",
    "VoterRecord",
]
