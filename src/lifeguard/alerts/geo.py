"""Distances on the sphere, and the checks every coordinate and radius passes through.

One Earth radius and one haversine formula serve targeting, tips and the benchmark's brute-force check: if two
parts of the system measured distance differently, a person at the edge of a circle could be "inside" for one part
and "outside" for the other.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import numpy.typing as npt

from lifeguard.alerts.errors import InvalidAlertInput

EARTH_RADIUS_KM: Final = 6371.0088  # IUGG mean radius
# Half the Earth's circumference is ~20,015 km: a larger circle covers the whole planet and is surely a mistake.
MAX_RADIUS_KM: Final = 20_000.0

FloatArray = npt.NDArray[np.float64]


def validate_point(lat: float, lon: float) -> None:
    if not (isinstance(lat, int | float) and isinstance(lon, int | float)) or isinstance(lat, bool):
        raise InvalidAlertInput(f"coordinates must be numbers, got lat={lat!r} lon={lon!r}")
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise InvalidAlertInput(f"coordinates must be finite, got lat={lat} lon={lon}")
    if not -90.0 <= lat <= 90.0:
        raise InvalidAlertInput(f"latitude {lat} is out of range [-90, 90]")
    if not -180.0 <= lon <= 180.0:
        raise InvalidAlertInput(f"longitude {lon} is out of range [-180, 180]")


def validate_radius_km(radius_km: float) -> None:
    if isinstance(radius_km, bool) or not isinstance(radius_km, int | float) or not math.isfinite(radius_km):
        raise InvalidAlertInput(f"radius must be a finite number of kilometres, got {radius_km!r}")
    if radius_km <= 0:
        raise InvalidAlertInput(f"radius must be greater than 0 km, got {radius_km}")
    if radius_km > MAX_RADIUS_KM:
        raise InvalidAlertInput(
            f"radius {radius_km} km is more than half the planet ({MAX_RADIUS_KM:.0f} km): not a local alert"
        )


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def haversine_km_many(lat: float, lon: float, lats_rad: FloatArray, lons_rad: FloatArray) -> FloatArray:
    """Distances in km from one point (degrees) to many points (radians, precomputed once at index build)."""
    p1 = math.radians(lat)
    l1 = math.radians(lon)
    h = np.sin((lats_rad - p1) * 0.5) ** 2 + math.cos(p1) * np.cos(lats_rad) * np.sin((lons_rad - l1) * 0.5) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))


def _unit_vector(lat: float, lon: float) -> tuple[float, float, float]:
    p, lam = math.radians(lat), math.radians(lon)
    return (math.cos(p) * math.cos(lam), math.cos(p) * math.sin(lam), math.sin(p))


def _cross(a: tuple[float, float, float], b: tuple[float, float, float]) -> tuple[float, float, float]:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def _dot(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _angle(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    # atan2 of |a x b| and a . b keeps full precision for tiny and near-antipodal angles alike.
    c = _cross(a, b)
    return math.atan2(math.sqrt(_dot(c, c)), _dot(a, b))


def point_to_arc_km(lat: float, lon: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    """Shortest distance in km from a point to the great-circle arc a-b (the minor arc, as H3 cell edges are)."""
    p = _unit_vector(lat, lon)
    va = _unit_vector(*a)
    vb = _unit_vector(*b)
    n = _cross(va, vb)
    n_len = math.sqrt(_dot(n, n))
    endpoints = min(_angle(p, va), _angle(p, vb))
    if n_len < 1e-15:  # degenerate edge: a and b coincide
        return endpoints * EARTH_RADIUS_KM
    n = (n[0] / n_len, n[1] / n_len, n[2] / n_len)
    # Project p onto the great circle through a and b; the foot lies on the arc iff it is between a and b.
    s = _dot(p, n)
    foot = (p[0] - s * n[0], p[1] - s * n[1], p[2] - s * n[2])
    if _dot(_cross(va, foot), n) >= 0 and _dot(_cross(foot, vb), n) >= 0 and _dot(foot, foot) > 1e-30:
        return min(endpoints, math.asin(min(1.0, abs(s)))) * EARTH_RADIUS_KM
    return endpoints * EARTH_RADIUS_KM
