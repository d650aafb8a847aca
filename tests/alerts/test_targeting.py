"""Targeting: nobody inside the circle is missed, nobody outside is included; partner cells that overlap match."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from h3.api import basic_int as h3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lifeguard.alerts.errors import InvalidAlertInput
from lifeguard.alerts.geo import EARTH_RADIUS_KM, haversine_km, haversine_km_many
from lifeguard.alerts.targeting import (
    TargetIndex,
    TargetIndexBuilder,
    cell_intersects_circle,
    cell_reach_km,
    select_targets,
)


def destination(lat: float, lon: float, bearing_deg: float, distance_km: float) -> tuple[float, float]:
    """The point ``distance_km`` from (lat, lon) along ``bearing_deg`` on the sphere."""
    p1, l1, b = math.radians(lat), math.radians(lon), math.radians(bearing_deg)
    d = distance_km / EARTH_RADIUS_KM
    p2 = math.asin(max(-1.0, min(1.0, math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    lon2 = (math.degrees(l2) + 540.0) % 360.0 - 180.0
    return max(-90.0, min(90.0, math.degrees(p2))), lon2


def bearing(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(y, x))


def brute_subscribers(points: dict[str, tuple[float, float]], lat: float, lon: float, radius: float) -> set[str]:
    ids = list(points)
    lats = np.radians([points[i][0] for i in ids])
    lons = np.radians([points[i][1] for i in ids])
    inside = haversine_km_many(lat, lon, lats, lons) <= radius
    return {i for i, yes in zip(ids, inside.tolist(), strict=True) if yes}


def index_of(points: dict[str, tuple[float, float]], partners: dict[str, list[int]] | None = None) -> TargetIndex:
    builder = TargetIndexBuilder()
    for sid, (lat, lon) in points.items():
        builder.add_subscriber(sid, lat, lon)
    for pid, cells in (partners or {}).items():
        builder.add_partner(pid, cells)
    return builder.build()


# --- subscribers ----------------------------------------------------------------------------------------------


def test_subscribers_exactly_match_a_brute_force_on_random_data() -> None:
    rng = random.Random(11)
    points: dict[str, tuple[float, float]] = {}
    for i in range(6000):  # worldwide
        points[f"w{i}"] = (math.degrees(math.asin(rng.uniform(-1, 1))), rng.uniform(-180, 180))
    centres = [(34.7466, 113.6253), (26.8467, 80.9462), (0.0, 179.9), (-89.5, 10.0), (89.99, -120.0), (12.0, -180.0)]
    for j, (lat, lon) in enumerate(centres):  # dense around the test centres, many right at the edges
        for k in range(1000):
            points[f"c{j}-{k}"] = destination(lat, lon, rng.uniform(0, 360), rng.uniform(0, 2200))
    index = index_of(points)
    for lat, lon in centres + [(rng.uniform(-90, 90), rng.uniform(-180, 180)) for _ in range(30)]:
        for radius in (1.0, 10.0, 100.0, 500.0, 1999.0, 2500.0, 5000.0):
            got = select_targets((lat, lon), radius, index).subscriber_ids
            want = brute_subscribers(points, lat, lon, radius)
            assert not want - got, f"missed {len(want - got)} at {(lat, lon)} r={radius}"
            assert not got - want, f"extra {len(got - want)} at {(lat, lon)} r={radius}"


def test_points_one_metre_either_side_of_the_edge() -> None:
    centre = (0.5, 179.95)  # straddling the antimeridian
    rng = random.Random(3)
    points = {}
    for radius in (1.0, 50.0, 500.0):
        for k in range(200):
            b = rng.uniform(0, 360)
            points[f"in-{radius}-{k}"] = destination(*centre, b, radius - 0.001)
            points[f"out-{radius}-{k}"] = destination(*centre, b, radius + 0.001)
    index = index_of(points)
    for radius in (1.0, 50.0, 500.0):
        got = select_targets(centre, radius, index).subscriber_ids
        assert got == brute_subscribers(points, *centre, radius)
        assert {p for p in got if p.startswith(f"in-{radius}-")} == {f"in-{radius}-{k}" for k in range(200)}
        assert not {p for p in got if p.startswith(f"out-{radius}-")}


def test_the_largest_radius_reaches_all_but_the_last_15_km_of_the_planet() -> None:
    centre = (34.7466, 113.6253)
    points = {
        "north": (89.0, 0.0),
        "south": (-89.0, 0.0),
        "nearly-antipode": destination(*centre, 77.0, 19_990.0),
        "antipode": (-34.7466, 113.6253 - 180.0),  # 20,015 km: beyond the 20,000 km limit
    }
    got = select_targets(centre, 20_000, index_of(points)).subscriber_ids
    assert got == {"north", "south", "nearly-antipode"}


def test_empty_index_and_bad_queries() -> None:
    index = TargetIndexBuilder().build()
    assert select_targets((10.0, 10.0), 100, index).subscriber_ids == frozenset()
    with pytest.raises(InvalidAlertInput, match="greater than 0"):
        select_targets((10.0, 10.0), 0, index)
    with pytest.raises(InvalidAlertInput, match="half the planet"):
        select_targets((10.0, 10.0), 20_001, index)
    with pytest.raises(InvalidAlertInput, match="latitude"):
        select_targets((95.0, 10.0), 10, index)
    with pytest.raises(InvalidAlertInput, match="longitude"):
        TargetIndexBuilder().add_subscriber("s", 10.0, 200.0)


centres = st.one_of(
    st.tuples(st.floats(-90, 90), st.floats(-180, 180)),
    st.tuples(st.floats(-60, 60), st.one_of(st.floats(178.5, 180), st.floats(-180, -178.5))),  # antimeridian
    st.tuples(st.one_of(st.floats(85, 90), st.floats(-90, -85)), st.floats(-180, 180)),  # poles
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    centre=centres,
    radius=st.floats(1, 2000),
    seed=st.integers(0, 2**32 - 1),
)
def test_property_no_subscriber_missed_or_extra(centre: tuple[float, float], radius: float, seed: int) -> None:
    rng = random.Random(seed)
    points = {}
    for k in range(300):
        # Half spread over 0..2r, half hugging the edge within 0.1% of the radius.
        d = rng.uniform(0, 2 * radius) if k % 2 else radius * rng.uniform(0.999, 1.001)
        points[f"p{k}"] = destination(*centre, rng.uniform(0, 360), d)
    got = select_targets(centre, radius, index_of(points)).subscriber_ids
    assert got == brute_subscribers(points, *centre, radius)


# --- partners -------------------------------------------------------------------------------------------------


def _vertex_and_centre(cell: int, vertex: int = 0) -> tuple[tuple[float, float], tuple[float, float]]:
    return h3.cell_to_boundary(cell)[vertex], h3.cell_to_latlng(cell)


@pytest.mark.parametrize("res", [4, 5, 6, 7])
def test_a_cell_whose_corner_reaches_into_the_circle_matches(res: int) -> None:
    cell = h3.latlng_to_cell(34.7466, 113.6253, res)
    (vlat, vlon), (clat, clon) = _vertex_and_centre(cell)
    outward = bearing(clat, clon, vlat, vlon)
    centre = destination(vlat, vlon, outward, 30.0)  # 30 km beyond the corner, on the line from the cell centre
    index = index_of({}, {"corner-app": [cell], "far-app": [h3.latlng_to_cell(-20.0, -60.0, res)]})

    radius = 30.5  # reaches 0.5 km past the corner into the cell ...
    assert haversine_km(*centre, clat, clon) > radius  # ... while the cell's centre is well outside
    assert select_targets(centre, radius, index).partner_ids == {"corner-app"}

    # 0.5 km short of the corner: near, but not in.
    assert select_targets(centre, 29.5, index).partner_ids == frozenset()


@pytest.mark.parametrize("res", [4, 5, 6, 7])
def test_a_cell_whose_edge_reaches_into_the_circle_matches(res: int) -> None:
    cell = h3.latlng_to_cell(28.7041, 77.1025, res)
    (alat, alon), (blat, blon) = h3.cell_to_boundary(cell)[:2]
    mid = destination(alat, alon, bearing(alat, alon, blat, blon), haversine_km(alat, alon, blat, blon) / 2)
    clat, clon = h3.cell_to_latlng(cell)
    centre = destination(*mid, bearing(clat, clon, *mid), 10.0)  # 10 km out from the middle of an edge
    index = index_of({}, {"edge-app": [cell]})
    reach = cell_reach_km(cell)
    assert haversine_km(*centre, clat, clon) > 10.0 + 0.05 * reach  # the cell's centre is outside
    assert select_targets(centre, 10.0 + 0.05 * reach, index).partner_ids == {"edge-app"}

    # Short of the edge, yet within "radius + edge length" of the centre: the expansion alone would include it;
    # the exact test against the cell's boundary does not.
    short = 10.0 - 0.05 * reach
    assert haversine_km(*centre, clat, clon) <= short + reach
    assert select_targets(centre, short, index).partner_ids == frozenset()


def test_coarse_and_fine_partner_cells_at_any_resolution() -> None:
    centre = (34.7466, 113.6253)
    partners = {
        "national-res0": [h3.latlng_to_cell(*centre, 0)],  # continent-sized: the circle lies inside
        "province-res2": [h3.latlng_to_cell(*destination(*centre, 90, 60), 2)],
        "street-res9": [h3.latlng_to_cell(*destination(*centre, 200, 4.0), 9)],
        "street-res9-outside": [h3.latlng_to_cell(*destination(*centre, 200, 6.0), 9)],
        "mixed": ["8740e3acbffffff", h3.latlng_to_cell(*destination(*centre, 0, 3.0), 7)],  # str and int
        "other-country": [h3.latlng_to_cell(19.0760, 72.8777, 5)],
    }
    got = select_targets(centre, 5.0, index_of({}, partners)).partner_ids
    assert {"national-res0", "province-res2", "street-res9", "mixed"} <= got
    assert "other-country" not in got and "street-res9-outside" not in got


def test_a_small_circle_inside_a_huge_cell_far_from_its_centre() -> None:
    cell = h3.latlng_to_cell(40.0, 100.0, 1)
    vlat, vlon = h3.cell_to_boundary(cell)[2]
    clat, clon = h3.cell_to_latlng(cell)
    inside = destination(vlat, vlon, bearing(vlat, vlon, clat, clon), 5.0)  # just inside a corner
    index = index_of({}, {"big": [cell]})
    assert haversine_km(*inside, clat, clon) > 200
    assert select_targets(inside, 1.0, index).partner_ids == {"big"}


def test_invalid_partner_cells_are_refused() -> None:
    builder = TargetIndexBuilder()
    with pytest.raises(InvalidAlertInput, match="not an H3 cell"):
        builder.add_partner("app", ["not-a-cell"])
    with pytest.raises(InvalidAlertInput, match="not a valid H3 cell"):
        builder.add_partner("app", [12345])
    with pytest.raises(InvalidAlertInput, match="no cells"):
        builder.add_partner("app", [])


def _slerp_points(a: tuple[float, float], b: tuple[float, float], n: int) -> list[tuple[float, float]]:
    d = haversine_km(*a, *b)
    if d == 0:
        return [a]
    return [destination(*a, bearing(*a, *b), d * i / n) for i in range(n + 1)]


def _sampled_distance_to_cell(cell: int, lat: float, lon: float) -> float:
    """Reference, by brute force: the smallest distance to densely sampled boundary points (0 if inside)."""
    if h3.latlng_to_cell(lat, lon, h3.get_resolution(cell)) == cell:
        return 0.0
    boundary = h3.cell_to_boundary(cell)
    return min(
        haversine_km(lat, lon, *p)
        for i in range(len(boundary))
        for p in _slerp_points(boundary[i], boundary[(i + 1) % len(boundary)], 200)
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(centre=centres, radius=st.floats(1, 2000), res=st.integers(0, 8), seed=st.integers(0, 2**32 - 1))
def test_property_partner_cells_match_iff_they_overlap(
    centre: tuple[float, float], radius: float, res: int, seed: int
) -> None:
    rng = random.Random(seed)
    cells = set()
    for _ in range(12):
        d = radius + rng.uniform(-1.0, 1.5) * max(cell_reach_km(h3.latlng_to_cell(*centre, res)), 1.0)
        cells.add(h3.latlng_to_cell(*destination(*centre, rng.uniform(0, 360), max(0.0, d)), res))
    partners = {f"app-{c:x}": [c] for c in cells}
    got = select_targets(centre, radius, index_of({}, partners)).partner_ids
    for pid, (cell,) in partners.items():
        exact = cell_intersects_circle(cell, *centre, radius)
        assert (pid in got) == exact
        sampled = _sampled_distance_to_cell(cell, *centre)
        # Dense sampling can only overestimate the true distance, by at most half a sample spacing.
        spacing = cell_reach_km(cell) * 2 / 200
        if exact:
            assert sampled <= radius + spacing
        else:
            assert sampled > radius


def test_many_subscribers_at_once_are_the_same_as_one_by_one() -> None:
    rng = np.random.default_rng(3)
    lats, lons = rng.uniform(20, 45, 2000), rng.uniform(75, 125, 2000)
    ids = [f"s{i}" for i in range(2000)]
    one, many = TargetIndexBuilder(), TargetIndexBuilder()
    for i, la, lo in zip(ids, lats, lons, strict=True):
        one.add_subscriber(i, float(la), float(lo))
    many.add_subscribers(ids, lats, lons)
    for radius in (10.0, 300.0, 2500.0):
        assert one.build().select(34.7, 113.6, radius) == many.build().select(34.7, 113.6, radius)
    with pytest.raises(InvalidAlertInput, match="latitude"):
        TargetIndexBuilder().add_subscribers(["a", "b"], np.array([10.0, 91.0]), np.array([0.0, 0.0]))
    with pytest.raises(InvalidAlertInput, match="differ in length"):
        TargetIndexBuilder().add_subscribers(["a"], np.array([10.0, 11.0]), np.array([0.0, 0.0]))
