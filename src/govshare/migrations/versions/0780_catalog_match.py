"""catalog (PostgreSQL): a narrow copy of the documents' vectors for counting matches

Revision ID: 0780
Revises: 0770
Create Date: 2026-12-04 22:50:00

A GIN match cannot be answered from the index alone: PostgreSQL fetches each matching row of
the table the index points into. ``catalog_search`` rows carry every token column and both
vectors (~2 KB), so counting a broad phrase's 40,000 matches read ~15,000 heap blocks.
``catalog_match`` holds only (resource id, facet combination, ``tsv``), the vector compressed or
out of line (``toast_tuple_target = 128``), so its heap is a few MB: counts and a phrase's facet
combinations read it alone, ranking still reads ``catalog_search``. A trigger on
``catalog_search`` keeps the vector, and the facet-count triggers (migration 0770, redefined
here) the combination, in the same transaction. SQLite (FTS5 and ``catalog_resource_facet``)
needs nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0780"
down_revision: str | Sequence[str] | None = "0770"
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
_NEW = ", ".join(f"NEW.{k}" for k in KEY)
_SAME_OLD = " AND ".join(f"{k} = OLD.{k}" for k in KEY)
_SAME_NEW = " AND ".join(f"c.{k} = NEW.{k}" for k in KEY)
_COMBO = "(SELECT combo_id FROM catalog_resource_facet WHERE resource_id = NEW.{id})"


def _facet_function(with_matches: bool) -> str:
    """The facet-count trigger function of migration 0770, and with ``with_matches`` also
    copying the resource's combination into ``catalog_match``."""
    match = (
        f"UPDATE catalog_match SET combo_id = {_COMBO.format(id='id')} WHERE resource_id = NEW.id;"
        if with_matches
        else ""
    )
    return f"""
        CREATE OR REPLACE FUNCTION catalog_facet_count_apply() RETURNS trigger AS $$
        BEGIN
          IF TG_OP IN ('UPDATE', 'DELETE') THEN
            UPDATE catalog_facet_count SET n = n - 1 WHERE {_SAME_OLD};
          END IF;
          IF TG_OP = 'DELETE' AND true THEN
            DELETE FROM catalog_resource_facet WHERE resource_id = OLD.id;
          END IF;
          IF TG_OP IN ('UPDATE', 'INSERT') THEN
            INSERT INTO catalog_facet_count ({_COLS}, n) VALUES ({_NEW}, 1)
            ON CONFLICT ({_COLS}) DO UPDATE SET n = catalog_facet_count.n + 1;
            INSERT INTO catalog_resource_facet (resource_id, combo_id)
            SELECT NEW.id, c.id FROM catalog_facet_count AS c WHERE {_SAME_NEW}
            ON CONFLICT (resource_id) DO UPDATE SET combo_id = excluded.combo_id;
            {match}
          END IF;
          RETURN NULL;
        END $$ LANGUAGE plpgsql
        """


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE TABLE catalog_match (resource_id integer PRIMARY KEY, combo_id integer, "
        "tsv tsvector NOT NULL) WITH (toast_tuple_target = 128)"
    )
    op.execute(
        "INSERT INTO catalog_match (resource_id, combo_id, tsv) "
        "SELECT s.resource_id, f.combo_id, s.tsv FROM catalog_search AS s "
        "LEFT JOIN catalog_resource_facet AS f ON f.resource_id = s.resource_id "
        "WHERE s.tsv IS NOT NULL"
    )
    op.execute("CREATE INDEX ix_catalog_match_tsv ON catalog_match USING gin (tsv)")
    op.execute(
        f"""
        CREATE FUNCTION catalog_match_apply() RETURNS trigger AS $$
        BEGIN
          IF TG_OP IN ('UPDATE', 'DELETE') THEN
            DELETE FROM catalog_match WHERE resource_id = OLD.resource_id;
          END IF;
          IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.tsv IS NOT NULL THEN
            INSERT INTO catalog_match (resource_id, combo_id, tsv)
            VALUES (NEW.resource_id, {_COMBO.format(id="resource_id")}, NEW.tsv)
            ON CONFLICT (resource_id) DO UPDATE SET tsv = EXCLUDED.tsv,
              combo_id = EXCLUDED.combo_id;
          END IF;
          RETURN NULL;
        END $$ LANGUAGE plpgsql
        """
    )
    op.execute(
        "CREATE TRIGGER catalog_match_ins AFTER INSERT OR DELETE ON catalog_search "
        "FOR EACH ROW EXECUTE FUNCTION catalog_match_apply()"
    )
    op.execute(
        "CREATE TRIGGER catalog_match_upd AFTER UPDATE OF resource_id, tsv ON catalog_search "
        "FOR EACH ROW EXECUTE FUNCTION catalog_match_apply()"
    )
    op.execute(_facet_function(with_matches=True))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_facet_function(with_matches=False))
    op.execute("DROP TRIGGER IF EXISTS catalog_match_upd ON catalog_search")
    op.execute("DROP TRIGGER IF EXISTS catalog_match_ins ON catalog_search")
    op.execute("DROP FUNCTION IF EXISTS catalog_match_apply()")
    op.execute("DROP TABLE IF EXISTS catalog_match")
