"""corridor council: proposals, meetings, votes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 09:24:05.489347
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "panel",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_panel_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel")),
    )
    with op.batch_alter_table("panel", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_panel_community_id"), ["community_id"], unique=False)

    op.create_table(
        "meeting",
        sa.Column(
            "kind",
            sa.Enum(
                "deliberation", "report_back", name="meeting_kind", native_enum=False, length=22
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=100), nullable=False),
        sa.Column("grid_id", sa.Uuid(), nullable=True),
        sa.Column("minutes", sa.Text(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_meeting_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["grid_id"], ["grid.id"], name=op.f("fk_meeting_grid_id_grid")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting")),
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_starts_at"), ["starts_at"], unique=False)

    op.create_table(
        "attendance",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_attendance_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_attendance_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["account.id"], name=op.f("fk_attendance_recorded_by_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_attendance_resident_id_resident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance")),
    )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attendance_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_attendance_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attendance_position"), ["position"], unique=False)

    op.create_table(
        "panel_member",
        sa.Column("panel_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=50), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_panel_member_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_panel_member_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panel.id"], name=op.f("fk_panel_member_panel_id_panel")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_member")),
        sa.UniqueConstraint("panel_id", "account_id", name=op.f("uq_panel_member_panel_id")),
    )
    with op.batch_alter_table("panel_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_panel_member_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_panel_member_panel_id"), ["panel_id"], unique=False)

    op.create_table(
        "proposal",
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "parking",
                "property_service",
                "repairs",
                "illegal_structures",
                "renovation_noise",
                "other",
                name="proposal_category",
                native_enum=False,
                length=28,
            ),
            nullable=False,
        ),
        sa.Column(
            "source",
            sa.Enum(
                "resident",
                "visit",
                "meeting",
                "online",
                "suggestion_box",
                name="proposal_source",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "submitted",
                "accepted",
                "declined",
                "deliberated",
                "in_progress",
                "reported",
                "closed",
                "merged",
                "withdrawn",
                name="proposal_status",
                native_enum=False,
                length=21,
            ),
            nullable=False,
        ),
        sa.Column("grid_id", sa.Uuid(), nullable=True),
        sa.Column("raised_by_account_id", sa.Uuid(), nullable=True),
        sa.Column("raised_by_resident_id", sa.Uuid(), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("merged_into_id", sa.Uuid(), nullable=True),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("close_round", sa.Integer(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_proposal_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["grid_id"], ["grid.id"], name=op.f("fk_proposal_grid_id_grid")),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["proposal.id"], name=op.f("fk_proposal_merged_into_id_proposal")
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_account_id"],
            ["account.id"],
            name=op.f("fk_proposal_raised_by_account_id_account"),
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_resident_id"],
            ["resident.id"],
            name=op.f("fk_proposal_raised_by_resident_id_resident"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal")),
    )
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposal_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_proposal_grid_id"), ["grid_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_proposal_merged_into_id"), ["merged_into_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_proposal_position"), ["position"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposal_status"), ["status"], unique=False)

    op.create_table(
        "agenda_item",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("proposal_id", sa.Uuid(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_agenda_item_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_agenda_item_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposal.id"], name=op.f("fk_agenda_item_proposal_id_proposal")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_item")),
        sa.UniqueConstraint("meeting_id", "proposal_id", name=op.f("uq_agenda_item_meeting_id")),
    )
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agenda_item_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_agenda_item_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_agenda_item_proposal_id"), ["proposal_id"], unique=False
        )

    op.create_table(
        "progress_report",
        sa.Column("proposal_id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("percent_done", sa.Integer(), nullable=False),
        sa.Column("reported_by_id", sa.Uuid(), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "percent_done BETWEEN 0 AND 100", name=op.f("ck_progress_report_percent_range")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_progress_report_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_progress_report_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposal.id"], name=op.f("fk_progress_report_proposal_id_proposal")
        ),
        sa.ForeignKeyConstraint(
            ["reported_by_id"],
            ["account.id"],
            name=op.f("fk_progress_report_reported_by_id_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_report")),
    )
    with op.batch_alter_table("progress_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_progress_report_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_progress_report_proposal_id"), ["proposal_id"], unique=False
        )

    op.create_table(
        "proposal_support",
        sa.Column("proposal_id", sa.Uuid(), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_proposal_support_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposal.id"], name=op.f("fk_proposal_support_proposal_id_proposal")
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_proposal_support_resident_id_resident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_support")),
        sa.UniqueConstraint(
            "proposal_id", "resident_id", name=op.f("uq_proposal_support_proposal_id")
        ),
    )
    with op.batch_alter_table("proposal_support", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposal_support_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_proposal_support_proposal_id"), ["proposal_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_proposal_support_resident_id"), ["resident_id"], unique=False
        )

    op.create_table(
        "proposal_transition",
        sa.Column("proposal_id", sa.Uuid(), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "submitted",
                "accepted",
                "declined",
                "deliberated",
                "in_progress",
                "reported",
                "closed",
                "merged",
                "withdrawn",
                name="proposal_status",
                native_enum=False,
                length=21,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "submitted",
                "accepted",
                "declined",
                "deliberated",
                "in_progress",
                "reported",
                "closed",
                "merged",
                "withdrawn",
                name="proposal_status",
                native_enum=False,
                length=21,
            ),
            nullable=False,
        ),
        sa.Column("actor_account_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_account_id"],
            ["account.id"],
            name=op.f("fk_proposal_transition_actor_account_id_account"),
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_proposal_transition_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_proposal_transition_proposal_id_proposal"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_transition")),
    )
    with op.batch_alter_table("proposal_transition", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposal_transition_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_proposal_transition_proposal_id"), ["proposal_id"], unique=False
        )

    op.create_table(
        "rating",
        sa.Column("proposal_id", sa.Uuid(), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("close_round", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name=op.f("ck_rating_score_range")),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_rating_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposal.id"], name=op.f("fk_rating_proposal_id_proposal")
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_rating_resident_id_resident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating")),
        sa.UniqueConstraint(
            "proposal_id", "resident_id", "close_round", name=op.f("uq_rating_proposal_id")
        ),
    )
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rating_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rating_proposal_id"), ["proposal_id"], unique=False)

    op.create_table(
        "resolution",
        sa.Column("proposal_id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=True),
        sa.Column("solution", sa.Text(), nullable=False),
        sa.Column("contact_account_id", sa.Uuid(), nullable=True),
        sa.Column("contact_name", sa.String(length=50), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_resolution_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_account_id"],
            ["account.id"],
            name=op.f("fk_resolution_contact_account_id_account"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_resolution_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposal.id"], name=op.f("fk_resolution_proposal_id_proposal")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resolution")),
        sa.UniqueConstraint("proposal_id", name=op.f("uq_resolution_proposal_id")),
    )
    with op.batch_alter_table("resolution", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_resolution_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_resolution_deadline"), ["deadline"], unique=False)

    op.create_table(
        "vote",
        sa.Column("proposal_id", sa.Uuid(), nullable=False),
        sa.Column(
            "electorate",
            sa.Enum(
                "adult_residents",
                "households",
                "panel",
                name="electorate",
                native_enum=False,
                length=25,
            ),
            nullable=False,
        ),
        sa.Column("grid_id", sa.Uuid(), nullable=True),
        sa.Column("panel_id", sa.Uuid(), nullable=True),
        sa.Column("electorate_size", sa.Integer(), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("quorum_ballots", sa.Integer(), nullable=False),
        sa.Column("quorum_percent", sa.Integer(), nullable=False),
        sa.Column(
            "threshold",
            sa.Enum(
                "simple_majority",
                "two_thirds",
                "unanimity",
                name="threshold",
                native_enum=False,
                length=25,
            ),
            nullable=False,
        ),
        sa.Column("secret", sa.Boolean(), nullable=False),
        sa.Column("allow_change", sa.Boolean(), nullable=False),
        sa.Column("hide_results_until_close", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_vote_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["account.id"], name=op.f("fk_vote_created_by_id_account")
        ),
        sa.ForeignKeyConstraint(["grid_id"], ["grid.id"], name=op.f("fk_vote_grid_id_grid")),
        sa.ForeignKeyConstraint(["panel_id"], ["panel.id"], name=op.f("fk_vote_panel_id_panel")),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposal.id"], name=op.f("fk_vote_proposal_id_proposal")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vote")),
        sa.UniqueConstraint("proposal_id", name=op.f("uq_vote_proposal_id")),
    )
    with op.batch_alter_table("vote", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vote_community_id"), ["community_id"], unique=False)

    op.create_table(
        "ballot",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("vote_id", sa.Uuid(), nullable=False),
        sa.Column(
            "choice",
            sa.Enum("for", "against", "abstain", name="choice", native_enum=False, length=17),
            nullable=False,
        ),
        sa.Column("change_key_hash", sa.String(length=64), nullable=False),
        sa.Column("voter_key", sa.String(length=60), nullable=True),
        sa.Column("superseded", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_ballot_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["vote_id"], ["vote.id"], name=op.f("fk_ballot_vote_id_vote")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballot")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("ballot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ballot_vote_id"), ["vote_id"], unique=False)
        batch_op.create_index(
            "uq_ballot_counted_change_key",
            ["change_key_hash"],
            unique=True,
            sqlite_where=sa.text("superseded = 0"),
            postgresql_where=sa.text("NOT superseded"),
        )
        batch_op.create_index(
            "uq_ballot_counted_voter",
            ["vote_id", "voter_key"],
            unique=True,
            sqlite_where=sa.text("superseded = 0 AND voter_key IS NOT NULL"),
            postgresql_where=sa.text("NOT superseded AND voter_key IS NOT NULL"),
        )

    op.create_table(
        "ballot_log_entry",
        sa.Column("vote_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("payload", sa.String(length=2000), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_ballot_log_entry_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vote_id"], ["vote.id"], name=op.f("fk_ballot_log_entry_vote_id_vote")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballot_log_entry")),
        sa.UniqueConstraint("vote_id", "seq", name=op.f("uq_ballot_log_entry_vote_id")),
    )
    with op.batch_alter_table("ballot_log_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ballot_log_entry_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_ballot_log_entry_vote_id"), ["vote_id"], unique=False)

    op.create_table(
        "voter_record",
        sa.Column("vote_id", sa.Uuid(), nullable=False),
        sa.Column("voter_key", sa.String(length=60), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum("web", "app", "in_person", name="channel", native_enum=False, length=19),
            nullable=False,
        ),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("receipt", sa.String(length=64), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_voter_record_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_voter_record_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["account.id"], name=op.f("fk_voter_record_recorded_by_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["vote_id"], ["vote.id"], name=op.f("fk_voter_record_vote_id_vote")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voter_record")),
        sa.UniqueConstraint("receipt", name=op.f("uq_voter_record_receipt")),
        sa.UniqueConstraint("vote_id", "voter_key", name=op.f("uq_voter_record_vote_id")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("voter_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_voter_record_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_voter_record_vote_id"), ["vote_id"], unique=False)

    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delegate_resident_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_household_delegate_resident_id_resident"),
            "resident",
            ["delegate_resident_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_household_delegate_resident_id_resident"), type_="foreignkey"
        )
        batch_op.drop_column("delegate_resident_id")

    with op.batch_alter_table("voter_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voter_record_vote_id"))
        batch_op.drop_index(batch_op.f("ix_voter_record_community_id"))

    op.drop_table("voter_record")
    with op.batch_alter_table("ballot_log_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ballot_log_entry_vote_id"))
        batch_op.drop_index(batch_op.f("ix_ballot_log_entry_community_id"))

    op.drop_table("ballot_log_entry")
    with op.batch_alter_table("ballot", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_ballot_counted_voter",
            sqlite_where=sa.text("superseded = 0 AND voter_key IS NOT NULL"),
            postgresql_where=sa.text("NOT superseded AND voter_key IS NOT NULL"),
        )
        batch_op.drop_index(
            "uq_ballot_counted_change_key",
            sqlite_where=sa.text("superseded = 0"),
            postgresql_where=sa.text("NOT superseded"),
        )
        batch_op.drop_index(batch_op.f("ix_ballot_vote_id"))

    op.drop_table("ballot")
    with op.batch_alter_table("vote", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vote_community_id"))

    op.drop_table("vote")
    with op.batch_alter_table("resolution", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resolution_deadline"))
        batch_op.drop_index(batch_op.f("ix_resolution_community_id"))

    op.drop_table("resolution")
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_proposal_id"))
        batch_op.drop_index(batch_op.f("ix_rating_community_id"))

    op.drop_table("rating")
    with op.batch_alter_table("proposal_transition", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_transition_proposal_id"))
        batch_op.drop_index(batch_op.f("ix_proposal_transition_community_id"))

    op.drop_table("proposal_transition")
    with op.batch_alter_table("proposal_support", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_support_resident_id"))
        batch_op.drop_index(batch_op.f("ix_proposal_support_proposal_id"))
        batch_op.drop_index(batch_op.f("ix_proposal_support_community_id"))

    op.drop_table("proposal_support")
    with op.batch_alter_table("progress_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_progress_report_proposal_id"))
        batch_op.drop_index(batch_op.f("ix_progress_report_community_id"))

    op.drop_table("progress_report")
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_item_proposal_id"))
        batch_op.drop_index(batch_op.f("ix_agenda_item_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_agenda_item_community_id"))

    op.drop_table("agenda_item")
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_status"))
        batch_op.drop_index(batch_op.f("ix_proposal_position"))
        batch_op.drop_index(batch_op.f("ix_proposal_merged_into_id"))
        batch_op.drop_index(batch_op.f("ix_proposal_grid_id"))
        batch_op.drop_index(batch_op.f("ix_proposal_community_id"))

    op.drop_table("proposal")
    with op.batch_alter_table("panel_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_panel_member_panel_id"))
        batch_op.drop_index(batch_op.f("ix_panel_member_community_id"))

    op.drop_table("panel_member")
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_position"))
        batch_op.drop_index(batch_op.f("ix_attendance_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_attendance_community_id"))

    op.drop_table("attendance")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_starts_at"))
        batch_op.drop_index(batch_op.f("ix_meeting_community_id"))

    op.drop_table("meeting")
    with op.batch_alter_table("panel", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_panel_community_id"))

    op.drop_table("panel")
