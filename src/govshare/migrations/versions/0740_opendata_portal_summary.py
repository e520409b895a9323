"""opendata: the home page's summary kept per portal version; releases indexed by last change

Revision ID: 0740
Revises: 0730
Create Date: 2026-12-04 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import govshare.core.db

revision: str = "0740"
down_revision: str | Sequence[str] | None = "0730"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_opendata_release_updated_at", "opendata_release", ["updated_at"])
    op.create_table(
        "opendata_portal_summary",
        sa.Column("stamp", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("computed_at", govshare.core.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("stamp", name=op.f("pk_opendata_portal_summary")),
    )


def downgrade() -> None:
    op.drop_index("ix_opendata_release_updated_at", table_name="opendata_release")
    op.drop_table("opendata_portal_summary")
