"""Group commit of read entries: every waiter returns only after its entry is in the chain, and
concurrent reads share commits."""

from __future__ import annotations

import asyncio
import threading

import pytest
from sqlalchemy import func, select, text

from govshare.audit.group import GroupRecorder
from govshare.audit.models import AuditEntry
from govshare.audit.service import verify_audit_chain
from govshare.core.db import Database, make_engine
from govshare.core.security import SYSTEM


@pytest.fixture
def own_db(settings, engine, tmp_path):
    """A database of its own (committed writes must not leak into the rolled-back tests)."""
    import os

    from alembic import command
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from govshare.cli import alembic_config

    pg = os.environ.get("GOVSHARE_TEST_DATABASE_URL")
    admin = None
    if pg:
        name = f"govshare_group_{os.getpid()}"
        admin = create_engine(pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(pg).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path / 'group.sqlite3'}"
    command.upgrade(alembic_config(url), "head")  # type: ignore[arg-type]
    eng = make_engine(url)
    yield Database(eng)
    eng.dispose()
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _count(db: Database) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_concurrent_reads_share_commits_and_all_land(own_db, actor):
    recorder = GroupRecorder(own_db, max_batch=200, max_wait_ms=2)

    async def many() -> None:
        await asyncio.gather(
            *(
                recorder.record(SYSTEM, "test.read", ("row", str(i), ""), details={"i": i})
                for i in range(300)
            )
        )

    asyncio.run(many())
    recorder.stop()
    assert _count(own_db) == 300
    assert recorder.stats.batches < 300 and recorder.stats.largest_batch > 1
    with own_db.session() as s:
        result = verify_audit_chain(s, SYSTEM)
        s.commit()
    assert result.ok and result.checked == 300


def test_record_returns_only_after_commit(own_db):
    recorder = GroupRecorder(own_db)

    async def one() -> int:
        await recorder.record(SYSTEM, "test.read", ("row", "1", ""))
        return _count(own_db)

    assert asyncio.run(one()) == 1
    recorder.stop()


def test_blocking_record_from_threads(own_db):
    recorder = GroupRecorder(own_db, max_batch=50)
    threads = [
        threading.Thread(
            target=recorder.record_blocking, args=(SYSTEM, "test.read", ("row", str(i), ""))
        )
        for i in range(40)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    recorder.stop()
    assert _count(own_db) == 40


def test_a_failed_write_reaches_every_waiter(own_db):
    with own_db.session() as s, s.begin():
        s.execute(text("DROP TABLE audit_head"))
    recorder = GroupRecorder(own_db)

    async def one() -> None:
        await recorder.record(SYSTEM, "test.read")

    with pytest.raises(Exception, match="audit_head"):
        asyncio.run(one())
    recorder.stop()
    assert recorder.stats.failures == 1


@pytest.fixture
def sqlite_db(tmp_path):
    """A migrated SQLite file (the embedded default, where the event loop writes inline)."""
    from alembic import command

    from govshare.cli import alembic_config

    url = f"sqlite:///{tmp_path / 'inline.sqlite3'}"
    command.upgrade(alembic_config(url), "head")  # type: ignore[arg-type]
    eng = make_engine(url)
    yield Database(eng)
    eng.dispose()


def test_on_a_sqlite_file_the_loop_commits_each_turns_entries_itself(sqlite_db, monkeypatch):
    import govshare.audit.group as group

    monkeypatch.setattr(group, "CHECKPOINT_EVERY", 50)
    recorder = GroupRecorder(sqlite_db)
    assert recorder.inline

    async def many() -> None:
        for turn in range(4):
            await asyncio.gather(
                *(
                    recorder.record(SYSTEM, "test.read", ("row", f"{turn}-{i}", ""))
                    for i in range(40)
                )
            )

    asyncio.run(many())  # returns once the executor (where the checkpoint ran) has finished
    recorder.stop()
    assert _count(sqlite_db) == 160
    assert recorder.stats.inline_batches == 4 and recorder.stats.largest_batch == 40
    assert recorder._thread is None  # no thread was needed
    assert recorder.stats.checkpoints >= 1
    with sqlite_db.session() as s:
        assert verify_audit_chain(s, SYSTEM).ok


def test_a_taken_write_lock_hands_the_batch_to_the_thread_and_the_loop_runs_on(sqlite_db):
    recorder = GroupRecorder(sqlite_db)
    holder = sqlite_db.bind.connect()  # type: ignore[union-attr]
    holder.begin()  # BEGIN IMMEDIATE: another writer holds the lock
    ticks: list[int] = []

    async def scenario() -> None:
        ticked = asyncio.Event()

        async def ticker() -> None:  # other requests' work on the same loop
            for i in range(5):
                await asyncio.sleep(0)
                ticks.append(i)
            ticked.set()

        async def release_when_ticked() -> None:
            await ticked.wait()
            # The loop ran on while the lock was taken; the entry waits, with the thread.
            assert recorder.stats.handed_off == 1 and recorder.stats.entries == 0
            await asyncio.to_thread(holder.rollback)

        waiting = asyncio.ensure_future(recorder.record(SYSTEM, "test.read", ("row", "1", "")))
        await asyncio.gather(ticker(), release_when_ticked(), waiting)

    asyncio.run(scenario())
    # The loop's own connection never waits for the lock (a wait there would stop every
    # request on the loop for up to the pool's 30 s busy timeout).
    assert recorder._conn is not None
    raw = recorder._conn.connection.driver_connection
    assert raw.execute("PRAGMA busy_timeout").fetchone()[0] == 0  # type: ignore[union-attr]
    holder.close()
    recorder.stop()
    assert ticks == [0, 1, 2, 3, 4]
    assert recorder.stats.handed_off == 1 and recorder.stats.failures == 0
    assert _count(sqlite_db) == 1


@pytest.mark.parametrize(("level", "pragma", "inline"), [("normal", 1, True), ("full", 2, False)])
def test_under_synchronous_full_the_thread_commits_so_no_fsync_stalls_the_loop(
    settings, tmp_path, monkeypatch, level, pragma, inline
):
    from alembic import command

    from govshare.cli import alembic_config

    url = f"sqlite:///{tmp_path / 'sync.sqlite3'}"
    command.upgrade(alembic_config(url), "head")  # type: ignore[arg-type]
    monkeypatch.setattr(settings, "sqlite_synchronous", level)  # GOVSHARE_SQLITE_SYNCHRONOUS
    eng = make_engine(url)
    with eng.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        assert raw.execute("PRAGMA synchronous").fetchone()[0] == pragma
    db = Database(eng)
    recorder = GroupRecorder(db)
    assert recorder.inline is inline

    async def many() -> None:
        await asyncio.gather(
            *(recorder.record(SYSTEM, "test.read", ("row", str(i), "")) for i in range(30))
        )

    asyncio.run(many())
    recorder.stop()
    assert _count(db) == 30
    assert (recorder.stats.inline_batches > 0) is inline
    with db.session() as s:
        assert verify_audit_chain(s, SYSTEM).ok
    eng.dispose()


def test_an_unknown_synchronous_level_is_refused_at_start(monkeypatch):
    from pydantic import ValidationError

    from govshare.core.config import Settings

    monkeypatch.setenv("GOVSHARE_SQLITE_SYNCHRONOUS", "off")
    with pytest.raises(ValidationError, match="sqlite_synchronous"):
        Settings()
