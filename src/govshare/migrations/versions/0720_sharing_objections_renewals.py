"""sharing: objections to refusals and their arbitration; grant renewals

Revision ID: 0720
Revises: 0750
Create Date: 2026-12-04 15:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import govshare.core.db

revision: str = "0720"
down_revision: str | Sequence[str] | None = "0750"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

USERS = ("objected_by_id", "arbitrated_by_id")


def upgrade() -> None:
    with op.batch_alter_table("sharing_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("objection", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("objected_at", govshare.core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("objected_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("arbitration", sa.String(length=20), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("arbitration_note", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("arbitrated_at", govshare.core.db.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("arbitrated_by_id", sa.Integer(), nullable=True))
        for column in USERS:
            batch_op.create_foreign_key(
                batch_op.f(f"fk_sharing_request_{column}_user_account"),
                "user_account",
                [column],
                ["id"],
                ondelete="SET NULL",
            )
    op.create_table(
        "sharing_renewal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.String(length=500), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("submitted_at", govshare.core.db.UTCDateTime(), nullable=False),
        sa.Column("decided_at", govshare.core.db.UTCDateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("valid_until", govshare.core.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_sharing_renewal_decided_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["sharing_grant.id"],
            name=op.f("fk_sharing_renewal_grant_id_sharing_grant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["user_account.id"],
            name=op.f("fk_sharing_renewal_requester_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sharing_renewal")),
    )
    with op.batch_alter_table("sharing_renewal", schema=None) as batch_op:
        batch_op.create_index("ix_sharing_renewal_grant_status", ["grant_id", "status"])


def downgrade() -> None:
    with op.batch_alter_table("sharing_renewal", schema=None) as batch_op:
        batch_op.drop_index("ix_sharing_renewal_grant_status")
    op.drop_table("sharing_renewal")
    with op.batch_alter_table("sharing_request", schema=None) as batch_op:
        for column in USERS:
            batch_op.drop_constraint(
                batch_op.f(f"fk_sharing_request_{column}_user_account"), type_="foreignkey"
            )
        for column in (
            "arbitrated_by_id",
            "arbitrated_at",
            "arbitration_note",
            "arbitration",
            "objected_by_id",
            "objected_at",
            "objection",
        ):
            batch_op.drop_column(column)
