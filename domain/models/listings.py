"""The indexes that serve the lists people page through: each one's order, after its filter.

A page of 20 must read about 20 index entries, not sort a community's rows: every list that
a service orders and limits (``ORDER BY … LIMIT``) has here an index whose columns are the
list's equality filter (the community, or the grid or household it lists) followed by its
``ORDER BY`` columns in the same directions, so that both databases walk the index in order
and stop at the limit. ``tests/domain/test_list_indexes.py`` reads each list's plan.

Residents are listed by household address, then name: households are walked in address
order and each one's few residents sorted as they come (PostgreSQL's incremental sort,
SQLite's sort of the "right part" of the order), which stops at the page's limit too.
"""

from __future__ import annotations

from sqlalchemy import Index, func

from domain.models.accounts import Account, Device, PersonalDataAccess
from domain.models.council import Meeting, Proposal
from domain.models.duplicates import DuplicateReview
from domain.models.households import Household
from domain.models.sync import DeviceHolding, SyncConflict
from domain.models.votes import Vote

LISTING_INDEXES = (
    # grid_households.households_of_grids, staff's households: a grid's households by address
    Index("ix_household_grid_order", Household.grid_id, Household.sort_key, Household.id),
    # proposal_queries.list_proposals (newest first, read backwards), ledger (oldest first)
    Index("ix_proposal_order", Proposal.community_id, Proposal.submitted_on, Proposal.id),
    # meetings.list_meetings: the latest first
    Index("ix_meeting_order", Meeting.community_id, Meeting.starts_at.desc(), Meeting.id),
    # votes.list_votes: the latest closing first
    Index("ix_vote_order", Vote.community_id, Vote.closes_at.desc(), Vote.id),
    # access_log: reads of personal data, newest first
    Index(
        "ix_personal_data_access_order",
        PersonalDataAccess.community_id,
        PersonalDataAccess.created_at.desc(),
        PersonalDataAccess.id,
    ),
    # access_log: phones holding a resident's number, newest first
    Index(
        "ix_device_holding_order",
        DeviceHolding.community_id,
        DeviceHolding.held_since.desc(),
        DeviceHolding.device_id,
        DeviceHolding.document_id,
    ),
    # devices.list_devices: the most recently used first
    Index(
        "ix_device_order",
        Device.community_id,
        func.coalesce(Device.last_seen_at, Device.created_at).desc(),
        Device.id,
    ),
    # inbox.list_conflicts: newest first
    Index(
        "ix_sync_conflict_order",
        SyncConflict.community_id,
        SyncConflict.created_at.desc(),
        SyncConflict.id,
    ),
    # staff_accounts.staff_accounts: in the order they were created
    Index("ix_account_order", Account.community_id, Account.created_at, Account.id),
    # duplicates.list_duplicate_reviews: oldest first
    Index(
        "ix_duplicate_review_order",
        DuplicateReview.community_id,
        DuplicateReview.created_at,
        DuplicateReview.id,
    ),
)
