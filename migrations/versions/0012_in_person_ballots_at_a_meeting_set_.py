"""in-person ballots name their meeting; set-aside ballots; salts of the published commitments

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 13:39:34.129082
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "set_aside_ballot",
        sa.Column("vote_id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("voter_key", sa.String(length=60), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("receipt", sa.String(length=64), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_set_aside_ballot_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_set_aside_ballot_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["account.id"],
            name=op.f("fk_set_aside_ballot_recorded_by_id_account"),
        ),
        sa.ForeignKeyConstraint(
            ["vote_id"], ["vote.id"], name=op.f("fk_set_aside_ballot_vote_id_vote")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_set_aside_ballot")),
    )
    with op.batch_alter_table("set_aside_ballot", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_set_aside_ballot_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_set_aside_ballot_vote_id"), ["vote_id"], unique=False)

    with op.batch_alter_table("offline_ballot", schema=None) as batch_op:
        batch_op.add_column(sa.Column("meeting_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_offline_ballot_meeting_id_meeting"), "meeting", ["meeting_id"], ["id"]
        )

    with op.batch_alter_table("voter_record", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("commitment_salt", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("meeting_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_voter_record_meeting_id_meeting"), "meeting", ["meeting_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("voter_record", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_voter_record_meeting_id_meeting"), type_="foreignkey"
        )
        batch_op.drop_column("meeting_id")
        batch_op.drop_column("commitment_salt")

    with op.batch_alter_table("offline_ballot", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_offline_ballot_meeting_id_meeting"), type_="foreignkey"
        )
        batch_op.drop_column("meeting_id")

    with op.batch_alter_table("set_aside_ballot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_set_aside_ballot_vote_id"))
        batch_op.drop_index(batch_op.f("ix_set_aside_ballot_community_id"))

    op.drop_table("set_aside_ballot")
