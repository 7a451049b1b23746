"""What a benchmark module provides, and the measuring every module shares.

A module ``bench/bench_<name>.py`` defines ``run(context) -> list[Result]``. Figures are ratios against a baseline
measured in the same run wherever possible (so a slower or busier machine does not change the verdict), plus the
absolute figures for the record.

A ratio can only flatter when its two sides are measured differently, so both sides come from :func:`measure`: the
sides are observed in turns (A, B, A, B …, so a machine that slows down halfway slows both), each the same number of
times, and summarised by the same statistic; :class:`Result` refuses a ratio of two samples taken any other way.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

SIZES = ("tiny", "small", "full")
# "best" is the observation least disturbed by the rest of the machine (the least time, the greatest rate),
# "median" the typical one.
STATISTICS = ("best", "median")

Observer = Callable[[], Mapping[str, float]]


@dataclass(frozen=True)
class Timing:
    """How a figure is taken: ``repeat`` observations of each side, summarised by ``statistic``."""

    repeat: int = 3
    statistic: str = "best"

    def __post_init__(self):
        if self.repeat < 1 or self.statistic not in STATISTICS:
            raise ValueError(f"timing needs repeat ≥ 1 and a statistic of {STATISTICS}: {self}")

    def summarise(self, observations: list[float], *, higher_is_better: bool = False) -> float:
        if self.statistic == "median":
            return statistics.median(observations)
        return max(observations) if higher_is_better else min(observations)

    def __str__(self) -> str:
        return f"{self.statistic} of {self.repeat}"


@dataclass(frozen=True)
class Sample:
    """One figure of one side: its observations and the summary ``timing`` makes of them. Observations are costs
    (seconds, megabytes) unless ``higher_is_better`` (a rate)."""

    observations: tuple[float, ...]
    timing: Timing
    higher_is_better: bool = False

    @classmethod
    def once(cls, value: float) -> Sample:
        """A figure observed once and never divided by another (a solver's time, a proven gap)."""
        return cls((value,), Timing(repeat=1))

    @property
    def value(self) -> float:
        return self.timing.summarise(list(self.observations), higher_is_better=self.higher_is_better)

    def per(self, work: float) -> Sample:
        """Work done per unit of each observation: requests per second from the seconds ``work`` requests took."""
        return Sample(tuple(work / cost for cost in self.observations), self.timing, higher_is_better=True)

    def minus(self, other: Sample) -> Sample:
        """Observation by observation (each round's peak RSS less the same round's idle RSS)."""
        _same_way(self, other)
        pairs = zip(self.observations, other.observations, strict=True)
        return Sample(tuple(a - b for a, b in pairs), self.timing, self.higher_is_better)


def _same_way(a: Sample, b: Sample) -> None:
    if (a.timing, len(a.observations), a.higher_is_better) != (b.timing, len(b.observations), b.higher_is_better):
        raise ValueError(f"both sides of a ratio must be measured the same way: {a} ≠ {b}")


def timed(fn: Callable[[], object], clock: Callable[[], float] = time.perf_counter) -> Observer:
    """An observer of ``fn``'s wall-clock seconds."""

    def observe() -> dict[str, float]:
        started = clock()
        fn()
        return {"seconds": clock() - started}

    return observe


def measure(sides: Mapping[str, Observer], timing: Timing, *, warmup: bool = False) -> dict[str, dict[str, Sample]]:
    """Observe every side ``timing.repeat`` times, in turns; each observer returns its figures by name
    (``{"seconds": …, "rss_mb": …}``). With ``warmup``, every side is first run once unrecorded (one-off costs such
    as imports and caches then weigh on neither). Returns ``{side: {figure: Sample}}``, every sample taken the same
    way."""
    if warmup:
        for observe in sides.values():
            observe()
    rounds: dict[str, list[Mapping[str, float]]] = {side: [] for side in sides}
    for _round in range(timing.repeat):
        for side, observe in sides.items():
            rounds[side].append(observe())
    return {
        side: {figure: Sample(tuple(o[figure] for o in observed), timing) for figure in observed[0]}
        for side, observed in rounds.items()
    }


@dataclass
class Result:
    """A figure, and where it is a ratio, the baseline it is divided by (measured the same way, or refused)."""

    name: str
    sample: Sample
    unit: str
    baseline_sample: Sample | None = None
    baseline_name: str = ""
    target: str = ""
    detail: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.baseline_sample is not None:
            _same_way(self.sample, self.baseline_sample)

    @property
    def value(self) -> float:
        return self.sample.value

    @property
    def baseline(self) -> float | None:
        return None if self.baseline_sample is None else self.baseline_sample.value

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "statistic": self.sample.timing.statistic,
            "repeat": self.sample.timing.repeat,
            "observations": list(self.sample.observations),
            "baseline": self.baseline,
            "baseline_name": self.baseline_name,
            "ratio": self.ratio,
            "target": self.target,
            "detail": self.detail,
        }


@dataclass
class Context:
    """Shared set-up: the size every module scales its data to, and a scratch directory for the database (made when
    first asked for; ``python -m bench`` removes it at the end)."""

    size: str = "full"
    province: bool = False  # also measure at province scale (bench_web)
    scratch: Path | None = None

    def __post_init__(self):
        if self.size not in SIZES:
            raise ValueError(f"size must be one of {SIZES}, not {self.size!r}")

    @property
    def workdir(self) -> Path:
        if self.scratch is None:
            self.scratch = Path(tempfile.mkdtemp(prefix="cuntong-bench-"))
        return self.scratch

    def pick(self, by_size: Mapping[str, object]):
        """This run's value from a module's ``{"tiny": …, "small": …, "full": …}``."""
        return by_size[self.size]
