"""Run every benchmark (``make bench`` or ``python -m bench [name ...]``).

Each benchmark module in ``BENCHMARKS`` has ``run() -> list[Result]``; the runner prints a table
and writes ``bench/results/latest.json``. Ratios to the same-run baseline are what to compare
across machines: the machine is shared and noisy.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.common import Result

# Modules add their benchmark here (an explicit list).
BENCHMARKS = [
    "bench.bench_foundation",
    "bench.bench_catalog",
    "bench.bench_datastore",
    "bench.bench_quality",
    "bench.bench_sharing",
    "bench.bench_opendata",
]


def main(argv: list[str]) -> int:
    console = Console()
    wanted = [b for b in BENCHMARKS if not argv or any(a in b for a in argv)]
    results: list[Result] = []
    for name in wanted:
        console.print(f"[bold]{name}[/bold] …")
        started = time.perf_counter()
        results.extend(importlib.import_module(name).run())
        console.print(f"  done in {time.perf_counter() - started:.1f} s")
    table = Table("benchmark", "figure", "baseline", "ratio", "target")
    for r in results:
        table.add_row(r.name, r.figure_text, r.baseline_text, f"{r.ratio:.2f}×", r.target)
    console.print(table)
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(
        json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
