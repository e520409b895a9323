"""A token's last-use note inside the data API's read-only transaction (SQLite, real file).

A DEFERRED transaction that has read cannot become a writer once another connection committed:
SQLite answers "database is locked" at once, whatever the busy timeout. The data API resolves its
token inside such a transaction, so the note waits for its commit.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from govshare.accounts.models import ApiToken
from govshare.accounts.service.auth import _touch
from govshare.core.db import READS_ONLY, make_engine, run_deferred_writes


def test_touch_in_a_read_only_transaction_survives_a_concurrent_writer(tmp_path: Path) -> None:
    path = tmp_path / "touch.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    ApiToken.__table__.create(engine)  # type: ignore[attr-defined]
    raw = sqlite3.connect(path)
    raw.execute(
        "INSERT INTO api_token (id, user_id, name, prefix, token_digest, scopes, created_at,"
        " expires_at) VALUES (1, 1, 'a', 'gs_', 'd', '[]', '2026-01-01 00:00:00',"
        " '2099-01-01 00:00:00')"
    )
    raw.commit()
    raw.close()

    reader = Session(engine)
    reader.connection(execution_options={READS_ONLY: True})
    assert reader.scalar(select(ApiToken.name)) == "a"  # the read snapshot begins here
    with engine.begin() as writer:  # another request commits meanwhile
        writer.execute(update(ApiToken).values(name="b"))

    now = dt.datetime(2026, 12, 4, 8, 0, tzinfo=dt.UTC)
    _touch(reader, 1, now)  # raised "database is locked" when it wrote in the reader
    reader.commit()
    run_deferred_writes(reader)
    reader.close()
    with Session(engine) as check:
        assert check.scalar(select(ApiToken.last_used_at)) == now
    engine.dispose()
