"""Distances between stations: exact geodesics on the WGS-84 ellipsoid, found through a KD-tree on a local grid.

Spacing rules are about metres on the ground, never degrees. ``close_pairs`` projects the points onto a transverse
Mercator grid centred on them, asks a KD-tree (scipy ``cKDTree``) for every pair within the radius (widened by the
grid's largest scale error, so no pair is missed), then measures each candidate pair exactly with ``pyproj.Geod``.
``close_pairs_all`` measures every pair: the reference the indexed search is tested and benchmarked against.

Pure: arrays and floats in, tuples out; no ORM.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from pyproj import Geod, Transformer
from scipy.spatial import cKDTree

GEOD = Geod(ellps="WGS84")
# The smallest radius of curvature on the ellipsoid (at the equator, meridional): a safe R for the scale bound.
_MIN_CURVATURE_RADIUS_M = 6_335_439.0
# Distances are compared in millimetres, so a round trip through floating point cannot flip a verdict.
PRECISION_DECIMALS = 3


@dataclass(frozen=True, order=True)
class Pair:
    """Two points (indices into the input) and the geodesic distance between them, i < j."""

    i: int
    j: int
    distance_m: float


def geodesic_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """The ellipsoidal (WGS-84) distance in metres."""
    _az, _back, distance = GEOD.inv(lng1, lat1, lng2, lat2)
    return round(float(distance), PRECISION_DECIMALS)


def geodesic_many(lats1, lngs1, lats2, lngs2) -> np.ndarray:
    """Element-wise geodesic distances (metres) of two equally long coordinate arrays."""
    if len(lats1) == 0:
        return np.zeros(0)
    _az, _back, distance = GEOD.inv(
        np.asarray(lngs1, float), np.asarray(lats1, float), np.asarray(lngs2, float), np.asarray(lats2, float)
    )
    return np.round(np.asarray(distance, float), PRECISION_DECIMALS)


def offset(lat: float, lng: float, azimuth_deg: float, distance_m: float) -> tuple[float, float]:
    """The point ``distance_m`` from (lat, lng) along ``azimuth_deg`` (0 = north): for fixtures and site layouts."""
    lng2, lat2, _back = GEOD.fwd(lng, lat, azimuth_deg, distance_m)
    return float(lat2), float(lng2)


class LocalGrid:
    """A transverse Mercator grid centred on a set of points: x/y in metres, scale ≥ 1 everywhere.

    Grid distances never understate ground distances, and overstate them by at most ``max_scale`` (which grows with
    the square of the distance from the central meridian), so a KD-tree radius of ``r × max_scale`` finds every pair
    whose geodesic distance is at most ``r``.
    """

    def __init__(self, lats: Sequence[float], lngs: Sequence[float]):
        lats = np.asarray(lats, float)
        lngs = np.asarray(lngs, float)
        # The centre is rounded so one transformer serves a whole county (building one costs milliseconds); the
        # scale bound below is measured from the projected points, so it holds for any centre.
        self.lat0 = round(float(np.mean(lats)) * 10) / 10 if len(lats) else 0.0
        self.lng0 = round(float(np.mean(lngs)) * 10) / 10 if len(lngs) else 0.0
        self._transformer = _transformer(self.lat0, self.lng0)
        self.x, self.y = self.project(lats, lngs)
        half_width = float(np.max(np.abs(self.x))) if len(self.x) else 0.0
        # k(x) = 1 + x²/2R² + O(x⁴): doubling the quadratic term bounds the rest for any county or province.
        self.max_scale = 1.0 + (half_width / _MIN_CURVATURE_RADIUS_M) ** 2 + 1e-9

    def project(self, lats, lngs) -> tuple[np.ndarray, np.ndarray]:
        x, y = self._transformer.transform(np.asarray(lngs, float), np.asarray(lats, float))
        return np.atleast_1d(np.asarray(x, float)), np.atleast_1d(np.asarray(y, float))

    def search_radius(self, radius_m: float) -> float:
        """The grid radius that is sure to contain every point within ``radius_m`` on the ground."""
        return radius_m * self.max_scale + 1.0

    def points(self) -> np.ndarray:
        return np.column_stack([self.x, self.y]) if len(self.x) else np.zeros((0, 2))


@lru_cache(maxsize=64)
def _transformer(lat0: float, lng0: float) -> Transformer:
    return Transformer.from_crs(
        "EPSG:4326",
        f"+proj=tmerc +lat_0={lat0} +lon_0={lng0} +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs",
        always_xy=True,
    )


def _exact(pairs: np.ndarray, lats: np.ndarray, lngs: np.ndarray, radius_m: float) -> list[Pair]:
    if len(pairs) == 0:
        return []
    i, j = pairs[:, 0], pairs[:, 1]
    distances = geodesic_many(lats[i], lngs[i], lats[j], lngs[j])
    keep = distances <= radius_m
    return sorted(Pair(int(a), int(b), float(d)) for a, b, d in zip(i[keep], j[keep], distances[keep], strict=True))


def close_pairs(lats: Sequence[float], lngs: Sequence[float], radius_m: float) -> list[Pair]:
    """Every pair of points whose geodesic distance is at most ``radius_m``, found through a KD-tree."""
    lats = np.asarray(lats, float)
    lngs = np.asarray(lngs, float)
    if len(lats) < 2:
        return []
    grid = LocalGrid(lats, lngs)
    tree = cKDTree(grid.points())
    candidates = tree.query_pairs(grid.search_radius(radius_m), output_type="ndarray")
    return _exact(candidates, lats, lngs, radius_m)


def close_pairs_all(lats: Sequence[float], lngs: Sequence[float], radius_m: float) -> list[Pair]:
    """The same answer as :func:`close_pairs`, by measuring all n(n−1)/2 pairs (the reference and the baseline)."""
    lats = np.asarray(lats, float)
    lngs = np.asarray(lngs, float)
    found: list[Pair] = []
    for i in range(len(lats) - 1):
        others = np.arange(i + 1, len(lats))
        distances = geodesic_many(
            np.full(len(others), lats[i]), np.full(len(others), lngs[i]), lats[i + 1 :], lngs[i + 1 :]
        )
        for j, distance in zip(others[distances <= radius_m], distances[distances <= radius_m], strict=True):
            found.append(Pair(i, int(j), float(distance)))
    return found


def close_across(
    lats_a: Sequence[float], lngs_a: Sequence[float], lats_b: Sequence[float], lngs_b: Sequence[float], radius_m: float
) -> list[Pair]:
    """Pairs (i in A, j in B) at most ``radius_m`` apart: new sites against existing stations."""
    lats_a, lngs_a = np.asarray(lats_a, float), np.asarray(lngs_a, float)
    lats_b, lngs_b = np.asarray(lats_b, float), np.asarray(lngs_b, float)
    if len(lats_a) == 0 or len(lats_b) == 0:
        return []
    grid = LocalGrid(np.concatenate([lats_a, lats_b]), np.concatenate([lngs_a, lngs_b]))
    points = grid.points()
    tree_a, tree_b = cKDTree(points[: len(lats_a)]), cKDTree(points[len(lats_a) :])
    neighbours = tree_a.query_ball_tree(tree_b, grid.search_radius(radius_m))
    candidates = np.array([(i, j) for i, js in enumerate(neighbours) for j in js], dtype=int).reshape(-1, 2)
    if len(candidates) == 0:
        return []
    distances = geodesic_many(
        lats_a[candidates[:, 0]], lngs_a[candidates[:, 0]], lats_b[candidates[:, 1]], lngs_b[candidates[:, 1]]
    )
    keep = distances <= radius_m
    return sorted(
        Pair(int(a), int(b), float(d))
        for a, b, d in zip(candidates[keep, 0], candidates[keep, 1], distances[keep], strict=True)
    )
