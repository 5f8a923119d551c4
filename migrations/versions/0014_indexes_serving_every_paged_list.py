"""indexes that serve the order and filter of every list people page through

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES: list[tuple[str, str, list[str | sa.TextClause]]] = [
    ("ix_household_grid_order", "household", ["grid_id", "sort_key", "id"]),
    ("ix_proposal_order", "proposal", ["community_id", "submitted_on", "id"]),
    ("ix_meeting_order", "meeting", ["community_id", sa.text("starts_at DESC"), "id"]),
    ("ix_vote_order", "vote", ["community_id", sa.text("closes_at DESC"), "id"]),
    (
        "ix_personal_data_access_order",
        "personal_data_access",
        ["community_id", sa.text("created_at DESC"), "id"],
    ),
    (
        "ix_device_holding_order",
        "device_holding",
        ["community_id", sa.text("held_since DESC"), "device_id", "document_id"],
    ),
    (
        "ix_device_order",
        "device",
        ["community_id", sa.text("coalesce(last_seen_at, created_at) DESC"), "id"],
    ),
    (
        "ix_sync_conflict_order",
        "sync_conflict",
        ["community_id", sa.text("created_at DESC"), "id"],
    ),
    ("ix_account_order", "account", ["community_id", "created_at", "id"]),
    ("ix_duplicate_review_order", "duplicate_review", ["community_id", "created_at", "id"]),
]


def upgrade() -> None:
    op.drop_index("ix_household_address_order", table_name="household")
    op.create_index("ix_household_address_order", "household", ["community_id", "sort_key", "id"])
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    # (grid_id, sort_key, id) serves every look-up by grid that grid_id alone did
    op.drop_index("ix_household_grid_id", table_name="household")


def downgrade() -> None:
    op.create_index("ix_household_grid_id", "household", ["grid_id"])
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_index("ix_household_address_order", table_name="household")
    op.create_index("ix_household_address_order", "household", ["community_id", "sort_key"])
