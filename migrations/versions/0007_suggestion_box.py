"""suggestion box: anonymous suggestions wait in a holding table until a batch is released

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CATEGORIES = (
    "parking",
    "property_service",
    "repairs",
    "illegal_structures",
    "renovation_noise",
    "other",
)


def upgrade() -> None:
    op.create_table(
        "box_suggestion",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("grid_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(*CATEGORIES, name="proposal_category", native_enum=False, length=28),
            nullable=False,
        ),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("dropped_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_box_suggestion_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"], ["grid.id"], name=op.f("fk_box_suggestion_grid_id_grid")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_box_suggestion")),
        sqlite_with_rowid=False,
    )
    # plain CREATE INDEX: a batch operation could rebuild the table and lose WITHOUT ROWID
    op.create_index(op.f("ix_box_suggestion_community_id"), "box_suggestion", ["community_id"])
    op.create_index(op.f("ix_box_suggestion_grid_id"), "box_suggestion", ["grid_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_box_suggestion_grid_id"), table_name="box_suggestion")
    op.drop_index(op.f("ix_box_suggestion_community_id"), table_name="box_suggestion")
    op.drop_table("box_suggestion")
