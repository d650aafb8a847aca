"""Admin code hierarchies (GB/T 2260, ISO 3166 style) and point-in-polygon."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lifeguard.jurisdictions.areas import ancestors, country_of, depth, normalize_code, parse_geometry


@pytest.mark.parametrize(
    ("code", "chain"),
    [
        ("440305", ["440305", "440300", "440000", "CN"]),  # Nanshan -> Shenzhen -> Guangdong
        ("440300", ["440300", "440000", "CN"]),
        ("440000", ["440000", "CN"]),
        ("340100", ["340100", "340000", "CN"]),  # Hefei
        ("110105", ["110105", "110100", "110000", "CN"]),  # Beijing Chaoyang
        ("44", ["440000", "CN"]),
        ("4403", ["440300", "440000", "CN"]),
        ("440305001", ["440305001", "440305", "440300", "440000", "CN"]),
        ("440305001002", ["440305001002", "440305001", "440305", "440300", "440000", "CN"]),
        ("IN-UP-LKO", ["IN-UP-LKO", "IN-UP", "IN"]),
        ("in-up", ["IN-UP", "IN"]),
        ("CN-GD", ["CN-GD", "CN"]),
        ("US", ["US"]),
    ],
)
def test_codes_climb_to_their_country(code: str, chain: list[str]) -> None:
    assert ancestors(code) == chain
    assert country_of(code) == chain[-1]


@pytest.mark.parametrize(
    ("code", "expected"), [("CN", 0), ("440000", 1), ("440300", 2), ("440305", 3), ("440305001", 4), ("IN-UP", 1)]
)
def test_depth(code: str, expected: int) -> None:
    assert depth(code) == expected


@pytest.mark.parametrize("code", ["", "4", "44030", "44x305", "440005", "Shenzhen", "IN_UP_LUCKNOW1", "1234567"])
def test_malformed_codes_are_refused(code: str) -> None:
    with pytest.raises(ValueError):
        normalize_code(code)


@given(province=st.integers(11, 82), city=st.integers(1, 99), district=st.integers(1, 99))
def test_a_gb_district_code_climbs_through_its_city_and_province(province: int, city: int, district: int) -> None:
    code = f"{province:02d}{city:02d}{district:02d}"
    chain = ancestors(code)
    assert chain == [code, code[:4] + "00", code[:2] + "0000", "CN"]
    assert [depth(c) for c in chain] == [3, 2, 1, 0]
    assert all(c.startswith(code[:2]) for c in chain[:-1])


# -- polygons --------------------------------------------------------------------------------------------------

SQUARE: dict[str, Any] = {"type": "Polygon", "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]]}
WITH_HOLE: dict[str, Any] = {
    "type": "Polygon",
    "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]],
}
L_SHAPE: dict[str, Any] = {
    "type": "Polygon",
    "coordinates": [[[0, 0], [10, 0], [10, 4], [4, 4], [4, 10], [0, 10], [0, 0]]],
}


def test_inside_outside_and_on_the_edge() -> None:
    area = parse_geometry(SQUARE)
    assert area.contains(5, 5)
    assert not area.contains(11, 5) and not area.contains(-0.001, 5)
    assert area.contains(0, 5) and area.contains(10, 10)  # a person on a border is routed to someone


def test_holes_are_outside_and_concave_corners_are_respected() -> None:
    holed = parse_geometry(WITH_HOLE)
    assert holed.contains(2, 2) and not holed.contains(5, 5)
    l_shape = parse_geometry(L_SHAPE)
    assert l_shape.contains(2, 8) and l_shape.contains(8, 2) and not l_shape.contains(8, 8)


def test_a_multipolygon_contains_points_of_any_part() -> None:
    area = parse_geometry(
        {
            "type": "MultiPolygon",
            "coordinates": [SQUARE["coordinates"], [[[20, 20], [30, 20], [30, 30], [20, 30], [20, 20]]]],
        }
    )
    assert area.contains(5, 5) and area.contains(25, 25) and not area.contains(15, 15)


@pytest.mark.parametrize(
    ("geometry", "says"),
    [
        ({"type": "Point", "coordinates": [1, 2]}, "Polygon or MultiPolygon"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}, "at least four"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}, "not closed"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [200, 0], [1, 1], [0, 0]]]}, "not a longitude"),
        ({"type": "Polygon", "coordinates": [[[0, 0], ["a", 0], [1, 1], [0, 0]]]}, "[longitude, latitude]"),
        ("not a mapping", "GeoJSON geometry"),
    ],
)
def test_malformed_geometries_are_refused(geometry: object, says: str) -> None:
    with pytest.raises(ValueError, match=says.replace("[", r"\[").replace("]", r"\]")):
        parse_geometry(geometry)


coordinate = st.integers(-170, 170)


@given(x1=coordinate, x2=coordinate, y1=st.integers(-80, 80), y2=st.integers(-80, 80), px=coordinate, py=coordinate)
def test_a_rectangle_contains_exactly_the_points_within_its_bounds(
    x1: int, x2: int, y1: int, y2: int, px: int, py: int
) -> None:
    left, right, bottom, top = min(x1, x2), max(x1, x2) + 1, min(y1, y2), max(y1, y2) + 1
    ring = [[left, bottom], [right, bottom], [right, top], [left, top], [left, bottom]]
    area = parse_geometry({"type": "Polygon", "coordinates": [ring]})
    reversed_area = parse_geometry({"type": "Polygon", "coordinates": [list(reversed(ring))]})
    expected = left <= px <= right and bottom <= py <= top
    assert area.contains(px, py) == expected
    assert reversed_area.contains(px, py) == expected  # winding order does not matter


@given(dx=st.integers(-100, 100), dy=st.integers(-50, 50), px=st.integers(-2, 12), py=st.integers(-2, 12))
def test_moving_the_polygon_and_the_point_together_changes_nothing(dx: int, dy: int, px: int, py: int) -> None:
    moved = {"type": "Polygon", "coordinates": [[[x + dx, y + dy] for x, y in L_SHAPE["coordinates"][0]]]}
    assert parse_geometry(L_SHAPE).contains(px, py) == parse_geometry(moved).contains(px + dx, py + dy)
