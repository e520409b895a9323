"""Enqueue in the caller's transaction, run with a lease, progress, failures, recovery, cancel."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from govshare.audit.models import AuditEntry
from govshare.core.db import utcnow
from govshare.core.errors import Conflict, NotFound
from govshare.jobs import dispatch
from govshare.jobs import service as jobs
from govshare.jobs.models import Job
from govshare.jobs.worker import Worker, owner_is_dead
from tests.jobs.helpers import CLEANED, KINDS


@pytest.fixture
def worker(db):
    return Worker(db, KINDS, lease_seconds=30, progress_interval=0)


class TestEnqueue:
    def test_enqueue_is_part_of_the_callers_transaction(self, db, actor):
        s = db.session()
        with s.begin_nested():
            job = jobs.enqueue(s, actor("steward"), "test.steps", {"a": 1}, title="三步")
            job_id = job.id
            s.rollback()
        assert s.get(Job, job_id) is None

    def test_enqueue_records_who_and_notifies_after_commit(self, db, actor, monkeypatch):
        seen: list[list[int]] = []
        monkeypatch.setattr(dispatch, "notify", lambda ids: seen.append(list(ids)))
        s = db.session()
        job = jobs.enqueue(s, actor("steward"), "test.steps", {}, target=("dataset", "7"))
        assert seen == []
        s.commit()
        assert seen == [[job.id]]
        assert job.actor["username"] == "p.tongji.steward"
        assert (job.target_type, job.target_id, job.status) == ("dataset", "7", "queued")


class TestWorker:
    def test_run_records_progress_and_result(self, session, actor, worker):
        job = jobs.enqueue(session, actor("steward"), "test.steps", {})
        session.commit()
        assert worker.run_once() == (job.id, "succeeded")
        session.refresh(job)
        assert job.status == "succeeded" and job.progress == 1.0
        assert job.result == {"steps": 3, "by": "p.tongji.steward"}
        assert job.attempts == 1 and job.lease_expires_at is None

    def test_domain_error_fails_the_job_with_its_chinese_message(self, session, actor, worker):
        job = jobs.enqueue(session, actor("steward"), "test.bad", {})
        session.commit()
        assert worker.run_once() == (job.id, "failed")
        session.refresh(job)
        assert job.error == "源文件为空。"
        assert job.id in CLEANED

    def test_crash_fails_the_job_and_runs_cleanup(self, session, actor, worker):
        job = jobs.enqueue(session, actor("steward"), "test.boom", {})
        session.commit()
        assert worker.run_once() == (job.id, "failed")
        session.refresh(job)
        assert "disk on fire" in job.error and job.id in CLEANED
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "jobs.fail_job")
        ).first()
        assert entry is not None

    def test_unknown_kinds_are_left_queued(self, session, actor, worker):
        jobs.enqueue(session, actor("steward"), "other.kind", {})
        session.commit()
        assert worker.run_once() is None

    def test_recover_fails_jobs_with_expired_leases_and_cleans_up(self, session, actor, worker):
        job = jobs.enqueue(session, actor("steward"), "test.steps", {})
        job.status = "running"
        job.lease_owner = "elsewhere:1:abc"
        job.lease_expires_at = utcnow() - dt.timedelta(seconds=1)
        session.commit()
        assert worker.recover() == [job.id]
        session.refresh(job)
        assert job.status == "failed" and "中断" in job.error
        assert job.id in CLEANED

    def test_recover_leaves_live_leases_alone(self, session, actor, worker):
        job = jobs.enqueue(session, actor("steward"), "test.steps", {})
        job.status = "running"
        job.lease_owner = "elsewhere:1:abc"
        job.lease_expires_at = utcnow() + dt.timedelta(seconds=60)
        session.commit()
        assert worker.recover() == []

    def test_a_dead_local_owner_is_recognised_before_its_lease_ends(self):
        from govshare.jobs.worker import HOST

        assert owner_is_dead(f"{HOST}:999999999:x")
        assert not owner_is_dead("otherhost:1:x")


class TestCancelJob:
    def test_cancel_queued_job(self, session, actor, worker):
        job = jobs.enqueue(session, actor("steward"), "test.steps", {})
        jobs.cancel_job(session, actor("steward"), job.id)
        assert job.status == "cancelled"
        session.commit()
        assert worker.run_once() is None

    def test_cancel_finished_job_is_a_conflict(self, session, actor, worker):
        job = jobs.enqueue(session, actor("steward"), "test.steps", {})
        session.commit()
        worker.run_once()
        with pytest.raises(Conflict):
            jobs.cancel_job(session, actor("steward"), job.id)

    def test_running_job_stops_at_its_next_progress_step(self, session, actor, worker):
        job = jobs.enqueue(session, actor("steward"), "test.steps", {})
        session.commit()
        snap = worker.claim()
        jobs.cancel_job(session, actor("steward"), job.id)
        session.commit()
        assert worker.run(snap) == "cancelled"


class TestGetJob:
    def test_other_departments_job_is_not_found(self, session, actor):
        job = jobs.enqueue(session, actor("steward"), "test.steps", {})
        with pytest.raises(NotFound):
            jobs.get_job(session, actor("consumer"), job.id)

    def test_list_shows_own_jobs(self, session, actor):
        job = jobs.enqueue(session, actor("steward"), "test.steps", {})
        rows, _c = jobs.list_jobs(session, actor("steward"))
        assert job.id in [r.id for r in rows]
        rows, _c = jobs.list_jobs(session, actor("consumer"))
        assert job.id not in [r.id for r in rows]
