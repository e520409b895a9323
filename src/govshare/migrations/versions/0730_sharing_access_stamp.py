"""sharing: the access stamp that keys the data API's per-process cache of resolved calls

Revision ID: 0730
Revises: 0303
Create Date: 2026-12-04 15:10:00

One row whose token changes, by trigger, in the same transaction as every change that can narrow
or end a consumer's access: tokens (revocation, expiry, scopes), their users (deactivation), the
systems and their token bindings, grants (revocation, validity, items, masks, filter, limits) and
the dataset's current version. Triggers rather than service calls, so no write path (another
module's service, a direct edit) can forget it. A fresh random token rather than a counter, so a
rolled-back write's value never comes back.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0730"
down_revision: str | Sequence[str] | None = "0303"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table → the columns whose update may change a data API answer (None: any column)
WATCHED: dict[str, tuple[str, ...] | None] = {
    "api_token": ("user_id", "token_digest", "scopes", "expires_at", "revoked_at"),
    "user_account": ("username", "real_name", "department_id", "active"),
    "department": ("name",),
    "sharing_system": None,
    "sharing_system_token": None,
    "sharing_grant": None,
    "dataset": ("resource_id", "current_version_id"),
    "dataset_version": ("status", "serving_ref", "serving_dropped", "columns"),
}
OPS = ("INSERT", "UPDATE", "DELETE")


def _sqlite_trigger(table: str, op_name: str, columns: tuple[str, ...] | None) -> str:
    event = op_name
    if op_name == "UPDATE" and columns:
        event = f"UPDATE OF {', '.join(columns)}"
    return (
        f"CREATE TRIGGER sharing_stamp_{table}_{op_name.lower()} AFTER {event} ON {table} "
        "BEGIN UPDATE sharing_access_stamp SET token = lower(hex(randomblob(16))) WHERE id = 1; "
        "END"
    )


def upgrade() -> None:
    table = op.create_table(
        "sharing_access_stamp",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sharing_access_stamp")),
    )
    op.bulk_insert(table, [{"id": 1, "token": uuid.uuid4().hex}])
    if op.get_context().dialect.name == "sqlite":
        for name, columns in WATCHED.items():
            for op_name in OPS:
                op.execute(_sqlite_trigger(name, op_name, columns))
        return
    op.execute(
        "CREATE FUNCTION sharing_access_stamp_bump() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN UPDATE sharing_access_stamp SET token = md5(random()::text || clock_timestamp()::text) "
        "WHERE id = 1; RETURN NULL; END $$"
    )
    for name, columns in WATCHED.items():
        update = f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"
        op.execute(
            f"CREATE TRIGGER sharing_access_stamp AFTER INSERT OR {update} OR DELETE ON {name} "
            "FOR EACH STATEMENT EXECUTE FUNCTION sharing_access_stamp_bump()"
        )


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        for name in WATCHED:
            for op_name in OPS:
                op.execute(f"DROP TRIGGER IF EXISTS sharing_stamp_{name}_{op_name.lower()}")
    else:
        for name in WATCHED:
            op.execute(f"DROP TRIGGER IF EXISTS sharing_access_stamp ON {name}")
        op.execute("DROP FUNCTION IF EXISTS sharing_access_stamp_bump()")
    op.drop_table("sharing_access_stamp")
