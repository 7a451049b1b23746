"""The demo dataset: each app contributes steps in its own ``demo.py``; ``cuntong demo`` runs them in order.

Steps must be deterministic (they get a seeded ``random.Random``) and idempotent (running twice changes nothing),
and everything they invent must say so (``is_generated`` flags, "演示" labels).
"""

import random
from collections.abc import Callable
from dataclasses import dataclass

DEMO_SEED = 20190518
DEMO_PASSWORD = "Cuntong#2026"


@dataclass(frozen=True)
class DemoStep:
    order: int
    label: str
    run: Callable[..., None]


STEPS: list[DemoStep] = []


def demo_step(order: int, label: str):
    """Register ``fn(context)``; ``context`` carries the programme, a seeded RNG and a progress callback."""

    def decorate(fn):
        STEPS.append(DemoStep(order, label, fn))
        return fn

    return decorate


@dataclass
class DemoContext:
    programme: object = None
    progress: Callable[[int, int | None, str], None] = lambda done, total=None, message="": None

    def rng(self, salt: str) -> random.Random:
        """A generator per step, so adding a step never changes what another step generates."""
        return random.Random(f"{DEMO_SEED}:{salt}")


def run_demo(progress=None) -> DemoContext:
    context = DemoContext(progress=progress or DemoContext.progress)
    for step in sorted(STEPS, key=lambda s: s.order):
        step.run(context)
    return context
