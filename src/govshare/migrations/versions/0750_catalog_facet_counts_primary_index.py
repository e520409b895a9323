"""catalog: facet counts kept by triggers; SQLite's small full-text index of the first tiers

Revision ID: 0750
Revises: 0740
Create Date: 2026-12-04 15:15:00

``catalog_facet_count`` holds one row per combination of the eight facet columns (and the
provider's name) with the number of resources in it. Triggers on ``catalog_resource`` keep it
in the transaction of every insert, update and delete, bulk inserts included, so it is always
exact (docs/decisions/0005). ``catalog_fts_primary`` (SQLite) indexes only the name, provider,
code, keywords and category tokens, as ``tsv_primary`` does on PostgreSQL, so that the first
search tiers never read the long posting lists of data-item words.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0750"
down_revision: str | Sequence[str] | None = "0740"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = (
    "status",
    "provider_department_id",
    "provider_name",
    "category_class",
    "share_type",
    "open_type",
    "format_class",
    "update_cycle",
    "grading_level",
)
_COLS = ", ".join(KEY)


def _values(row: str) -> str:
    return ", ".join(f"{row}.{k}" for k in KEY)


def _same(row: str) -> str:
    return " AND ".join(f"{k} = {row}.{k}" for k in KEY)


def upgrade() -> None:
    op.create_table(
        "catalog_facet_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("provider_department_id", sa.Integer(), nullable=False),
        sa.Column("provider_name", sa.String(length=100), nullable=False),
        sa.Column("category_class", sa.String(length=20), nullable=False),
        sa.Column("share_type", sa.String(length=20), nullable=False),
        sa.Column("open_type", sa.String(length=20), nullable=False),
        sa.Column("format_class", sa.String(length=20), nullable=False),
        sa.Column("update_cycle", sa.String(length=20), nullable=False),
        sa.Column("grading_level", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_facet_count")),
        sa.UniqueConstraint(*KEY, name=op.f("uq_catalog_facet_count_combination")),
    )
    bind = op.get_bind()
    op.execute(
        f"INSERT INTO catalog_facet_count ({_COLS}, n) "
        f"SELECT {_COLS}, count(*) FROM catalog_resource GROUP BY {_COLS}"
    )
    add = (
        f"INSERT INTO catalog_facet_count ({_COLS}, n) VALUES ({_values('NEW')}, 1) "
        f"ON CONFLICT ({_COLS}) DO UPDATE SET n = catalog_facet_count.n + 1"
    )
    drop = f"UPDATE catalog_facet_count SET n = n - 1 WHERE {_same('OLD')}"
    if bind.dialect.name == "sqlite":
        op.execute(
            f"CREATE TRIGGER catalog_facet_count_ins AFTER INSERT ON catalog_resource "
            f"BEGIN {add}; END"
        )
        op.execute(
            f"CREATE TRIGGER catalog_facet_count_del AFTER DELETE ON catalog_resource "
            f"BEGIN {drop}; END"
        )
        op.execute(
            f"CREATE TRIGGER catalog_facet_count_upd AFTER UPDATE OF {_COLS} "
            f"ON catalog_resource BEGIN {drop}; {add}; END"
        )
        op.execute(
            "CREATE VIRTUAL TABLE catalog_fts_primary USING fts5(name_tokens, extra_tokens, "
            "content='catalog_search', content_rowid='resource_id', "
            "tokenize='unicode61 remove_diacritics 0', detail='column')"
        )
        op.execute("INSERT INTO catalog_fts_primary(catalog_fts_primary) VALUES ('rebuild')")
    elif bind.dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION catalog_facet_count_apply() RETURNS trigger AS $$
            BEGIN
              IF TG_OP IN ('UPDATE', 'DELETE') THEN
                {drop};
              END IF;
              IF TG_OP IN ('UPDATE', 'INSERT') THEN
                {add};
              END IF;
              RETURN NULL;
            END $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER catalog_facet_count_ins AFTER INSERT OR DELETE ON catalog_resource "
            "FOR EACH ROW EXECUTE FUNCTION catalog_facet_count_apply()"
        )
        op.execute(
            f"CREATE TRIGGER catalog_facet_count_upd AFTER UPDATE OF {_COLS} "
            "ON catalog_resource FOR EACH ROW EXECUTE FUNCTION catalog_facet_count_apply()"
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS catalog_fts_primary")
        for name in ("ins", "del", "upd"):
            op.execute(f"DROP TRIGGER IF EXISTS catalog_facet_count_{name}")
    elif bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS catalog_facet_count_ins ON catalog_resource")
        op.execute("DROP TRIGGER IF EXISTS catalog_facet_count_upd ON catalog_resource")
        op.execute("DROP FUNCTION IF EXISTS catalog_facet_count_apply()")
    op.drop_table("catalog_facet_count")
