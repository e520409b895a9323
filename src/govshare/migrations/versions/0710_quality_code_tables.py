"""quality: code tables a steward uploads, with immutable versions

Revision ID: 0710
Revises: 0720
Create Date: 2026-12-04 16:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import govshare.core.db

revision: str = "0710"
down_revision: str | Sequence[str] | None = "0720"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quality_code_table",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.Column("created_by_name", sa.String(length=120), nullable=False),
        sa.Column("created_at", govshare.core.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_code_table")),
        sa.UniqueConstraint("name", name=op.f("uq_quality_code_table_name")),
    )
    op.create_table(
        "quality_code_table_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("table_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("encoding", sa.String(length=20), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("created_by_name", sa.String(length=120), nullable=False),
        sa.Column("created_at", govshare.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["table_id"],
            ["quality_code_table.id"],
            name=op.f("fk_quality_code_table_version_table_id_quality_code_table"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_code_table_version")),
    )
    op.create_index(
        op.f("ix_quality_code_table_version_table_id"),
        "quality_code_table_version",
        ["table_id"],
        unique=False,
    )
    op.create_index(
        "uq_quality_code_table_version",
        "quality_code_table_version",
        ["table_id", "number"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_quality_code_table_version", table_name="quality_code_table_version")
    op.drop_index(
        op.f("ix_quality_code_table_version_table_id"), table_name="quality_code_table_version"
    )
    op.drop_table("quality_code_table_version")
    op.drop_table("quality_code_table")
