"""catalog: each resource's facet combination, kept by the facet-count triggers

Revision ID: 0770
Revises: 0760
Create Date: 2026-12-04 22:40:00

``catalog_resource_facet`` (resource id → ``catalog_facet_count`` row) is kept by the triggers
of migration 0750 in the same statement as the counts: a phrase's facets then count its
matches' combinations in this narrow table (one integer per match) instead of reading the eight
facet columns out of every matching resource row, which was most of a broad phrase's first
facet view after a write (docs/performance.md, Catalog).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0770"
down_revision: str | Sequence[str] | None = "0760"
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


def _same(row: str, table: str = "") -> str:
    prefix = f"{table}." if table else ""
    return " AND ".join(f"{prefix}{k} = {row}.{k}" for k in KEY)


ADD = (
    f"INSERT INTO catalog_facet_count ({_COLS}, n) VALUES ({_values('NEW')}, 1) "
    f"ON CONFLICT ({_COLS}) DO UPDATE SET n = catalog_facet_count.n + 1"
)
DROP = f"UPDATE catalog_facet_count SET n = n - 1 WHERE {_same('OLD')}"
PLACE = (
    "INSERT INTO catalog_resource_facet (resource_id, combo_id) "
    f"SELECT NEW.id, c.id FROM catalog_facet_count AS c WHERE {_same('NEW', 'c')} "
    "ON CONFLICT (resource_id) DO UPDATE SET combo_id = excluded.combo_id"
)
UNPLACE = "DELETE FROM catalog_resource_facet WHERE resource_id = OLD.id"


def _triggers(with_places: bool) -> None:
    """(Re)create the facet-count triggers, keeping the resources' places or not."""
    add = f"{ADD}; {PLACE}" if with_places else ADD
    drop = f"{DROP}; {UNPLACE}" if with_places else DROP
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("ins", "del", "upd"):
            op.execute(f"DROP TRIGGER IF EXISTS catalog_facet_count_{name}")
        op.execute(
            f"CREATE TRIGGER catalog_facet_count_ins AFTER INSERT ON catalog_resource "
            f"BEGIN {add}; END"
        )
        op.execute(
            f"CREATE TRIGGER catalog_facet_count_del AFTER DELETE ON catalog_resource "
            f"BEGIN {drop}; END"
        )
        update = f"{DROP}; {add}" if with_places else f"{DROP}; {ADD}"
        op.execute(
            f"CREATE TRIGGER catalog_facet_count_upd AFTER UPDATE OF {_COLS} "
            f"ON catalog_resource BEGIN {update}; END"
        )
    elif bind.dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE OR REPLACE FUNCTION catalog_facet_count_apply() RETURNS trigger AS $$
            BEGIN
              IF TG_OP IN ('UPDATE', 'DELETE') THEN
                {DROP};
              END IF;
              IF TG_OP = 'DELETE' AND {"true" if with_places else "false"} THEN
                {UNPLACE if with_places else "NULL"};
              END IF;
              IF TG_OP IN ('UPDATE', 'INSERT') THEN
                {add};
              END IF;
              RETURN NULL;
            END $$ LANGUAGE plpgsql
            """
        )


def upgrade() -> None:
    op.create_table(
        "catalog_resource_facet",
        sa.Column("resource_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("combo_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("resource_id", name=op.f("pk_catalog_resource_facet")),
    )
    op.execute(
        "INSERT INTO catalog_resource_facet (resource_id, combo_id) "
        f"SELECT r.id, c.id FROM catalog_resource AS r JOIN catalog_facet_count AS c "
        f"ON {_same('r', 'c')}"
    )
    _triggers(with_places=True)


def downgrade() -> None:
    _triggers(with_places=False)
    op.drop_table("catalog_resource_facet")
