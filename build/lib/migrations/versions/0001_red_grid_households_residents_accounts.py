"""red grid, households, residents, accounts

Revision ID: 0001
Revises:
Create Date: 2026-11-25 09:12:30.570089
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "community",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community")),
    )
    op.create_table(
        "change_counter",
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("last_position", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_change_counter_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("community_id", name=op.f("pk_change_counter")),
    )
    op.create_table(
        "grid",
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column(
            "level",
            sa.Enum("grid", "micro_grid", name="grid_level", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_grid_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["parent_id"], ["grid.id"], name=op.f("fk_grid_parent_id_grid")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid")),
    )
    with op.batch_alter_table("grid", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grid_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_grid_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_grid_position"), ["position"], unique=False)

    op.create_table(
        "household",
        sa.Column("grid_id", sa.Uuid(), nullable=False),
        sa.Column("building", sa.String(length=20), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("room", sa.String(length=20), nullable=False),
        sa.Column("contact_post_id", sa.Uuid(), nullable=True),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_household_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["grid_id"], ["grid.id"], name=op.f("fk_household_grid_id_grid")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household")),
    )
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_household_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_household_contact_post_id"), ["contact_post_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_household_grid_id"), ["grid_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_household_position"), ["position"], unique=False)
        batch_op.create_index(
            "uq_household_address",
            ["community_id", "building", "unit", "room"],
            unique=True,
            sqlite_where=sa.text("deleted = 0"),
            postgresql_where=sa.text("NOT deleted"),
        )

    op.create_table(
        "resident",
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("id_number_cipher", sa.String(length=200), nullable=True),
        sa.Column("id_number_hash", sa.String(length=64), nullable=True),
        sa.Column("id_number_masked", sa.String(length=18), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("party_member", sa.Boolean(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_resident_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name=op.f("fk_resident_household_id_household")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resident")),
    )
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_resident_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_resident_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_resident_position"), ["position"], unique=False)
        batch_op.create_index(
            "uq_resident_id_number",
            ["community_id", "id_number_hash"],
            unique=True,
            sqlite_where=sa.text("deleted = 0 AND id_number_hash IS NOT NULL"),
            postgresql_where=sa.text("NOT deleted AND id_number_hash IS NOT NULL"),
        )

    op.create_table(
        "account",
        sa.Column(
            "kind",
            sa.Enum(
                "admin", "staff", "resident", name="account_kind", native_enum=False, length=18
            ),
            nullable=False,
        ),
        sa.Column("username", sa.String(length=50), nullable=True),
        sa.Column("display_name", sa.String(length=50), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("resident_id", sa.Uuid(), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_account_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_account_resident_id_resident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("resident_id", name=op.f("uq_account_resident_id")),
        sa.UniqueConstraint("username", name=op.f("uq_account_username")),
    )
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_community_id"), ["community_id"], unique=False)

    op.create_table(
        "device",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_device_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_device_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device")),
    )
    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_device_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_device_community_id"), ["community_id"], unique=False)

    op.create_table(
        "grid_post",
        sa.Column("grid_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "cadre",
                "grid_chief",
                "deputy_chief",
                "grid_member",
                "micro_grid_member",
                name="post_role",
                native_enum=False,
                length=27,
            ),
            nullable=False,
        ),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_grid_post_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_grid_post_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["grid_id"], ["grid.id"], name=op.f("fk_grid_post_grid_id_grid")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_post")),
    )
    with op.batch_alter_table("grid_post", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grid_post_account_id"), ["account_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_grid_post_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_grid_post_grid_id"), ["grid_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_grid_post_position"), ["position"], unique=False)

    # household -> grid_post closes a cycle (post -> account -> resident -> household),
    # so this key is added once both tables exist.
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.create_foreign_key(
            op.f("fk_household_contact_post_id_grid_post"), "grid_post", ["contact_post_id"], ["id"]
        )

    op.create_table(
        "login_code",
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("issued_by_id", sa.Uuid(), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_login_code_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["account.id"], name=op.f("fk_login_code_issued_by_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_login_code_resident_id_resident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_code")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_login_code_code_hash")),
    )
    with op.batch_alter_table("login_code", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_login_code_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_login_code_resident_id"), ["resident_id"], unique=False
        )

    op.create_table(
        "personal_data_access",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=True),
        sa.Column("purpose", sa.String(length=50), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_personal_data_access_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_personal_data_access_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["resident.id"],
            name=op.f("fk_personal_data_access_resident_id_resident"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personal_data_access")),
    )
    with op.batch_alter_table("personal_data_access", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_personal_data_access_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_personal_data_access_community_id"), ["community_id"], unique=False
        )

    op.create_table(
        "refresh_token",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_refresh_token_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_refresh_token_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["device.id"], name=op.f("fk_refresh_token_device_id_device")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_refresh_token_token_hash")),
    )
    with op.batch_alter_table("refresh_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_refresh_token_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_refresh_token_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_refresh_token_device_id"), ["device_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_refresh_token_family_id"), ["family_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("refresh_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refresh_token_family_id"))
        batch_op.drop_index(batch_op.f("ix_refresh_token_device_id"))
        batch_op.drop_index(batch_op.f("ix_refresh_token_community_id"))
        batch_op.drop_index(batch_op.f("ix_refresh_token_account_id"))

    op.drop_table("refresh_token")
    with op.batch_alter_table("personal_data_access", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_personal_data_access_community_id"))
        batch_op.drop_index(batch_op.f("ix_personal_data_access_account_id"))

    op.drop_table("personal_data_access")
    with op.batch_alter_table("login_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_code_resident_id"))
        batch_op.drop_index(batch_op.f("ix_login_code_community_id"))

    op.drop_table("login_code")
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_household_contact_post_id_grid_post"), type_="foreignkey")

    with op.batch_alter_table("grid_post", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grid_post_position"))
        batch_op.drop_index(batch_op.f("ix_grid_post_grid_id"))
        batch_op.drop_index(batch_op.f("ix_grid_post_community_id"))
        batch_op.drop_index(batch_op.f("ix_grid_post_account_id"))

    op.drop_table("grid_post")
    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_community_id"))
        batch_op.drop_index(batch_op.f("ix_device_account_id"))

    op.drop_table("device")
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_community_id"))

    op.drop_table("account")
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_resident_id_number",
            sqlite_where=sa.text("deleted = 0 AND id_number_hash IS NOT NULL"),
            postgresql_where=sa.text("NOT deleted AND id_number_hash IS NOT NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_resident_position"))
        batch_op.drop_index(batch_op.f("ix_resident_household_id"))
        batch_op.drop_index(batch_op.f("ix_resident_community_id"))

    op.drop_table("resident")
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_household_address",
            sqlite_where=sa.text("deleted = 0"),
            postgresql_where=sa.text("NOT deleted"),
        )
        batch_op.drop_index(batch_op.f("ix_household_position"))
        batch_op.drop_index(batch_op.f("ix_household_grid_id"))
        batch_op.drop_index(batch_op.f("ix_household_contact_post_id"))
        batch_op.drop_index(batch_op.f("ix_household_community_id"))

    op.drop_table("household")
    with op.batch_alter_table("grid", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grid_position"))
        batch_op.drop_index(batch_op.f("ix_grid_parent_id"))
        batch_op.drop_index(batch_op.f("ix_grid_community_id"))

    op.drop_table("grid")
    op.drop_table("change_counter")
    op.drop_table("community")
