"""Shared helpers for benchmarks: a result row and a scratch data dir with a migrated database."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class Result:
    """One figure beside its same-run baseline."""

    name: str
    figure: float
    baseline: float
    unit: str
    target: str = ""
    higher_is_better: bool = True

    @property
    def ratio(self) -> float:
        if not self.baseline:
            return 0.0
        return self.figure / self.baseline

    @property
    def figure_text(self) -> str:
        return f"{self.figure:,.1f} {self.unit}"

    @property
    def baseline_text(self) -> str:
        return f"{self.baseline:,.1f} {self.unit}"

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "ratio": self.ratio}


def scratch_env() -> Path:
    """A fresh data dir with development settings, set in the environment."""
    path = Path(tempfile.mkdtemp(prefix="govshare-bench-"))
    os.environ.update(
        {
            "GOVSHARE_DATA_DIR": str(path),
            "GOVSHARE_ENV": "test",
            "GOVSHARE_LOG_LEVEL": "WARNING",
            "GOVSHARE_SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
        }
    )
    os.environ.pop("GOVSHARE_DATABASE_URL", None)
    from govshare.core.config import get_settings

    get_settings.cache_clear()
    return path


def rate(fn: Callable[[], None], n: int) -> float:
    """Calls per second of ``fn`` over ``n`` calls."""
    started = time.perf_counter()
    for _ in range(n):
        fn()
    return n / (time.perf_counter() - started)
