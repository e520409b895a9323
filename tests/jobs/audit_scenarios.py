"""Audit scenarios of the jobs module's writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from govshare.jobs import service as jobs


def _cancel(s: Any, a: Callable[[str], Any]) -> None:
    job = jobs.enqueue(s, a("steward"), "test.noop", {})
    jobs.cancel_job(s, a("steward"), job.id)


SCENARIOS: dict[str, Callable[[Any, Callable[[str], Any]], None]] = {
    "jobs.cancel_job": _cancel,
}
