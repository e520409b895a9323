"""quality: rules, runs, findings, rectification issues, objections

Revision ID: 0500
Revises: 0302
Create Date: 2026-12-04 11:52:19.034979
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import govshare.core.db
import govshare.core.security

revision: str = "0500"
down_revision: str | Sequence[str] | None = "0302"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quality_objection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("dataset_name", sa.String(length=200), nullable=False),
        sa.Column("item", sa.String(length=100), nullable=False),
        sa.Column("row_key", sa.String(length=200), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("filed_by_id", sa.Integer(), nullable=True),
        sa.Column("filed_by_name", sa.String(length=120), nullable=False),
        sa.Column("filer_department_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_by_name", sa.String(length=120), nullable=False),
        sa.Column("answered_at", govshare.core.db.UTCDateTime(), nullable=True),
        sa.Column("answered_version", sa.Integer(), nullable=False),
        sa.Column("fixed_version", sa.Integer(), nullable=True),
        sa.Column("escalated_at", govshare.core.db.UTCDateTime(), nullable=True),
        sa.Column("created_at", govshare.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
            name=op.f("fk_quality_objection_dataset_id_dataset"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_quality_objection_department_id_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_objection")),
    )
    with op.batch_alter_table("quality_objection", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quality_objection_department_id"), ["department_id"], unique=False
        )

    op.create_table(
        "quality_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("dimension", sa.String(length=20), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("tolerance", sa.Float(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("suggested", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", govshare.core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", govshare.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
            name=op.f("fk_quality_rule_dataset_id_dataset"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_quality_rule_department_id_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_rule")),
    )
    with op.batch_alter_table("quality_rule", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quality_rule_dataset_id"), ["dataset_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_quality_rule_department_id"), ["department_id"], unique=False
        )

    op.create_table(
        "quality_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("dataset_name", sa.String(length=200), nullable=False),
        sa.Column("department_name", sa.String(length=120), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("rules", sa.Integer(), nullable=False),
        sa.Column("failed_rules", sa.Integer(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("elapsed_ms", sa.Integer(), nullable=False),
        sa.Column("created_by_name", sa.String(length=120), nullable=False),
        sa.Column("started_at", govshare.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
            name=op.f("fk_quality_run_dataset_id_dataset"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_quality_run_department_id_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_run")),
    )
    with op.batch_alter_table("quality_run", schema=None) as batch_op:
        batch_op.create_index(
            "ix_quality_run_dataset_started", ["dataset_id", "started_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_quality_run_department_id"), ["department_id"], unique=False
        )

    op.create_table(
        "quality_finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        sa.Column("rule_name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("dimension", sa.String(length=20), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("failing", sa.Integer(), nullable=False),
        sa.Column("checked", sa.Integer(), nullable=False),
        sa.Column("share", sa.Float(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("samples_json", govshare.core.security.EncryptedText(), nullable=True),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["quality_rule.id"],
            name=op.f("fk_quality_finding_rule_id_quality_rule"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["quality_run.id"],
            name=op.f("fk_quality_finding_run_id_quality_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_finding")),
    )
    with op.batch_alter_table("quality_finding", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quality_finding_rule_id"), ["rule_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quality_finding_run_id"), ["run_id"], unique=False)

    op.create_table(
        "quality_issue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        sa.Column("rule_name", sa.String(length=200), nullable=False),
        sa.Column("dataset_name", sa.String(length=200), nullable=False),
        sa.Column("opened_run_id", sa.Integer(), nullable=False),
        sa.Column("last_finding_id", sa.Integer(), nullable=True),
        sa.Column("failing", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("fixed_by_name", sa.String(length=120), nullable=False),
        sa.Column("fixed_at", govshare.core.db.UTCDateTime(), nullable=True),
        sa.Column("resolved_at", govshare.core.db.UTCDateTime(), nullable=True),
        sa.Column("escalated_at", govshare.core.db.UTCDateTime(), nullable=True),
        sa.Column("created_at", govshare.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
            name=op.f("fk_quality_issue_dataset_id_dataset"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_quality_issue_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["opened_run_id"],
            ["quality_run.id"],
            name=op.f("fk_quality_issue_opened_run_id_quality_run"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["quality_rule.id"],
            name=op.f("fk_quality_issue_rule_id_quality_rule"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_issue")),
    )
    with op.batch_alter_table("quality_issue", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quality_issue_department_id"), ["department_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_quality_issue_rule_id"), ["rule_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("quality_issue", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quality_issue_rule_id"))
        batch_op.drop_index(batch_op.f("ix_quality_issue_department_id"))

    op.drop_table("quality_issue")
    with op.batch_alter_table("quality_finding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quality_finding_run_id"))
        batch_op.drop_index(batch_op.f("ix_quality_finding_rule_id"))

    op.drop_table("quality_finding")
    with op.batch_alter_table("quality_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quality_run_department_id"))
        batch_op.drop_index("ix_quality_run_dataset_started")

    op.drop_table("quality_run")
    with op.batch_alter_table("quality_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quality_rule_department_id"))
        batch_op.drop_index(batch_op.f("ix_quality_rule_dataset_id"))

    op.drop_table("quality_rule")
    with op.batch_alter_table("quality_objection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quality_objection_department_id"))

    op.drop_table("quality_objection")
