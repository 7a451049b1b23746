"""What a benchmark module provides, and the helpers they share.

A module ``bench/bench_<name>.py`` defines ``run(context) -> list[Result]``. Figures are ratios against a baseline
measured in the same run wherever possible (so a slower or busier machine does not change the verdict), plus the
absolute times for the record.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class Result:
    name: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    target: str = ""
    detail: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline

    def as_dict(self) -> dict:
        return {**asdict(self), "ratio": self.ratio}


@dataclass
class Context:
    """Shared set-up: a scratch database directory and the quick flag (CI smoke runs use smaller sizes)."""

    quick: bool = False
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="cuntong-bench-")))


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """Best wall-clock seconds of ``repeat`` runs: the least disturbed by the rest of the machine."""
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - started)
    return min(timings)


def median_of(fn: Callable[[], object], repeat: int = 5) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def quick() -> bool:
    return os.environ.get("CUNTONG_BENCH_QUICK") == "1"
