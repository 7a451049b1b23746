"""The placement optimiser against brute force on small instances, and its reports on infeasible targets."""

import itertools
import math
import random

import pytest

from cuntong.stations import optimiser, spatial
from cuntong.stations.optimiser import Candidate, Existing, Problem, Village

ORIGIN = (23.30, 116.20)


def _at(east_m: float, north_m: float) -> tuple[float, float]:
    lat, lng = spatial.offset(*ORIGIN, 0, north_m)
    return spatial.offset(lat, lng, 90, east_m)


def random_problem(seed: int, villages: int = 8, sites: int = 13, side_m: float = 6000) -> Problem:
    rng = random.Random(seed)
    village_list = []
    for i in range(villages):
        lat, lng = _at(rng.uniform(0, side_m), rng.uniform(0, side_m))
        village_list.append(
            Village(
                f"v{i}",
                f"村{i}",
                "t",
                lat,
                lng,
                population=rng.randint(500, 9000),
                poverty=rng.random() < 0.25,
                quota_left=0 if rng.random() < 0.08 else 1,
                covered=rng.random() < 0.1,
            )
        )
    candidates = []
    for j in range(sites):
        village = village_list[j % villages] if j < villages else rng.choice(village_list)
        lat, lng = spatial.offset(village.lat, village.lng, rng.uniform(0, 360), rng.uniform(0, 700))
        candidates.append(Candidate(f"c{j}", village.key, lat, lng))
    existing = [Existing("e0", *_at(rng.uniform(0, side_m), rng.uniform(0, side_m)), label="旧站")] if seed % 3 else []
    return Problem(village_list, candidates, existing, 2000.0, village_target_percent=rng.choice([40, 50, 60]))


def brute_force(problem: Problem):
    """Every subset of sites: the fewest points meeting the targets (then the most residents), and the best
    coverage (poverty villages, then villages, then residents) — straight from the rules, sharing no code."""
    villages = {v.key: v for v in problem.villages}
    usable = [
        c
        for c in problem.candidates
        if not villages[c.village].covered
        and villages[c.village].quota_left >= 1
        and all(spatial.geodesic_m(c.lat, c.lng, e.lat, e.lng) > problem.min_spacing_m for e in problem.existing)
    ]
    poverty_total = sum(v.poverty for v in problem.villages)
    need_villages = math.ceil(problem.village_target_percent * len(problem.villages) / 100 - 1e-9)
    need_poverty = math.ceil(problem.poverty_target_percent * poverty_total / 100 - 1e-9)
    covered0 = sum(v.covered for v in problem.villages)
    poverty0 = sum(v.covered and v.poverty for v in problem.villages)
    fewest = None
    best = None
    for size in range(len(usable) + 1):
        for subset in itertools.combinations(usable, size):
            served = [c.village for c in subset]
            if len(set(served)) < len(served):
                continue
            if any(
                spatial.geodesic_m(a.lat, a.lng, b.lat, b.lng) <= problem.min_spacing_m
                for a, b in itertools.combinations(subset, 2)
            ):
                continue
            poverty = poverty0 + sum(villages[k].poverty for k in served)
            covered = covered0 + len(served)
            population = sum(villages[k].population for k in served)
            if covered >= need_villages and poverty >= need_poverty:
                key = (size, -population)
                fewest = key if fewest is None or key < fewest else fewest
            score = (poverty, covered, population)
            best = score if best is None or score > best else best
    return fewest, best


@pytest.mark.parametrize("seed", range(40))
def test_optimiser_matches_brute_force(seed):
    problem = random_problem(seed)
    fewest, best = brute_force(problem)
    result = optimiser.optimise(problem, time_limit=20)
    assert result.proven
    if fewest is not None:
        assert result.phase == "fewest_points" and result.targets_met
        assert (result.new_points, -result.population_reached) == fewest
    else:
        assert result.phase == "best_coverage" and not result.targets_met
        assert result.targets_infeasible_proven
        assert (result.poverty_covered_after, result.villages_covered_after, result.population_reached) == best
    _assert_valid(problem, result)


def _assert_valid(problem: Problem, result: optimiser.Result):
    by_key = {c.key: c for c in problem.candidates}
    chosen = [by_key[k] for k in result.chosen]
    assert len({c.village for c in chosen}) == len(chosen)
    for a, b in itertools.combinations(chosen, 2):
        assert spatial.geodesic_m(a.lat, a.lng, b.lat, b.lng) > problem.min_spacing_m
    for c in chosen:
        for e in problem.existing:
            assert spatial.geodesic_m(c.lat, c.lng, e.lat, e.lng) > problem.min_spacing_m


def test_two_poverty_villages_too_close_block_the_target_and_are_named():
    """Two poverty villages whose only sites are 1.2 km apart: both cannot have a point."""
    a = Village("a", "甲村", "t", *_at(0, 0), population=3000, poverty=True)
    b = Village("b", "乙村", "t", *_at(1200, 0), population=4000, poverty=True)
    c = Village("c", "丙村", "t", *_at(6000, 0), population=2000)
    d = Village("d", "丁村", "t", *_at(0, 6000), population=2000, poverty=True)
    problem = Problem(
        [a, b, c, d],
        [Candidate("a1", "a", a.lat, a.lng), Candidate("b1", "b", b.lat, b.lng), Candidate("c1", "c", c.lat, c.lng)],
        [],
        2000.0,
    )
    result = optimiser.optimise(problem, time_limit=10)
    assert result.phase == "best_coverage" and not result.targets_met and result.targets_infeasible_proven
    # d has no candidate site at all; of a and b only b (more residents) can be served.
    assert result.chosen == ["b1", "c1"]
    assert (result.poverty_covered_after, result.poverty_total) == (1, 3)
    blockers = {b.village: (b.reason, b.detail) for b in result.blockers}
    assert blockers == {"d": ("no_site", ()), "a": ("conflict", ("乙村",))}


def test_existing_points_too_close_block_a_village():
    a = Village("a", "甲村", "t", *_at(0, 0), poverty=True)
    problem = Problem([a], [Candidate("a1", "a", *_at(300, 0))], [Existing("e", *_at(1000, 0), label="老站")], 2000.0)
    result = optimiser.optimise(problem, time_limit=5)
    assert not result.targets_met
    assert [(b.village, b.reason, b.detail) for b in result.blockers] == [("a", "too_close", ("老站",))]


def test_targets_already_met_need_no_new_points():
    villages = [Village(f"v{i}", f"村{i}", "t", *_at(3000 * i, 0), covered=i < 2) for i in range(4)]
    result = optimiser.optimise(Problem(villages, [], [], 2000.0), time_limit=5)
    assert result.targets_met and result.chosen == [] and result.proven


def test_greedy_start_is_valid_and_progress_is_reported():
    problem = random_problem(11, villages=40, sites=90, side_m=20000)
    messages = []
    result = optimiser.optimise(
        problem, time_limit=10, progress=lambda done, total=None, message="": messages.append(message)
    )
    assert messages[0] == "prepare" and messages[-1] == "done"
    assert result.greedy_points > 0
    _assert_valid(problem, result)
