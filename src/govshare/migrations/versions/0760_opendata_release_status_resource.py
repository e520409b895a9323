"""opendata: releases indexed by (status, resource_id), so the portal's "released" list is read
from the index alone

Revision ID: 0760
Revises: 0710
Create Date: 2026-12-04 19:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0760"
down_revision: str | Sequence[str] | None = "0710"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_opendata_release_status_resource", "opendata_release", ["status", "resource_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_opendata_release_status_resource", table_name="opendata_release")
