"""Placement optimiser: the fewest new village points that reach the coverage targets under the station rules.

Input: villages (position, population, poverty flag, how many more points their quota allows, whether a point
already serves them), candidate sites in each village, and the points already in the network. Output: the sites to
open, the coverage they reach, and — when the targets cannot be met — the villages that block them and the best
coverage the rules allow.

The model (solved by HiGHS as a MILP, binary x per usable site):

- a site is usable when its village has no point yet, its quota allows one more, and it is more than the spacing
  from every existing point (geodesic metres, found through the KD-tree of :mod:`.spatial`);
- at most one new site per village (one point is what makes a village covered);
- x_s + x_t ≤ 1 for usable sites of different villages not more than the spacing apart;
- every uncovered provincial poverty village gets a site; at least ⌈target × villages⌉ villages are covered;
- minimise the number of new points, and among equally few, reach the most residents (a population bonus that
  can never outweigh one point).

When that model is infeasible the optimiser says so with proof (or says that time ran out), then maximises what the
rules allow: poverty villages first, then villages, then residents. Both phases start from a greedy solution
(min-degree independent set, poverty villages first), run under a time limit, and report HiGHS's proven gap.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from . import spatial

Progress = Callable[[int, int | None, str], None]


@dataclass(frozen=True)
class Village:
    key: str
    name: str
    township: str
    lat: float
    lng: float
    population: int = 0
    poverty: bool = False
    quota_left: int = 1
    covered: bool = False  # a point in operation serves it (as the coverage KPI counts)
    planned: bool = False  # an approved or built point will serve it: no new point needed, shown apart


@dataclass(frozen=True)
class Candidate:
    key: str
    village: str
    lat: float
    lng: float
    label: str = ""


@dataclass(frozen=True)
class Existing:
    key: str
    lat: float
    lng: float
    label: str = ""


@dataclass(frozen=True)
class Problem:
    villages: Sequence[Village]
    candidates: Sequence[Candidate]
    existing: Sequence[Existing] = ()
    min_spacing_m: float = 2000.0
    village_target_percent: float = 50.0
    poverty_target_percent: float = 100.0


@dataclass(frozen=True)
class Blocker:
    """A village the targets need but the rules keep out, and why."""

    village: str
    name: str
    poverty: bool
    reason: str  # no_site | quota_full | too_close | conflict
    detail: tuple[str, ...] = ()


@dataclass
class Result:
    phase: str  # fewest_points | best_coverage
    status: str  # optimal | time_limit | infeasible | no_solution
    targets_met: bool
    chosen: list[str]
    village_total: int
    village_needed: int
    villages_covered_before: int
    villages_planned: int
    villages_covered_after: int
    poverty_total: int
    poverty_needed: int
    poverty_covered_before: int
    poverty_planned: int
    poverty_covered_after: int
    population_reached: int
    objective: float | None
    bound: float | None
    gap: float | None
    proven: bool
    greedy_points: int
    greedy_met_targets: bool
    solve_seconds: float
    usable_sites: int
    conflicts: int
    blockers: list[Blocker] = field(default_factory=list)
    targets_infeasible_proven: bool = False

    @property
    def new_points(self) -> int:
        return len(self.chosen)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["new_points"] = self.new_points
        return data


# --- preparing the instance ------------------------------------------------------------------------------------


@dataclass
class _Instance:
    problem: Problem
    villages: dict[str, Village]
    usable: list[Candidate]
    village_of: np.ndarray  # usable index → village index in `eligible`
    eligible: list[str]  # villages that have usable sites (uncovered, quota left)
    sites_of: dict[str, list[int]]
    neighbours: list[set[int]]
    conflicts: list[tuple[int, int]]
    hard_blocked: dict[str, Blocker]
    covered_before: int
    poverty_before: int
    planned: int
    poverty_planned: int
    village_needed: int
    poverty_needed: int
    population_scale: float


def _prepare(problem: Problem) -> _Instance:
    villages = {v.key: v for v in problem.villages}
    sites_by_village: dict[str, list[Candidate]] = {}
    for candidate in problem.candidates:
        if candidate.village in villages:
            sites_by_village.setdefault(candidate.village, []).append(candidate)
    existing = list(problem.existing)
    too_close: dict[str, set[str]] = {}
    if existing and problem.candidates:
        pairs = spatial.close_across(
            [c.lat for c in problem.candidates],
            [c.lng for c in problem.candidates],
            [e.lat for e in existing],
            [e.lng for e in existing],
            problem.min_spacing_m,
        )
        for pair in pairs:
            too_close.setdefault(problem.candidates[pair.i].key, set()).add(
                existing[pair.j].label or existing[pair.j].key
            )
    usable: list[Candidate] = []
    hard_blocked: dict[str, Blocker] = {}
    for village in problem.villages:
        if village.covered or village.planned:
            continue
        sites = sites_by_village.get(village.key, [])
        if not sites:
            hard_blocked[village.key] = Blocker(village.key, village.name, village.poverty, "no_site")
        elif village.quota_left < 1:
            hard_blocked[village.key] = Blocker(village.key, village.name, village.poverty, "quota_full")
        else:
            open_sites = [s for s in sites if s.key not in too_close]
            if not open_sites:
                near = sorted({name for s in sites for name in too_close[s.key]})
                hard_blocked[village.key] = Blocker(
                    village.key, village.name, village.poverty, "too_close", tuple(near)
                )
            usable.extend(open_sites)
    eligible = sorted({c.village for c in usable})
    index_of_village = {key: i for i, key in enumerate(eligible)}
    village_of = np.array([index_of_village[c.village] for c in usable], dtype=int)
    sites_of: dict[str, list[int]] = {key: [] for key in eligible}
    for index, candidate in enumerate(usable):
        sites_of[candidate.village].append(index)
    neighbours: list[set[int]] = [set() for _ in usable]
    conflicts = []
    for pair in spatial.close_pairs([c.lat for c in usable], [c.lng for c in usable], problem.min_spacing_m):
        if village_of[pair.i] != village_of[pair.j]:
            neighbours[pair.i].add(pair.j)
            neighbours[pair.j].add(pair.i)
            conflicts.append((pair.i, pair.j))
    total = len(problem.villages)
    covered_before = sum(1 for v in problem.villages if v.covered)
    poverty = [v for v in problem.villages if v.poverty]
    poverty_before = sum(1 for v in poverty if v.covered)
    planned = sum(1 for v in problem.villages if v.planned and not v.covered)
    poverty_planned = sum(1 for v in poverty if v.planned and not v.covered)
    return _Instance(
        problem=problem,
        villages=villages,
        usable=usable,
        village_of=village_of,
        eligible=eligible,
        sites_of=sites_of,
        neighbours=neighbours,
        conflicts=conflicts,
        hard_blocked=hard_blocked,
        covered_before=covered_before,
        poverty_before=poverty_before,
        planned=planned,
        poverty_planned=poverty_planned,
        village_needed=math.ceil(problem.village_target_percent * total / 100 - 1e-9),
        poverty_needed=math.ceil(problem.poverty_target_percent * len(poverty) / 100 - 1e-9),
        population_scale=float(sum(v.population for v in problem.villages)) + 1.0,
    )


# --- greedy ----------------------------------------------------------------------------------------------------


def greedy(instance: _Instance, *, stop_at_targets: bool) -> list[int]:
    """A valid set of usable sites: poverty villages first (fewest options first), then min-degree sites.

    With ``stop_at_targets`` it stops as soon as both targets are reached (the fewest-points start); otherwise it
    keeps adding sites while any fits (the best-coverage start).
    """
    available = set(range(len(instance.usable)))
    chosen: list[int] = []
    villages = instance.villages
    poverty_sites = {i for key, sites in instance.sites_of.items() if villages[key].poverty for i in sites}

    def take(site: int) -> None:
        chosen.append(site)
        village = instance.usable[site].village
        available.difference_update(instance.sites_of[village])
        available.difference_update(instance.neighbours[site])

    poverty_villages = sorted(
        (key for key in instance.eligible if villages[key].poverty),
        key=lambda key: (len(instance.sites_of[key]), key),
    )
    for key in poverty_villages:
        options = [s for s in instance.sites_of[key] if s in available]
        if options:
            take(
                min(
                    options,
                    key=lambda s: (
                        len(instance.neighbours[s] & available & poverty_sites),
                        len(instance.neighbours[s] & available),
                        instance.usable[s].key,
                    ),
                )
            )

    def met() -> bool:
        return _targets_met(instance, chosen)

    while available and not (stop_at_targets and met()):
        site = min(
            available,
            key=lambda s: (
                len(instance.neighbours[s] & available),
                -villages[instance.usable[s].village].population,
                instance.usable[s].key,
            ),
        )
        take(site)
    return chosen


# --- the MILP --------------------------------------------------------------------------------------------------


def _solve(
    instance: _Instance,
    *,
    costs: np.ndarray,
    maximise: bool,
    extra_rows: list[tuple[list[int], float, float]],
    start: list[int] | None,
    time_limit: float,
    progress: Progress | None,
    label: str,
):
    import highspy

    n = len(instance.usable)
    rows: list[tuple[list[int], float, float]] = []
    for sites in instance.sites_of.values():
        if len(sites) > 1:
            rows.append((sites, -highspy.kHighsInf, 1.0))
    rows.extend(([i, j], -highspy.kHighsInf, 1.0) for i, j in instance.conflicts)
    rows.extend(extra_rows)

    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = len(rows)
    lp.col_cost_ = np.asarray(costs, dtype=float)
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.ones(n)
    lp.row_lower_ = np.array([low for _cols, low, _high in rows], dtype=float)
    lp.row_upper_ = np.array([high for _cols, _low, high in rows], dtype=float)
    starts, indices = [0], []
    for cols, _low, _high in rows:
        indices.extend(cols)
        starts.append(len(indices))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(indices, dtype=np.int32)
    lp.a_matrix_.value_ = np.ones(len(indices))
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = len(rows)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    lp.sense_ = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize

    solver = _new_solver()
    solver.setOptionValue("time_limit", float(time_limit))
    solver.setOptionValue("mip_rel_gap", 1e-6)
    solver.setOptionValue("random_seed", 20190518)
    solver.setOptionValue("threads", 1)
    solver.passModel(lp)
    if start is not None:
        values = np.zeros(n)
        values[start] = 1.0
        solution = highspy.HighsSolution()
        solution.col_value = values.tolist()
        solver.setSolution(solution)
    started = time.monotonic()
    if progress is not None:
        last = [0.0]

        def report(event) -> None:
            now = time.monotonic()
            if now - last[0] < 0.5:
                return
            last[0] = now
            out = event.data_out
            elapsed = min(now - started, time_limit)
            progress(
                int(100 * elapsed / max(time_limit, 1e-9)),
                100,
                f"{label}: {out.mip_primal_bound:.3f} / {out.mip_dual_bound:.3f}, gap {100 * out.mip_gap:.2f}%",
            )

        solver.cbMipInterrupt.subscribe(report)
    solver.run()
    seconds = time.monotonic() - started
    status = solver.getModelStatus()
    info = solver.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    values = np.array(solver.getSolution().col_value) if has_solution and n else np.zeros(n)
    chosen = [int(i) for i in np.flatnonzero(values > 0.5)]
    if status == highspy.HighsModelStatus.kOptimal:
        state = "optimal"
    elif status == highspy.HighsModelStatus.kInfeasible:
        state = "infeasible"
    elif has_solution:
        state = "time_limit"
    else:
        state = "no_solution"
    objective = float(info.objective_function_value) if has_solution else None
    bound = float(info.mip_dual_bound) if math.isfinite(info.mip_dual_bound) else None
    gap = 0.0 if state == "optimal" else (float(info.mip_gap) if has_solution and math.isfinite(info.mip_gap) else None)
    return state, chosen, objective, bound, gap, seconds


def _new_solver():
    """A silent HiGHS instance. The library prints a banner on stdout the first time one is made; it is discarded,
    so `cuntong stations plan --format json` stays valid JSON and `cuntong demo` stays readable."""
    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        solver = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
    solver.silent()
    return solver


def _population_bonus(instance: _Instance) -> np.ndarray:
    return np.array(
        [instance.villages[c.village].population / instance.population_scale for c in instance.usable], dtype=float
    )


def optimise(problem: Problem, *, time_limit: float = 60.0, progress: Progress | None = None) -> Result:
    """Fewest new points reaching the targets; failing that, the best coverage the rules allow."""
    say = progress or (lambda done, total=None, message="": None)
    say(0, 100, "prepare")
    instance = _prepare(problem)
    villages = instance.villages
    n = len(instance.usable)
    poverty_total = sum(1 for v in problem.villages if v.poverty)
    every_poverty = poverty_total > 0 and instance.poverty_needed >= poverty_total
    rows: list[tuple[list[int], float, float]] = []
    if every_poverty:
        rows.extend((instance.sites_of[key], 1.0, 1.0) for key in instance.eligible if villages[key].poverty)
    elif instance.poverty_needed > instance.poverty_before + instance.poverty_planned:
        poverty_sites = [i for i, c in enumerate(instance.usable) if villages[c.village].poverty]
        needed = instance.poverty_needed - instance.poverty_before - instance.poverty_planned
        rows.append((poverty_sites, float(needed), math.inf))
    coverage_needed = instance.village_needed - instance.covered_before - instance.planned
    if coverage_needed > 0:
        rows.append((list(range(n)), float(coverage_needed), math.inf))

    say(5, 100, "greedy")
    start = greedy(instance, stop_at_targets=True)
    greedy_met = _targets_met(instance, start)
    if _targets_met(instance, []):
        say(100, 100, "done")
        return _result(instance, "fewest_points", "optimal", [], 0.0, 0.0, 0.0, 0.0, 0, True)
    if n == 0 or (every_poverty and any(b.poverty for b in instance.hard_blocked.values())):
        proven_infeasible = True  # a village the targets need has no site the rules allow
    else:
        state, chosen, objective, bound, gap, seconds = _solve(
            instance,
            costs=np.ones(n) - _population_bonus(instance),
            maximise=False,
            extra_rows=rows,
            start=start if greedy_met else None,
            time_limit=time_limit,
            progress=say,
            label="fewest points",
        )
        if state in ("optimal", "time_limit"):
            say(100, 100, "done")
            return _result(
                instance, "fewest_points", state, chosen, objective, bound, gap, seconds, len(start), greedy_met
            )
        proven_infeasible = state == "infeasible"

    say(50, 100, "best coverage")
    start = greedy(instance, stop_at_targets=False)
    weights = np.array(
        [(len(problem.villages) + 2.0 if villages[c.village].poverty else 1.0) for c in instance.usable], dtype=float
    ) + _population_bonus(instance)
    if n:
        state, chosen, objective, bound, gap, seconds = _solve(
            instance,
            costs=weights,
            maximise=True,
            extra_rows=[],
            start=start,
            time_limit=time_limit,
            progress=say,
            label="best coverage",
        )
    else:
        state, chosen, objective, bound, gap, seconds = "optimal", [], 0.0, 0.0, 0.0, 0.0
    if state == "no_solution":
        chosen, objective = start, float(weights[start].sum())
    say(100, 100, "done")
    result = _result(instance, "best_coverage", state, chosen, objective, bound, gap, seconds, len(start), greedy_met)
    result.targets_infeasible_proven = proven_infeasible
    result.blockers = _blockers(instance, chosen)
    return result


def _targets_met(instance: _Instance, chosen: Sequence[int]) -> bool:
    """Counting the villages served now, those planned points will serve, and the new sites."""
    covered = instance.covered_before + instance.planned + len(chosen)
    poverty = (
        instance.poverty_before
        + instance.poverty_planned
        + sum(1 for s in chosen if instance.villages[instance.usable[s].village].poverty)
    )
    return covered >= instance.village_needed and poverty >= instance.poverty_needed


def _result(instance, phase, state, chosen, objective, bound, gap, seconds, greedy_points, greedy_met) -> Result:
    villages = instance.villages
    chosen_villages = [villages[instance.usable[s].village] for s in chosen]
    poverty_total = sum(1 for v in instance.problem.villages if v.poverty)
    return Result(
        phase=phase,
        status=state,
        targets_met=_targets_met(instance, chosen),
        chosen=sorted(instance.usable[s].key for s in chosen),
        village_total=len(instance.problem.villages),
        village_needed=instance.village_needed,
        villages_covered_before=instance.covered_before,
        villages_planned=instance.planned,
        villages_covered_after=instance.covered_before + instance.planned + len(chosen),
        poverty_total=poverty_total,
        poverty_needed=instance.poverty_needed,
        poverty_covered_before=instance.poverty_before,
        poverty_planned=instance.poverty_planned,
        poverty_covered_after=instance.poverty_before
        + instance.poverty_planned
        + sum(1 for v in chosen_villages if v.poverty),
        population_reached=sum(v.population for v in chosen_villages),
        objective=objective,
        bound=bound,
        gap=gap,
        proven=state == "optimal",
        greedy_points=greedy_points,
        greedy_met_targets=greedy_met,
        solve_seconds=round(seconds, 3),
        usable_sites=len(instance.usable),
        conflicts=len(instance.conflicts),
    )


def _blockers(instance: _Instance, chosen: Sequence[int]) -> list[Blocker]:
    """Villages the targets need that stay uncovered: those no site can serve, then poverty villages squeezed out
    by the spacing (named with the villages whose chosen sites sit too close to every site they have)."""
    villages = instance.villages
    chosen_set = set(chosen)
    served = {instance.usable[s].village for s in chosen}
    blockers = [b for b in instance.hard_blocked.values()]
    for key in instance.eligible:
        village = villages[key]
        if key in served or not village.poverty:
            continue
        rivals = sorted(
            {
                villages[instance.usable[n].village].name
                for s in instance.sites_of[key]
                for n in instance.neighbours[s]
                if n in chosen_set
            }
        )
        blockers.append(Blocker(key, village.name, True, "conflict", tuple(rivals)))
    return sorted(blockers, key=lambda b: (not b.poverty, b.reason, b.village))
