"""Alembic environment and versions of the changlang schema."""
