"""opendata: releases, level changes, public users, applications, data requests, API usage

Revision ID: 0600
Revises: 0400
Create Date: 2026-12-04 11:28:29.576139
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import govshare.core.db

revision: str = "0600"
down_revision: str | Sequence[str] | None = "0400"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "opendata_api_usage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("key_prefix", sa.String(length=16), nullable=False),
        sa.Column("public_user_id", sa.Integer(), nullable=True),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opendata_api_usage")),
        sa.UniqueConstraint("day", "key_prefix", name=op.f("uq_opendata_api_usage_day")),
    )
    op.create_table(
        "opendata_public_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("organization", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("verified_at", govshare.core.db.UTCDateTime(), nullable=True),
        sa.Column("verify_digest", sa.String(length=64), nullable=True),
        sa.Column("verify_expires_at", govshare.core.db.UTCDateTime(), nullable=True),
        sa.Column("api_key_digest", sa.String(length=64), nullable=True),
        sa.Column("api_key_prefix", sa.String(length=16), nullable=False),
        sa.Column("session_nonce", sa.String(length=64), nullable=False),
        sa.Column("created_at", govshare.core.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opendata_public_user")),
        sa.UniqueConstraint("api_key_digest", name=op.f("uq_opendata_public_user_api_key_digest")),
        sa.UniqueConstraint("email", name=op.f("uq_opendata_public_user_email")),
    )
    with op.batch_alter_table("opendata_public_user", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_opendata_public_user_verify_digest"), ["verify_digest"], unique=False
        )

    op.create_table(
        "opendata_data_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("requester_name", sa.String(length=100), nullable=False),
        sa.Column("requester_kind", sa.String(length=20), nullable=False),
        sa.Column("public_user_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("provider_department_id", sa.Integer(), nullable=True),
        sa.Column("provider_name", sa.String(length=100), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_at", govshare.core.db.UTCDateTime(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("resource_id", sa.Integer(), nullable=True),
        sa.Column("created_at", govshare.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["answered_by_id"],
            ["user_account.id"],
            name=op.f("fk_opendata_data_request_answered_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_department_id"],
            ["department.id"],
            name=op.f("fk_opendata_data_request_provider_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["public_user_id"],
            ["opendata_public_user.id"],
            name=op.f("fk_opendata_data_request_public_user_id_opendata_public_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opendata_data_request")),
    )
    with op.batch_alter_table("opendata_data_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_opendata_data_request_provider_department_id"),
            ["provider_department_id"],
            unique=False,
        )
        batch_op.create_index("ix_opendata_data_request_status", ["status", "id"], unique=False)

    op.create_table(
        "opendata_release",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("masks", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("downloads", sa.Integer(), nullable=False),
        sa.Column("api_calls", sa.Integer(), nullable=False),
        sa.Column("released_by_id", sa.Integer(), nullable=True),
        sa.Column("released_at", govshare.core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", govshare.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["released_by_id"],
            ["user_account.id"],
            name=op.f("fk_opendata_release_released_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["catalog_resource.id"],
            name=op.f("fk_opendata_release_resource_id_catalog_resource"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opendata_release")),
        sa.UniqueConstraint("resource_id", name=op.f("uq_opendata_release_resource_id")),
    )
    with op.batch_alter_table("opendata_release", schema=None) as batch_op:
        batch_op.create_index("ix_opendata_release_status_level", ["status", "level"], unique=False)

    op.create_table(
        "opendata_application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("provider_department_id", sa.Integer(), nullable=False),
        sa.Column("public_user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("commitment", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("handoff_ref", sa.String(length=100), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", govshare.core.db.UTCDateTime(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("created_at", govshare.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_opendata_application_decided_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_department_id"],
            ["department.id"],
            name=op.f("fk_opendata_application_provider_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["public_user_id"],
            ["opendata_public_user.id"],
            name=op.f("fk_opendata_application_public_user_id_opendata_public_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["opendata_release.id"],
            name=op.f("fk_opendata_application_release_id_opendata_release"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opendata_application")),
    )
    with op.batch_alter_table("opendata_application", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_opendata_application_provider_department_id"),
            ["provider_department_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_opendata_application_public_user_id"), ["public_user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_opendata_application_release_id"), ["release_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_opendata_application_resource_id"), ["resource_id"], unique=False
        )
        batch_op.create_index(
            "ix_opendata_application_status_due", ["status", "due_date"], unique=False
        )

    op.create_table(
        "opendata_level_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("from_level", sa.String(length=20), nullable=False),
        sa.Column("to_level", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", govshare.core.db.UTCDateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", govshare.core.db.UTCDateTime(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_opendata_level_change_decided_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["opendata_release.id"],
            name=op.f("fk_opendata_level_change_release_id_opendata_release"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["user_account.id"],
            name=op.f("fk_opendata_level_change_requested_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opendata_level_change")),
    )
    with op.batch_alter_table("opendata_level_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_opendata_level_change_release_id"), ["release_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("opendata_level_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opendata_level_change_release_id"))

    op.drop_table("opendata_level_change")
    with op.batch_alter_table("opendata_application", schema=None) as batch_op:
        batch_op.drop_index("ix_opendata_application_status_due")
        batch_op.drop_index(batch_op.f("ix_opendata_application_resource_id"))
        batch_op.drop_index(batch_op.f("ix_opendata_application_release_id"))
        batch_op.drop_index(batch_op.f("ix_opendata_application_public_user_id"))
        batch_op.drop_index(batch_op.f("ix_opendata_application_provider_department_id"))

    op.drop_table("opendata_application")
    with op.batch_alter_table("opendata_release", schema=None) as batch_op:
        batch_op.drop_index("ix_opendata_release_status_level")

    op.drop_table("opendata_release")
    with op.batch_alter_table("opendata_data_request", schema=None) as batch_op:
        batch_op.drop_index("ix_opendata_data_request_status")
        batch_op.drop_index(batch_op.f("ix_opendata_data_request_provider_department_id"))

    op.drop_table("opendata_data_request")
    with op.batch_alter_table("opendata_public_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opendata_public_user_verify_digest"))

    op.drop_table("opendata_public_user")
    op.drop_table("opendata_api_usage")
