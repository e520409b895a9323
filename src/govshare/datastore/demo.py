"""Demo datasets: Dezhou's population (市公安局) and legal entities (市市场监管局), small enough
that the first start stays quick; ``govshare data people`` writes bigger tables on request."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from govshare.core.db import Database
from govshare.core.security import SYSTEM
from govshare.datastore import service, synthetic
from govshare.datastore.schemas import ColumnSpec, DatasetCreate

# Until the catalog binds them (create_dataset_for_resource), demo datasets carry these ids.
DEMO_RESOURCES = (
    (1_000_001, "371400/DEMO-RK", "人口基本信息", "市公安局", synthetic.PERSON_COLUMNS, 2000),
    (
        1_000_002,
        "371400/DEMO-FR",
        "法人单位基本信息",
        "市市场监管局",
        synthetic.ENTITY_COLUMNS,
        500,
    ),
)


def seed_datasets(session: Session, units: dict[str, Any], kinds: dict[str, Any]) -> None:
    """Create the demo datasets and load a first version of each (through the real job)."""
    from govshare.jobs.worker import Worker

    tmp = Path(tempfile.mkdtemp(prefix="govshare-demo-"))
    for rid, code, name, unit, columns, rows in DEMO_RESOURCES:
        dept = units[unit]
        ds = service.create_dataset(
            session,
            SYSTEM,
            DatasetCreate(
                resource_id=rid,
                code=code,
                name=name,
                department_id=dept.id,
                provider_name=dept.name,
                columns=[ColumnSpec(**c) for c in columns],
                update_cycle="每日",
                reject_threshold=0.05,
            ),
        )
        path = tmp / f"{rid}.csv"
        if columns is synthetic.PERSON_COLUMNS:
            synthetic.write_csv(path, synthetic.person_header(), synthetic.person_rows(rows))
        else:
            synthetic.write_csv(path, synthetic.entity_header(), synthetic.entity_rows(rows))
        service.load_file(session, SYSTEM, ds.id, path)
    session.flush()
    Worker(Database(session.connection()), kinds, lease_seconds=3600).run_pending()
