"""The NATS JetStream backend against the real server at 127.0.0.1:4222 (no skipping)."""

from __future__ import annotations

import uuid

import pytest

from govshare.jobs import dispatch
from govshare.jobs import service as jobs
from govshare.jobs.worker import Worker
from tests.jobs.helpers import KINDS

NATS_URL = "nats://127.0.0.1:4222"


@pytest.fixture
def nats_dispatcher():
    try:
        name = uuid.uuid4().hex[:10]
        d = dispatch.NatsDispatcher(
            NATS_URL, stream=f"TEST_{name}", subject=f"test.{name}.jobs", durable="w"
        )
    except dispatch.NatsUnavailable as exc:
        pytest.fail(f"{exc} — start nats-server with JetStream (-js) on 127.0.0.1:4222")
    yield d
    d.delete_stream()
    d.close()


def test_published_ids_reach_a_worker(nats_dispatcher):
    nats_dispatcher.notify([101, 102])
    got: list[int] = []
    for _ in range(5):
        got += nats_dispatcher.wait(1.0)
        if len(got) >= 2:
            break
    assert {101, 102} <= set(got)


def test_a_committed_job_is_dispatched_and_run(nats_dispatcher, db, actor, monkeypatch):
    monkeypatch.setattr(dispatch, "_dispatcher", nats_dispatcher)
    s = db.session()
    job = jobs.enqueue(s, actor("steward"), "test.steps", {})
    s.commit()
    ids: list[int] = []
    for _ in range(5):
        ids += nats_dispatcher.wait(1.0)
        if job.id in ids:
            break
    assert job.id in ids
    worker = Worker(db, KINDS, dispatcher=nats_dispatcher, progress_interval=0)
    assert worker.run_once(job.id) == (job.id, "succeeded")


def test_unreachable_server_is_a_clear_error():
    with pytest.raises(dispatch.NatsUnavailable, match=r"127\.0\.0\.1:4999"):
        dispatch.NatsDispatcher("nats://127.0.0.1:4999", connect_timeout=0.5)
