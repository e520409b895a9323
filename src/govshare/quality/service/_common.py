"""Shared helpers of the quality services: datasets through the datastore, targets, settings."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from govshare.clocks import service as clocks
from govshare.core.config import get_settings
from govshare.core.db import utcnow
from govshare.core.security import SYSTEM, Actor
from govshare.datastore import service as datastore

LOCAL = ZoneInfo("Asia/Shanghai")
DEFAULT_WEIGHTS = {
    "completeness": 0.25,
    "validity": 0.3,
    "uniqueness": 0.15,
    "consistency": 0.2,
    "timeliness": 0.1,
}


def dataset(session: Session, actor: Actor, dataset_id: int) -> Any:
    """The datastore's dataset (NotFound when the actor cannot see it)."""
    return datastore.get_dataset(session, actor, dataset_id)


def target(ds: Any) -> tuple[str, str, str]:
    return ("dataset", str(ds.id), ds.name)


def types_of(ds: Any) -> dict[str, str]:
    return {c["name"]: c.get("type_code", "C") for c in ds.columns}


def keys_of(ds: Any) -> list[str]:
    return [c["name"] for c in ds.columns if c.get("is_key")]


def local_now(now: dt.datetime | None = None) -> dt.datetime:
    return (now or utcnow()).astimezone(LOCAL)


def local_today(now: dt.datetime | None = None) -> dt.date:
    return local_now(now).date()


def deadline(session: Session, days: int, now: dt.datetime | None = None) -> dt.date:
    """``days`` working days after today (the clocks module's calendar)."""
    return clocks.add_working_days(session, SYSTEM, local_today(now), days).result


def weights() -> dict[str, float]:
    """Dimension weights from ``GOVSHARE_QUALITY_WEIGHTS`` (defaults for the missing ones)."""
    configured = get_settings().quality_weights
    return {k: float(configured.get(k, v)) for k, v in DEFAULT_WEIGHTS.items()}


def overall(scores: dict[str, float]) -> float:
    """The weighted mean of the dimensions measured (weights renormalised over them)."""
    w = weights()
    total = sum(w[d] for d in scores if w.get(d))
    if not total:
        return round(sum(scores.values()) / len(scores), 2) if scores else 100.0
    return round(sum(scores[d] * w[d] for d in scores if w.get(d)) / total, 2)
