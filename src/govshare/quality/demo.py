"""Demo quality rules and one inspection for the demo datasets (a few seconds on first start)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from govshare.core.security import SYSTEM
from govshare.datastore import service as datastore
from govshare.quality import service


def seed_quality(session: Session) -> int:
    """Accept the suggested rules of every demo dataset and inspect each once; returns runs."""
    runs = 0
    for ds in datastore.list_datasets(session, SYSTEM):
        for rule in service.suggest_rules(session, SYSTEM, ds.id):
            service.create_rule(session, SYSTEM, ds.id, rule, suggested=True)
        if ds.current_version_id is not None:
            service.run_inspection(session, SYSTEM, ds.id, trigger="schedule")
            runs += 1
    session.flush()
    return runs
