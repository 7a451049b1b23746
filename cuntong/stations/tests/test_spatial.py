"""The KD-tree search finds exactly the pairs the all-pairs geodesic check finds, at county and province scale."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cuntong.stations import spatial

# Points around Puning, including clusters whose spacing sits right at 2 km.
coordinates = st.tuples(st.floats(22.9, 23.6), st.floats(115.7, 116.5))


@settings(max_examples=60, deadline=None)
@given(st.lists(coordinates, min_size=0, max_size=60), st.sampled_from([500.0, 2000.0, 5000.0]))
def test_indexed_search_equals_all_pairs(points, radius):
    lats = [p[0] for p in points]
    lngs = [p[1] for p in points]
    assert spatial.close_pairs(lats, lngs, radius) == spatial.close_pairs_all(lats, lngs, radius)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_indexed_search_is_exact_at_the_boundary(seed):
    """Pairs placed 2 km ± a few centimetres apart: the KD-tree's widened radius must not lose any."""
    rng = random.Random(seed)
    lats, lngs = [], []
    for _ in range(15):
        lat, lng = rng.uniform(22.9, 23.6), rng.uniform(115.7, 116.5)
        partner = spatial.offset(lat, lng, rng.uniform(0, 360), 2000 + rng.uniform(-0.05, 0.05))
        lats += [lat, partner[0]]
        lngs += [lng, partner[1]]
    assert spatial.close_pairs(lats, lngs, 2000) == spatial.close_pairs_all(lats, lngs, 2000)


def test_province_scale_grid_still_finds_every_pair():
    """Across Guangdong (≈ 800 km wide) the grid's scale error grows; the widened radius covers it."""
    rng = random.Random(7)
    lats, lngs = [], []
    for _ in range(40):
        lat, lng = rng.uniform(20.3, 25.4), rng.uniform(109.7, 117.2)
        partner = spatial.offset(lat, lng, rng.uniform(0, 360), 1999.5)
        lats += [lat, partner[0]]
        lngs += [lng, partner[1]]
    pairs = spatial.close_pairs(lats, lngs, 2000)
    assert len(pairs) >= 40
    assert pairs == spatial.close_pairs_all(lats, lngs, 2000)


def test_close_across_matches_brute_force():
    rng = random.Random(3)
    a = [(rng.uniform(23.2, 23.3), rng.uniform(116.1, 116.2)) for _ in range(30)]
    b = [(rng.uniform(23.2, 23.3), rng.uniform(116.1, 116.2)) for _ in range(30)]
    found = spatial.close_across([p[0] for p in a], [p[1] for p in a], [p[0] for p in b], [p[1] for p in b], 2000)
    expected = sorted(
        spatial.Pair(i, j, spatial.geodesic_m(*pa, *pb))
        for i, pa in enumerate(a)
        for j, pb in enumerate(b)
        if spatial.geodesic_m(*pa, *pb) <= 2000
    )
    assert found == expected
    assert spatial.close_across([], [], [23.2], [116.1], 2000) == []


def test_offset_and_distance_agree():
    lat, lng = spatial.offset(23.43, 116.275, 45, 2010)
    assert spatial.geodesic_m(23.43, 116.275, lat, lng) == pytest.approx(2010, abs=0.001)
