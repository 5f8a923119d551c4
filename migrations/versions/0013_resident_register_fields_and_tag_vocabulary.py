"""residents' gender, relation to the household head and political status; each community's
own tag vocabulary (the fixed elderly/child/vulnerable/special_needs become its words)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 19:50:00
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_TAGS = [
    "独居老人",
    "高龄老人",
    "空巢老人",
    "残疾人",
    "低保户",
    "困难家庭",
    "退役军人",
    "儿童",
    "孕产妇",
    "重点关注",
]
UP = {"elderly": "高龄老人", "child": "儿童", "vulnerable": "困难家庭", "special_needs": "残疾人"}
DOWN = {
    "独居老人": "elderly",
    "高龄老人": "elderly",
    "空巢老人": "elderly",
    "儿童": "child",
    "低保户": "vulnerable",
    "困难家庭": "vulnerable",
    "残疾人": "special_needs",
}
"""Downgrading keeps what the old four groups can say; words they cannot (退役军人…) are lost."""

resident = sa.table(
    "resident", sa.column("id", sa.Uuid()), sa.column("tags", sa.JSON()), sa.column("position")
)
community = sa.table("community", sa.column("id", sa.Uuid()), sa.column("resident_tags", sa.JSON()))


def _retag(mapping: dict[str, str], keep_unknown: bool) -> None:
    """Rewrite every resident's tags; rows are few enough (a community's register) to read."""
    connection = op.get_bind()
    for row_id, tags in connection.execute(sa.select(resident.c.id, resident.c.tags)).all():
        values = json.loads(tags) if isinstance(tags, str) else list(tags or [])
        new = sorted({mapping.get(v, v) for v in values if keep_unknown or v in mapping})
        if new != values:
            connection.execute(sa.update(resident).where(resident.c.id == row_id).values(tags=new))


def upgrade() -> None:
    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("resident_tags", sa.JSON(), nullable=False, server_default="[]")
        )
    op.execute(sa.update(community).values(resident_tags=DEFAULT_TAGS))
    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.alter_column("resident_tags", server_default=None)
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.add_column(sa.Column("political_status", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column(
                "gender",
                sa.Enum("male", "female", "unknown", name="gender", native_enum=False, length=17),
                nullable=False,
                server_default="unknown",
            )
        )
        batch_op.add_column(
            sa.Column(
                "relation_to_head",
                sa.Enum(
                    "head",
                    "spouse",
                    "child",
                    "parent",
                    "grandparent",
                    "grandchild",
                    "sibling",
                    "other",
                    name="relation_to_head",
                    native_enum=False,
                    length=21,
                ),
                nullable=True,
            )
        )
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.alter_column("gender", server_default=None)
    _retag(UP, keep_unknown=True)


def downgrade() -> None:
    _retag(DOWN, keep_unknown=False)
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.drop_column("relation_to_head")
        batch_op.drop_column("gender")
        batch_op.drop_column("political_status")
    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.drop_column("resident_tags")
