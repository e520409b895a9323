"""Reliability: ``kill -9`` of the server during a load, and readers during a load.

The server runs as a real process on the session's database and data dir, with its in-process
jobs worker. No timing thresholds: the test waits for states, with generous time-outs.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import select

from govshare.core.db import Database
from govshare.core.security import SYSTEM
from govshare.datastore import service
from govshare.datastore.models import Dataset, DatasetLoad, DatasetVersion
from govshare.datastore.service._common import load_dir, serving, version_dir
from govshare.datastore.synthetic import person_header
from govshare.jobs.models import Job
from tests.conftest import TEST_SECRET
from tests.datastore.helpers import make_dataset, people_csv, run_jobs


def _big_csv(path: Path, n: int) -> Path:
    """A large valid person table, fast to write (keys unique, not real ID numbers)."""
    with path.open("w", encoding="utf-8") as fh:
        fh.write(",".join(person_header()) + "\n")
        for i in range(n):
            fh.write(
                f"姓名{i % 997},男,K{i:017d},1980-01-01,汉族,371402,山东省德州市德城区{i}号,"
                f"138{i % 10**8:08d},2020-01-01,2026-01-01 08:00:00,是,{1 + i % 6}\n"
            )
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(settings, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    env = {
        **os.environ,
        "GOVSHARE_DATA_DIR": str(settings.data_dir),
        "GOVSHARE_DATABASE_URL": settings.resolved_database_url,
        "GOVSHARE_SECRET_KEY": TEST_SECRET,
        "GOVSHARE_JOBS_WORKER": "true",
        "GOVSHARE_JOBS_POLL_SECONDS": "0.2",
        "GOVSHARE_LOG_LEVEL": "WARNING",
    }
    port = _free_port()
    with log.open("a") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "govshare.cli", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    pytest.fail("server did not start: " + log.read_text()[-2000:])


def _wait(predicate, timeout: float = 120, what: str = "") -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture
def real_db(engine):
    """Committed sessions on the session's database (not the rolled-back test transaction)."""
    return Database(engine)


def test_kill_9_during_a_load_keeps_the_previous_version_and_cleans_up(real_db, settings, tmp_path):
    with real_db.session() as s, s.begin():
        steward = __import__("tests.personas", fromlist=["actor_of"]).actor_of(s, "steward")
        ds = make_dataset(s, steward, name="可靠性测试")
        ds_id, rid = ds.id, ds.resource_id
        service.load_file(s, steward, ds_id, people_csv(tmp_path / "v1.csv", 100))
    run_jobs(real_db)
    big = _big_csv(tmp_path / "v2.csv", 600_000)
    with real_db.session() as s, s.begin():
        rec = service.load_file(s, SYSTEM, ds_id, big)
        load_id, token, job_id = rec.id, rec.token, rec.job_id

    log = tmp_path / "server.log"
    proc, _base = _serve(settings, log)
    try:

        def running() -> bool:
            with real_db.session() as s:
                job = s.get(Job, job_id)
                return job is not None and job.status == "running" and job.progress > 0.01

        _wait(running, what="the load to start in the server")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()

    # The previous version is intact and readable while the job lies dead.
    with real_db.session() as s, s.begin():
        ds = s.get(Dataset, ds_id)
        current = s.get(DatasetVersion, ds.current_version_id)
        assert current.number == 1 and current.rows == 100
        page = service.search_rows(s, SYSTEM, rid, limit=1)
        assert page.total == 100
        name, _m, stream = service.download_version(s, SYSTEM, ds_id, 1)
        assert len(b"".join(stream).splitlines()) == 101

    proc, _base = _serve(settings, log)  # restart: recovery marks the load failed
    try:

        def failed() -> bool:
            with real_db.session() as s:
                return s.get(Job, job_id).status == "failed"

        _wait(failed, what="recovery of the interrupted load")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    with real_db.session() as s:
        job = s.get(Job, job_id)
        rec = s.get(DatasetLoad, load_id)
        assert "中断" in job.error
        assert rec.status == "failed" and "中断" in rec.error
        assert (
            s.scalars(select(DatasetVersion).where(DatasetVersion.token == token)).first() is None
        )
    assert not (load_dir(token) / "staged.parquet").exists()
    assert not version_dir(ds_id, token).exists()
    assert not serving().exists(token)


def test_readers_during_a_load_see_the_old_or_the_new_version_never_a_mix(real_db, tmp_path):
    with real_db.session() as s, s.begin():
        steward = __import__("tests.personas", fromlist=["actor_of"]).actor_of(s, "steward")
        ds = make_dataset(s, steward, name="读一致性测试")
        ds_id, rid = ds.id, ds.resource_id
        service.load_file(s, steward, ds_id, people_csv(tmp_path / "v1.csv", 300))
    run_jobs(real_db)
    with real_db.session() as s, s.begin():
        service.load_file(s, SYSTEM, ds_id, _big_csv(tmp_path / "v2.csv", 60_000))

    seen: set[tuple[int, int]] = set()
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                with real_db.session() as s, s.begin():
                    r = service.search_rows(s, SYSTEM, rid, limit=1)
                    seen.add((r.version, r.total))
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
                return

    reader = threading.Thread(target=read)
    reader.start()
    try:
        run_jobs(real_db)
    finally:
        stop.set()
        reader.join(30)
    assert not errors, errors
    assert seen <= {(1, 300), (2, 60_000)} and (1, 300) in seen
