"""Where a unit's area is: administrative code hierarchies and polygons.

Two code systems are understood:

- China's GB/T 2260 six-digit division codes: ``44`` province, ``4403`` prefecture-level city, ``440305`` district
  (440305 Nanshan -> 440300 Shenzhen -> 440000 Guangdong). Longer statistical codes (9 or 12 digits: township,
  village) climb to their six-digit district first. Two- and four-digit prefixes are padded ("44" -> "440000").
- ISO 3166 style codes: ``IN`` -> ``IN-UP`` (ISO 3166-2) -> ``IN-UP-LKO`` (a district code below the state, as a
  deployment configures it). ISO 3166-2 codes of China ("CN-GD") are accepted as well.

Every chain ends at the two-letter country code, so national units are found the same way as local ones.

Polygons are GeoJSON ``Polygon`` or ``MultiPolygon`` geometries in (longitude, latitude) order. Point-in-polygon
is an even-odd ray cast with holes; a point on an edge counts as inside (a person on a border must be routed to
someone rather than to no one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_GB_CODE = re.compile(r"^\d{2}(?:\d{2}(?:\d{2}(?:\d{3}(?:\d{3})?)?)?)?$")
_ISO_CODE = re.compile(r"^[A-Z]{2}(?:-[A-Z0-9]{1,3}(?:-[A-Z0-9]{1,6})?)?$")

# Depth of a code in its hierarchy; also the rank of the unit level that owns such a code.
LEVELS: tuple[str, ...] = ("national", "province", "city", "district", "township")


def normalize_code(code: str) -> str:
    """Canonical form of an admin code; raises ``ValueError`` for anything that is neither system."""
    text = code.strip().upper().replace("_", "-") if isinstance(code, str) else ""
    if _GB_CODE.match(text):
        if len(text) in (2, 4):
            text = text.ljust(6, "0")
        if len(text) == 6 and text[2:4] == "00" and text[4:] != "00":
            raise ValueError(f"GB/T 2260 code {code!r} has a district part under no city")
        return text
    if _ISO_CODE.match(text):
        return text
    raise ValueError(f"{code!r} is neither a GB/T 2260 division code nor an ISO 3166 style code")


def country_of(code: str) -> str:
    text = normalize_code(code)
    return "CN" if text.isdigit() else text[:2]


def ancestors(code: str) -> list[str]:
    """``code`` and every code above it, most specific first, ending with the country."""
    text = normalize_code(code)
    if not text.isdigit():
        parts = text.split("-")
        return ["-".join(parts[:size]) for size in range(len(parts), 0, -1)]
    chain: list[str] = []
    if len(text) == 12:
        chain.append(text)  # a village climbs through its township (first nine digits)
        text = text[:9]
    if len(text) == 9:
        chain.append(text)
        text = text[:6]
    for item in (text, text[:4] + "00", text[:2] + "0000"):
        if item not in chain:  # a city code is its own "district" row, a province its own "city" row
            chain.append(item)
    chain.append("CN")
    return chain


def depth(code: str) -> int:
    """0 country, 1 province or state, 2 city, 3 district, 4 township or below."""
    text = normalize_code(code)
    if not text.isdigit():
        return {1: 0, 2: 1, 3: 3}[len(text.split("-"))]
    if len(text) > 6:
        return 4
    if text[2:] == "0000":
        return 1
    if text[4:] == "00":
        return 2
    return 3


# -- polygons ---------------------------------------------------------------------------------------------------

Ring = tuple[tuple[float, float], ...]


@dataclass(frozen=True, slots=True)
class Area:
    """One GeoJSON geometry as rings: each polygon is an outer ring followed by its holes."""

    polygons: tuple[tuple[Ring, ...], ...]

    def contains(self, lon: float, lat: float) -> bool:
        for rings in self.polygons:
            outer, holes = rings[0], rings[1:]
            if _in_ring(outer, lon, lat) and not any(_in_ring(hole, lon, lat, edge_inside=False) for hole in holes):
                return True
        return False


def parse_geometry(geometry: object) -> Area:
    """A GeoJSON Polygon or MultiPolygon; raises ``ValueError`` naming what is wrong."""
    if not isinstance(geometry, dict):
        raise ValueError("a polygon must be a GeoJSON geometry mapping")
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        return Area((_parse_polygon(coordinates, "coordinates"),))
    if kind == "MultiPolygon":
        if not isinstance(coordinates, list) or not coordinates:
            raise ValueError("coordinates: a MultiPolygon needs at least one polygon")
        return Area(tuple(_parse_polygon(p, f"coordinates[{i}]") for i, p in enumerate(coordinates)))
    raise ValueError(f"type must be Polygon or MultiPolygon, got {kind!r}")


def _parse_polygon(raw: object, where: str) -> tuple[Ring, ...]:
    if not isinstance(raw, list) or not raw:
        raise ValueError(f"{where}: a polygon is a list of rings (outer ring first)")
    return tuple(_parse_ring(ring, f"{where}[{i}]") for i, ring in enumerate(raw))


def _parse_ring(raw: object, where: str) -> Ring:
    if not isinstance(raw, list) or len(raw) < 4:
        raise ValueError(f"{where}: a ring needs at least four positions (closed: last equals first)")
    points: list[tuple[float, float]] = []
    for i, position in enumerate(raw):
        if (
            not isinstance(position, list | tuple)
            or len(position) < 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position[:2])
        ):
            raise ValueError(f"{where}[{i}]: a position is [longitude, latitude]")
        lon, lat = float(position[0]), float(position[1])
        if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
            raise ValueError(f"{where}[{i}]: [{lon}, {lat}] is not a longitude, latitude pair")
        points.append((lon, lat))
    if points[0] != points[-1]:
        raise ValueError(f"{where}: the ring is not closed (the last position must equal the first)")
    return tuple(points)


def _in_ring(ring: Ring, x: float, y: float, *, edge_inside: bool = True) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        if _on_segment(x1, y1, x2, y2, x, y):
            return edge_inside
        if (y1 > y) != (y2 > y):
            crossing = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < crossing:
                inside = not inside
    return inside


def _on_segment(x1: float, y1: float, x2: float, y2: float, x: float, y: float) -> bool:
    cross = (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1)
    if abs(cross) > 1e-12 * max(1.0, abs(x2 - x1) + abs(y2 - y1)):
        return False
    return min(x1, x2) - 1e-12 <= x <= max(x1, x2) + 1e-12 and min(y1, y2) - 1e-12 <= y <= max(y1, y2) + 1e-12
