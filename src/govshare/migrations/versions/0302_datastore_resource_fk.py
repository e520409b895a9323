"""datastore: dataset.resource_id references catalog_resource

Revision ID: 0302
Revises: 0201
Create Date: 2026-11-26 02:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0302"
down_revision: str | Sequence[str] | None = "0201"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dataset", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_dataset_resource_id_catalog_resource"),
            "catalog_resource",
            ["resource_id"],
            ["id"],
            ondelete="RESTRICT",
        )


def downgrade() -> None:
    with op.batch_alter_table("dataset", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_dataset_resource_id_catalog_resource"), type_="foreignkey"
        )
