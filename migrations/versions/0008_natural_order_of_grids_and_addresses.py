"""natural order of grids and addresses: grid.sort_order, grid.sort_key, household.sort_key

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-03 10:00:00.000000

Existing rows get their keys computed here, in Python, with the same function the models
use on every write (``domain.natural_order``), so that SQLite and PostgreSQL hold identical
keys whatever their collations.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from domain.natural_order import composite_key, explicit_key

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key_type() -> sa.types.TypeEngine[str]:
    return sa.String(length=255).with_variant(sa.String(length=255, collation="C"), "postgresql")


def _backfill() -> None:
    connection = op.get_bind()
    grid = sa.table(
        "grid",
        sa.column("id", sa.Uuid()),
        sa.column("name", sa.String()),
        sa.column("sort_key", sa.String()),
    )
    household = sa.table(
        "household",
        sa.column("id", sa.Uuid()),
        sa.column("building", sa.String()),
        sa.column("unit", sa.String()),
        sa.column("room", sa.String()),
        sa.column("sort_key", sa.String()),
    )
    grids = [
        {"grid_id": row.id, "key": explicit_key(None, row.name)}
        for row in connection.execute(sa.select(grid.c.id, grid.c.name))
    ]
    if grids:
        connection.execute(
            grid.update()
            .where(grid.c.id == sa.bindparam("grid_id"))
            .values(sort_key=sa.bindparam("key")),
            grids,
        )
    households = [
        {"household_id": row.id, "key": composite_key((row.building, row.unit, row.room))}
        for row in connection.execute(
            sa.select(household.c.id, household.c.building, household.c.unit, household.c.room)
        )
    ]
    if households:
        connection.execute(
            household.update()
            .where(household.c.id == sa.bindparam("household_id"))
            .values(sort_key=sa.bindparam("key")),
            households,
        )


def upgrade() -> None:
    with op.batch_alter_table("grid", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sort_order", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("sort_key", _key_type(), nullable=True))
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sort_key", _key_type(), nullable=True))
    _backfill()
    with op.batch_alter_table("grid", schema=None) as batch_op:
        batch_op.alter_column("sort_key", existing_type=_key_type(), nullable=False)
        batch_op.create_index(
            "ix_grid_siblings", ["community_id", "parent_id", "sort_key"], unique=False
        )
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.alter_column("sort_key", existing_type=_key_type(), nullable=False)
        batch_op.create_index(
            "ix_household_address_order", ["community_id", "sort_key"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.drop_index("ix_household_address_order")
        batch_op.drop_column("sort_key")
    with op.batch_alter_table("grid", schema=None) as batch_op:
        batch_op.drop_index("ix_grid_siblings")
        batch_op.drop_column("sort_key")
        batch_op.drop_column("sort_order")
