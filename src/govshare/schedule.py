"""Periodic work: the explicit list of passes one clock tick runs, and the in-process scheduler.

``govshare clocks tick`` (cron, tests) runs ``tick`` once; the web app runs it every
``GOVSHARE_CLOCKS_TICK_MINUTES`` with APScheduler, and a delivery pass right after a commit that
queued e-mails or webhook calls. Every pass is idempotent: reminders are claimed per stage
(``clocks.service.claim_stage``) and outbox rows change state as they are sent, so two app servers
ticking at once send nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from govshare.core.db import Database
from govshare.core.security import SYSTEM
from govshare.notify import service as notify

log = logging.getLogger("govshare.schedule")


def _deliver(session: Session, now: dt.datetime | None) -> dict[str, Any]:
    return notify.deliver_outbox(session, SYSTEM, now=now).model_dump(exclude={"details"})


def passes() -> list[tuple[str, Callable[[Session, dt.datetime | None], dict[str, Any]]]]:
    """The passes of one tick, in order (modules add theirs here: an explicit list)."""
    from govshare.datastore import service as datastore
    from govshare.opendata import service as opendata
    from govshare.quality import service as quality
    from govshare.sharing import service as sharing
    from govshare.supervision import service as supervision

    def reminders(session: Session, now: dt.datetime | None) -> dict[str, Any]:
        return supervision.run_reminders(session, SYSTEM, now=now).model_dump()

    def pulls(session: Session, now: dt.datetime | None) -> dict[str, Any]:
        return {"enqueued": len(datastore.enqueue_due_pulls(session, now))}

    def inspections(session: Session, now: dt.datetime | None) -> dict[str, Any]:
        done = quality.run_due_inspections(session, SYSTEM, now)
        return {**done, "escalated": quality.escalate_overdue_issues(session, SYSTEM, now)}

    def requests(session: Session, now: dt.datetime | None) -> dict[str, Any]:
        return sharing.send_deadline_reminders(session, SYSTEM, now=now)

    def usage(session: Session, now: dt.datetime | None) -> dict[str, Any]:
        return opendata.flush_portal_usage(session, SYSTEM)

    def expiries(session: Session, now: dt.datetime | None) -> dict[str, Any]:
        return sharing.send_expiry_notices(session, SYSTEM, now=now)

    return [
        ("opendata.usage", usage),
        ("supervision.reminders", reminders),
        ("quality.inspections", inspections),
        ("sharing.reminders", requests),
        ("sharing.expiries", expiries),
        ("datastore.pulls", pulls),
        ("notify.deliver", _deliver),
    ]


def tick(db: Database, now: dt.datetime | None = None) -> dict[str, dict[str, Any]]:
    """Run every pass once, each in its own transaction; a failing pass does not stop the rest."""
    results: dict[str, dict[str, Any]] = {}
    for name, run in passes():
        with db.session() as session:
            try:
                results[name] = run(session, now)
                session.commit()
            except Exception as exc:  # noqa: BLE001 - one pass failing must not stop the others
                session.rollback()
                log.exception("pass %s failed", name)
                results[name] = {"error": f"{type(exc).__name__}: {exc}"}
    return results


def flush_usage_now(db: Database) -> None:
    """Add this process's tallied portal API calls to the database (when the app stops)."""
    from govshare.opendata import service as opendata
    from govshare.opendata.service.usage import pending_calls

    if not pending_calls():
        return
    with db.session() as session:
        try:
            opendata.flush_portal_usage(session, SYSTEM)
            session.commit()
        except Exception:  # noqa: BLE001 - stopping must not fail on statistics
            session.rollback()
            log.exception("flushing the portal's usage failed")


def deliver_now(db: Database) -> None:
    """One delivery pass (after a commit that queued outbox messages)."""
    with db.session() as session:
        try:
            _deliver(session, None)
            session.commit()
        except Exception:  # noqa: BLE001
            session.rollback()
            log.exception("delivery failed")


class Scheduler:
    """APScheduler's background scheduler running ``tick`` and after-commit deliveries."""

    def __init__(self, db: Database, minutes: int) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        self.db = db
        self._scheduler = BackgroundScheduler(timezone="UTC")
        self._scheduler.add_job(
            tick,
            "interval",
            minutes=minutes,
            args=[db],
            id="tick",
            coalesce=True,
            max_instances=1,
            next_run_time=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5),
        )

    def kick(self) -> None:
        """Schedule one delivery pass now (coalesced with any pending one)."""
        self._scheduler.add_job(
            deliver_now, args=[self.db], id="deliver", replace_existing=True, max_instances=1
        )

    def start(self) -> None:
        self._scheduler.start()
        notify.set_after_commit_hook(self.kick)

    def stop(self) -> None:
        notify.set_after_commit_hook(None)
        self._scheduler.shutdown(wait=False)
