"""The benchmark harness cannot flatter a ratio: both sides are observed in turns, the same number of times, and
summarised by the same statistic; a ratio of samples taken differently is refused. Fake clocks and observers stand
in for real timings."""

import itertools

import pytest

from bench.harness import Context, Result, Sample, Timing, measure, timed


class FakeClock:
    """Each call returns the next reading; a timed call costs the difference between two readings."""

    def __init__(self, readings):
        self.readings = iter(readings)

    def __call__(self) -> float:
        return next(self.readings)


def test_both_sides_are_observed_in_turns_the_same_number_of_times():
    calls = []
    costs = {"fast": itertools.cycle([1.0, 3.0, 2.0]), "slow": itertools.cycle([10.0, 30.0, 20.0])}

    def observer(side):
        def observe():
            calls.append(side)
            return {"seconds": next(costs[side])}

        return observe

    samples = measure({"fast": observer("fast"), "slow": observer("slow")}, Timing(repeat=3, statistic="median"))
    assert calls == ["fast", "slow"] * 3  # A, B, A, B …: a machine slowing halfway slows both
    fast, slow = samples["fast"]["seconds"], samples["slow"]["seconds"]
    assert (fast.observations, slow.observations) == ((1.0, 3.0, 2.0), (10.0, 30.0, 20.0))
    assert fast.timing == slow.timing == Timing(3, "median")
    result = Result("slow", slow, "s", baseline_sample=fast, baseline_name="fast")
    assert (result.value, result.baseline, result.ratio) == (20.0, 2.0, 10.0)  # median over median
    assert (result.as_dict()["statistic"], result.as_dict()["repeat"]) == ("median", 3)


def test_a_warm_up_runs_every_side_once_unrecorded():
    calls = []
    costs = iter(range(100))

    def observer(side):
        def observe():
            calls.append(side)
            return {"seconds": float(next(costs))}

        return observe

    samples = measure({"a": observer("a"), "b": observer("b")}, Timing(repeat=2), warmup=True)
    assert calls == ["a", "b", "a", "b", "a", "b"]
    assert samples["a"]["seconds"].observations == (2.0, 4.0) and samples["b"]["seconds"].observations == (3.0, 5.0)


def test_the_wall_clock_observer_times_each_call_with_the_same_clock():
    clock = FakeClock([0.0, 0.5, 1.0, 4.0, 10.0, 10.25, 20.0, 23.0])
    samples = measure({"a": timed(lambda: None, clock), "b": timed(lambda: None, clock)}, Timing(repeat=2))
    assert samples["a"]["seconds"].observations == (0.5, 0.25)
    assert samples["b"]["seconds"].observations == (3.0, 3.0)
    assert (samples["a"]["seconds"].value, samples["b"]["seconds"].value) == (0.25, 3.0)  # best = least time


def test_a_ratio_of_samples_taken_differently_is_refused():
    best_of_three = Sample((1.0, 2.0, 3.0), Timing(3, "best"))
    median_of_three = Sample((1.0, 2.0, 3.0), Timing(3, "median"))
    best_of_one = Sample((1.0,), Timing(1, "best"))
    for baseline in (median_of_three, best_of_one):
        with pytest.raises(ValueError, match="measured the same way"):
            Result("subject", best_of_three, "s", baseline_sample=baseline)
    with pytest.raises(ValueError, match="measured the same way"):  # a rate against a time
        Result("subject", best_of_three.per(10), "req/s", baseline_sample=best_of_three)


def test_rates_keep_the_best_observation_and_growth_subtracts_round_by_round():
    seconds = Sample((2.0, 4.0, 5.0), Timing(3, "best"))
    assert seconds.value == 2.0 and seconds.per(100).value == 50.0  # the fastest round, as a rate
    peak = Sample((130.0, 150.0, 140.0), Timing(3, "best"))
    idle = Sample((120.0, 125.0, 139.0), Timing(3, "best"))
    assert peak.minus(idle).observations == (10.0, 25.0, 1.0) and peak.minus(idle).value == 1.0
    with pytest.raises(ValueError):
        peak.minus(Sample((120.0,), Timing(1, "best")))


def test_timings_and_sizes_are_checked():
    with pytest.raises(ValueError):
        Timing(repeat=0)
    with pytest.raises(ValueError):
        Timing(statistic="mean")
    with pytest.raises(ValueError):
        Context(size="huge")
    assert Context(size="tiny").pick({"tiny": 1, "small": 2, "full": 3}) == 1
