"""offline sync: visit notes, conflict inbox, refused pushes, device notices

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 09:54:55.460660
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sync_horizon",
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("collection", sa.String(length=40), nullable=False),
        sa.Column("purged_through", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_sync_horizon_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("community_id", "collection", name=op.f("pk_sync_horizon")),
    )
    op.create_table(
        "sync_scope",
        sa.Column("fingerprint", sa.String(length=40), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("grid_ids", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_sync_scope_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("fingerprint", name=op.f("pk_sync_scope")),
    )
    op.create_table(
        "visit_note",
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("author_account_id", sa.Uuid(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "routine",
                "need",
                "opinion",
                "dispute",
                "care",
                "other",
                name="visit_category",
                native_enum=False,
                length=17,
            ),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("follow_up", sa.Boolean(), nullable=False),
        sa.Column("visited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_account_id"],
            ["account.id"],
            name=op.f("fk_visit_note_author_account_id_account"),
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_visit_note_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name=op.f("fk_visit_note_household_id_household")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_note")),
    )
    with op.batch_alter_table("visit_note", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_visit_note_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_visit_note_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_visit_note_position"), ["position"], unique=False)
        batch_op.create_index(
            "ix_visit_note_sync", ["community_id", "position", "id"], unique=False
        )

    op.create_table(
        "device_notice",
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("collection", sa.String(length=40), nullable=False),
        sa.Column("document_id", sa.String(length=100), nullable=True),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_device_notice_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["device.id"], name=op.f("fk_device_notice_device_id_device")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_notice")),
    )
    with op.batch_alter_table("device_notice", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_device_notice_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_device_notice_device_id"), ["device_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_device_notice_position"), ["position"], unique=False)
        batch_op.create_index(
            "ix_device_notice_sync", ["community_id", "position", "id"], unique=False
        )

    op.create_table(
        "device_sync",
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("collection", sa.String(length=40), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_device_sync_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["device.id"],
            name=op.f("fk_device_sync_device_id_device"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("device_id", "collection", name=op.f("pk_device_sync")),
    )
    with op.batch_alter_table("device_sync", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_device_sync_community_id"), ["community_id"], unique=False
        )

    op.create_table(
        "refused_push",
        sa.Column("collection", sa.String(length=40), nullable=False),
        sa.Column("document_id", sa.String(length=100), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=True),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("row", sa.JSON(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=64), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_refused_push_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_refused_push_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["device.id"], name=op.f("fk_refused_push_device_id_device")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refused_push")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_refused_push_dedupe_key")),
    )
    with op.batch_alter_table("refused_push", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_refused_push_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_refused_push_device_id"), ["device_id"], unique=False)

    op.create_table(
        "sync_conflict",
        sa.Column("collection", sa.String(length=40), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("policy", sa.String(length=30), nullable=False),
        sa.Column("base_value", sa.JSON(), nullable=True),
        sa.Column("server_value", sa.JSON(), nullable=True),
        sa.Column("device_value", sa.JSON(), nullable=True),
        sa.Column("device_id", sa.Uuid(), nullable=True),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("grid_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("open", "resolved", name="conflict_status", native_enum=False, length=18),
            nullable=False,
        ),
        sa.Column("resolution", sa.String(length=30), nullable=True),
        sa.Column("resolved_value", sa.JSON(), nullable=True),
        sa.Column("resolved_by_id", sa.Uuid(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dedupe_key", sa.String(length=64), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_sync_conflict_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_sync_conflict_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["device.id"], name=op.f("fk_sync_conflict_device_id_device")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["account.id"], name=op.f("fk_sync_conflict_resolved_by_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflict")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_sync_conflict_dedupe_key")),
    )
    with op.batch_alter_table("sync_conflict", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sync_conflict_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sync_conflict_document_id"), ["document_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sync_conflict_grid_id"), ["grid_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sync_conflict_status"), ["status"], unique=False)

    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index(
            "ix_attendance_sync", ["community_id", "position", "id"], unique=False
        )

    with op.batch_alter_table("grid", schema=None) as batch_op:
        batch_op.create_index("ix_grid_sync", ["community_id", "position", "id"], unique=False)

    with op.batch_alter_table("grid_post", schema=None) as batch_op:
        batch_op.create_index("ix_grid_post_sync", ["community_id", "position", "id"], unique=False)

    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.create_index("ix_household_sync", ["community_id", "position", "id"], unique=False)

    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.create_index("ix_proposal_sync", ["community_id", "position", "id"], unique=False)

    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.create_index("ix_resident_sync", ["community_id", "position", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.drop_index("ix_resident_sync")

    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_index("ix_proposal_sync")

    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.drop_index("ix_household_sync")

    with op.batch_alter_table("grid_post", schema=None) as batch_op:
        batch_op.drop_index("ix_grid_post_sync")

    with op.batch_alter_table("grid", schema=None) as batch_op:
        batch_op.drop_index("ix_grid_sync")

    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_index("ix_attendance_sync")

    with op.batch_alter_table("sync_conflict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_conflict_status"))
        batch_op.drop_index(batch_op.f("ix_sync_conflict_grid_id"))
        batch_op.drop_index(batch_op.f("ix_sync_conflict_document_id"))
        batch_op.drop_index(batch_op.f("ix_sync_conflict_community_id"))

    op.drop_table("sync_conflict")
    with op.batch_alter_table("refused_push", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refused_push_device_id"))
        batch_op.drop_index(batch_op.f("ix_refused_push_community_id"))

    op.drop_table("refused_push")
    with op.batch_alter_table("device_sync", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_sync_community_id"))

    op.drop_table("device_sync")
    with op.batch_alter_table("device_notice", schema=None) as batch_op:
        batch_op.drop_index("ix_device_notice_sync")
        batch_op.drop_index(batch_op.f("ix_device_notice_position"))
        batch_op.drop_index(batch_op.f("ix_device_notice_device_id"))
        batch_op.drop_index(batch_op.f("ix_device_notice_community_id"))

    op.drop_table("device_notice")
    with op.batch_alter_table("visit_note", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_note_sync")
        batch_op.drop_index(batch_op.f("ix_visit_note_position"))
        batch_op.drop_index(batch_op.f("ix_visit_note_household_id"))
        batch_op.drop_index(batch_op.f("ix_visit_note_community_id"))

    op.drop_table("visit_note")
    op.drop_table("sync_scope")
    op.drop_table("sync_horizon")
