"""a topic may be voted on again after a failed vote, never two votes running at once

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("vote", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_vote_proposal_id"), type_="unique")
        batch_op.create_index(batch_op.f("ix_vote_proposal_id"), ["proposal_id"], unique=False)
        batch_op.create_index(
            "uq_vote_running_proposal",
            ["proposal_id"],
            unique=True,
            sqlite_where=sa.text("closed_at IS NULL"),
            postgresql_where=sa.text("closed_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("vote", schema=None) as batch_op:
        batch_op.drop_index("uq_vote_running_proposal")
        batch_op.drop_index(batch_op.f("ix_vote_proposal_id"))
        batch_op.create_unique_constraint(batch_op.f("uq_vote_proposal_id"), ["proposal_id"])
