"""Service-station rules at scale.

1. The whole-network rule check on 10,000 stations (a province's worth, clustered around 124 county seats) with the
   KD-tree, against measuring all n(n−1)/2 pairs in the same run; both must report the same violations.
2. The placement optimiser on a county of 600 villages and 1,500 candidate sites: time to solve and the proven
   optimality gap, once where the targets are reachable but tight, once where the spacing makes them unreachable
   (the best-coverage packing problem).

Both sides of the network check are timed the same way (``harness.measure``: each run once unrecorded so that
one-off costs such as the map projection's cache weigh on neither, then in turns, the same repeats and statistic).
``--size small`` shrinks both (2,000 stations; 150 villages and 375 sites), ``--size tiny`` further (500 stations;
40 villages and 100 sites) so that CI runs them in seconds.
"""

from __future__ import annotations

import math
import random
import time

from bench.harness import Result, Sample, Timing, measure, timed

SEED = 20190518
STATIONS = {"tiny": 500, "small": 2_000, "full": 10_000}
NETWORK_TIMING = {"tiny": Timing(repeat=1), "small": Timing(repeat=3), "full": Timing(repeat=3)}
# (villages, candidate sites, solver time limit in seconds)
COUNTIES = {"tiny": (40, 100, 5), "small": (150, 375, 20), "full": (600, 1_500, 120)}
GUANGDONG = ((20.3, 25.4), (109.8, 117.2))


def network(count: int, seed: int = SEED):
    """Village points around 124 county seats (25 km radius) — Guangdong has 124 county-level units."""
    from cuntong.stations import rules, spatial

    rng = random.Random(seed)
    (lat_low, lat_high), (lng_low, lng_high) = GUANGDONG
    seats = [(rng.uniform(lat_low, lat_high), rng.uniform(lng_low, lng_high)) for _ in range(124)]
    sites = []
    for index in range(count):
        lat, lng = spatial.offset(*seats[index % 124], rng.uniform(0, 360), 25_000 * math.sqrt(rng.random()))
        sites.append(rules.Site(index, rules.VILLAGE, f"v{index}", lat, lng))
    return sites


def county(villages: int, sites: int, *, side_km: float, seed: int = SEED):
    """A square county: villages uniform over it, 1–4 candidate sites within 800 m of each, poverty villages
    (6 %) at least 3 km apart as in the hills where they usually are."""
    from cuntong.stations import optimiser, spatial

    rng = random.Random(seed)
    origin = (23.0, 115.8)
    found = []
    poverty_places = []
    for index in range(villages):
        north, east = rng.uniform(0, side_km * 1000), rng.uniform(0, side_km * 1000)
        lat, lng = spatial.offset(*spatial.offset(*origin, 0, north), 90, east)
        poverty = rng.random() < 0.06 and all(spatial.geodesic_m(lat, lng, *p) > 3000 for p in poverty_places)
        if poverty:
            poverty_places.append((lat, lng))
        found.append(
            optimiser.Village(
                f"v{index}", f"村{index}", f"t{index % 30}", lat, lng, int(rng.lognormvariate(8.25, 0.55)), poverty
            )
        )
    per_village = [1] * villages
    for _ in range(sites - villages):
        per_village[rng.randrange(villages)] += 1
    candidates = [
        optimiser.Candidate(
            f"{v.key}#{j}", v.key, *spatial.offset(v.lat, v.lng, rng.uniform(0, 360), rng.uniform(0, 800))
        )
        for v, count in zip(found, per_village, strict=True)
        for j in range(count)
    ]
    return optimiser.Problem(found, candidates, [], 2000.0)


def run(context):
    from cuntong.stations import optimiser, rules

    results = []
    count = context.pick(STATIONS)
    sites = network(count)
    plan = rules.StationRules()
    found = {}

    def check(indexed: bool):
        return timed(lambda: found.update({indexed: rules.check_network(sites, {}, plan, indexed=indexed)}))

    samples = measure({"kd_tree": check(True), "all_pairs": check(False)}, context.pick(NETWORK_TIMING), warmup=True)
    indexed, all_pairs = found[True], found[False]
    if [(v.a.key, v.b.key) for v in indexed.spacing] != [(v.a.key, v.b.key) for v in all_pairs.spacing]:
        raise AssertionError("the KD-tree check and the all-pairs check disagree")
    detail = {"violations": len(indexed.spacing), "stations": count}
    kd_tree = samples["kd_tree"]["seconds"]
    results.append(Result(f"rule check, {count:,} stations: KD-tree + geodesic", kd_tree, "s", detail=detail))
    results.append(
        Result(
            f"rule check, {count:,} stations: all pairs",
            samples["all_pairs"]["seconds"],
            "s",
            baseline_sample=kd_tree,
            baseline_name="KD-tree",
            target="same violations; ratio = speed-up",
            detail=detail,
        )
    )

    villages, candidate_sites, time_limit = context.pick(COUNTIES)
    scale = math.sqrt(villages / 600)
    for label, side_km in (
        ("targets reachable, tight", 52 * scale),
        ("targets unreachable: best coverage", 40 * scale),
    ):
        problem = county(villages, candidate_sites, side_km=side_km)
        started = time.perf_counter()
        result = optimiser.optimise(problem, time_limit=time_limit)
        seconds = Sample.once(time.perf_counter() - started)
        detail = {
            "phase": result.phase,
            "status": result.status,
            "new_points": result.new_points,
            "villages_covered": result.villages_covered_after,
            "villages_needed": result.village_needed,
            "poverty_covered": f"{result.poverty_covered_after}/{result.poverty_total}",
            "greedy_points": result.greedy_points,
            "usable_sites": result.usable_sites,
            "conflicts": result.conflicts,
            "solver_seconds": result.solve_seconds,
            "time_limit": time_limit,
        }
        name = f"optimiser {villages} villages / {candidate_sites} sites ({label})"
        results.append(
            Result(
                f"{name}: time to solve",
                seconds,
                "s",
                target=f"≤ {time_limit} s limit",
                detail=detail,
            )
        )
        gap = 100 * (result.gap if result.gap is not None else math.inf)
        results.append(Result(f"{name}: proven gap", Sample.once(gap), "%", target="0 = proven optimal", detail=detail))
    return results
