"""Who receives an alert: partner apps whose coverage touches the circle, and people who opted in inside it.

Partners subscribe with the areas they serve as H3 cells, at any resolution. Direct subscribers are points. For a
circle (centre, radius) we want every partner with a cell that overlaps the circle and every subscriber whose
haversine distance to the centre is at most the radius: none missed, none extra.

How (``TargetIndex``):
1. Every item (a subscriber's point, or a partner cell's centre) sits in the "bucket" of the resolution-3 H3 cell
   (about 12,000 km^2) that holds it; items are stored sorted by bucket in numpy arrays, so a bucket is a slice.
   Partner cells coarser than the bucket resolution go into a short flat list that every query scans.
2. For each bucket the index records, at build time, its ``need``: the largest distance from the bucket's centre
   to any of its items' centres (measured, not assumed) plus the largest reach of its items (0 for points; for a
   partner cell, the distance from its centre to its farthest vertex, i.e. its edge length for a regular hexagon).
   A bucket can hold a match only if ``distance(query centre, bucket centre) <= radius + need``.
3. The buckets to look at are found by walking H3 neighbours outward from the query's bucket, keeping every cell
   whose centre is within ``radius + max need + circumradius`` (the largest at that resolution). The cells that
   touch a circle form a connected patch, and this test keeps all of them (triangle inequality), so the walk
   cannot stop short, across the antimeridian and around pentagons alike. Very large circles (over 3,000 km) skip
   the walk and scan everything.
4. Exact checks on the candidates, vectorised: a subscriber is in iff its haversine distance is <= radius.
   A partner cell is in iff its centre is inside the circle, or -- the cells whose centre is outside but within
   ``radius + reach`` -- the query centre lies in the cell or the distance from the query centre to the cell's
   boundary (great-circle arcs between H3 vertices) is <= radius. So a cell that overlaps the circle only with a
   corner still matches, and one that merely comes near does not.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt
from h3.api import basic_int as h3

from lifeguard.alerts.errors import InvalidAlertInput
from lifeguard.alerts.geo import haversine_km, haversine_km_many, point_to_arc_km, validate_point, validate_radius_km

BUCKET_RESOLUTION: Final = 3
# Past this the neighbour walk visits thousands of buckets; a vectorised scan of everything is then as quick.
FULL_SCAN_RADIUS_KM: Final = 3000.0
# Distances are computed in floating point along different routes (cell centre, item, vertex); one metre of slack
# in the pruning tests (never in the final inclusion test) keeps rounding from dropping an item at the edge.
_SLACK_KM: Final = 0.001

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Targets:
    partner_ids: frozenset[str]
    subscriber_ids: frozenset[str]


def _as_cell(cell: str | int) -> int:
    try:
        value = h3.str_to_int(cell) if isinstance(cell, str) else int(cell)
    except (ValueError, TypeError) as exc:
        raise InvalidAlertInput(f"{cell!r} is not an H3 cell") from exc
    if not h3.is_valid_cell(value):
        raise InvalidAlertInput(f"{cell!r} is not a valid H3 cell")
    return value


def cell_reach_km(cell: int) -> float:
    """Distance from the cell's centre to its farthest boundary vertex: no point of the cell is farther."""
    lat, lon = h3.cell_to_latlng(cell)
    return max(haversine_km(lat, lon, vlat, vlon) for vlat, vlon in h3.cell_to_boundary(cell))


@functools.cache
def _largest_reach_km(resolution: int) -> float | None:
    """The largest cell reach at a coarse resolution (0.25 s for the 41,162 cells of resolution 3, once).

    Using it in the walk instead of each cell's own reach visits a few more cells (75.9 km against 70.8 km on
    average at resolution 3) but spares every query in a new region the boundary computations.
    """
    if resolution > 3:
        return None
    return max(cell_reach_km(cell) for base in h3.get_res0_cells() for cell in h3.cell_to_children(base, resolution))


def cell_intersects_circle(cell: int | str, lat: float, lon: float, radius_km: float) -> bool:
    """Exact: does the H3 cell (a spherical polygon) share any point with the circle?"""
    cell = _as_cell(cell)
    clat, clon = h3.cell_to_latlng(cell)
    if haversine_km(lat, lon, clat, clon) <= radius_km:
        return True
    if h3.latlng_to_cell(lat, lon, h3.get_resolution(cell)) == cell:
        return True  # the circle's centre is inside the cell
    boundary = h3.cell_to_boundary(cell)
    return any(
        point_to_arc_km(lat, lon, boundary[i], boundary[(i + 1) % len(boundary)]) <= radius_km
        for i in range(len(boundary))
    )


@dataclass
class _Store:
    """Items sorted by bucket; ``owner`` indexes the id list."""

    lat_rad: npt.NDArray[np.float64]
    lon_rad: npt.NDArray[np.float64]
    reach_km: npt.NDArray[np.float64]
    owner: IntArray
    cells: IntArray  # the partner cell per item (0 for points)
    slices: dict[int, tuple[int, int]]  # bucket -> [start, end)
    need_km: dict[int, float]  # bucket -> spread + reach (see module doc)

    @property
    def max_need_km(self) -> float:
        return max(self.need_km.values(), default=0.0)

    @property
    def size(self) -> int:
        return int(self.owner.shape[0])


def _empty_store() -> _Store:
    return _Store(
        lat_rad=np.zeros(0),
        lon_rad=np.zeros(0),
        reach_km=np.zeros(0),
        owner=np.zeros(0, dtype=np.int64),
        cells=np.zeros(0, dtype=np.int64),
        slices={},
        need_km={},
    )


@dataclass
class _Columns:
    lats: list[float] = field(default_factory=list)
    lons: list[float] = field(default_factory=list)
    reach: list[float] = field(default_factory=list)
    owner: list[int] = field(default_factory=list)
    cells: list[int] = field(default_factory=list)
    buckets: list[int] = field(default_factory=list)

    def add(self, lat: float, lon: float, reach: float, owner: int, cell: int, bucket: int) -> None:
        self.lats.append(lat)
        self.lons.append(lon)
        self.reach.append(reach)
        self.owner.append(owner)
        self.cells.append(cell)
        self.buckets.append(bucket)


def _make_store(columns: _Columns, *, bucketed: bool) -> _Store:
    if not columns.owner:
        return _empty_store()
    lats, lons, reach, owner, cells = columns.lats, columns.lons, columns.reach, columns.owner, columns.cells
    bucket_arr = np.asarray(columns.buckets, dtype=np.uint64)
    order = np.argsort(bucket_arr, kind="stable")
    bucket_sorted = bucket_arr[order]
    store = _Store(
        lat_rad=np.radians(np.asarray(lats, dtype=np.float64)[order]),
        lon_rad=np.radians(np.asarray(lons, dtype=np.float64)[order]),
        reach_km=np.asarray(reach, dtype=np.float64)[order],
        owner=np.asarray(owner, dtype=np.int64)[order],
        cells=np.asarray(cells, dtype=np.uint64)[order].astype(np.int64),
        slices={},
        need_km={},
    )
    if not bucketed:
        return store
    starts = np.flatnonzero(np.r_[True, bucket_sorted[1:] != bucket_sorted[:-1]])
    ends = np.r_[starts[1:], bucket_sorted.shape[0]]
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        bucket = int(bucket_sorted[start])
        blat, blon = h3.cell_to_latlng(bucket)
        spread = haversine_km_many(blat, blon, store.lat_rad[start:end], store.lon_rad[start:end])
        store.slices[bucket] = (start, end)
        store.need_km[bucket] = float(spread.max() + store.reach_km[start:end].max()) + _SLACK_KM
    return store


@dataclass
class TargetIndexBuilder:
    bucket_resolution: int = BUCKET_RESOLUTION
    _partner_ids: list[str] = field(default_factory=list)
    _partner_cells: dict[str, set[int]] = field(default_factory=dict)
    _subscriber_ids: list[str] = field(default_factory=list)
    _subscriber_lats: list[float] = field(default_factory=list)
    _subscriber_lons: list[float] = field(default_factory=list)

    def add_partner(self, partner_id: str, cells: Iterable[str | int]) -> None:
        normalised = {_as_cell(c) for c in cells}
        if not normalised:
            raise InvalidAlertInput(f"partner {partner_id!r} subscribes with no cells")
        if partner_id not in self._partner_cells:
            self._partner_ids.append(partner_id)
            self._partner_cells[partner_id] = set()
        self._partner_cells[partner_id] |= normalised

    def add_subscriber(self, subscriber_id: str, lat: float, lon: float) -> None:
        validate_point(lat, lon)
        self._subscriber_ids.append(subscriber_id)
        self._subscriber_lats.append(float(lat))
        self._subscriber_lons.append(float(lon))

    def add_subscribers(
        self, subscriber_ids: list[str], lats: npt.NDArray[np.float64], lons: npt.NDArray[np.float64]
    ) -> None:
        """Many points at once (a storage edge loading a million): checked together, as ``add_subscriber`` does."""
        lats = np.asarray(lats, dtype=np.float64)
        lons = np.asarray(lons, dtype=np.float64)
        if not (len(subscriber_ids) == lats.shape[0] == lons.shape[0]):
            raise InvalidAlertInput("subscriber ids, latitudes and longitudes differ in length")
        bad = ~(np.isfinite(lats) & np.isfinite(lons) & (np.abs(lats) <= 90) & (np.abs(lons) <= 180))
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            validate_point(float(lats[first]), float(lons[first]))  # raises, naming the coordinate
        self._subscriber_ids.extend(subscriber_ids)
        self._subscriber_lats.extend(lats.tolist())
        self._subscriber_lons.extend(lons.tolist())

    def build(self) -> TargetIndex:
        res = self.bucket_resolution
        lats, lons = self._subscriber_lats, self._subscriber_lons
        points = _Columns(
            lats=lats,
            lons=lons,
            reach=[0.0] * len(lats),
            owner=list(range(len(lats))),
            cells=[0] * len(lats),
            buckets=[h3.latlng_to_cell(la, lo, res) for la, lo in zip(lats, lons, strict=True)],
        )
        bucketed, wide = _Columns(), _Columns()
        for owner, partner_id in enumerate(self._partner_ids):
            for cell in sorted(self._partner_cells[partner_id]):
                clat, clon = h3.cell_to_latlng(cell)
                if h3.get_resolution(cell) >= res:
                    bucketed.add(clat, clon, cell_reach_km(cell), owner, cell, h3.cell_to_parent(cell, res))
                else:
                    # Cells coarser than a bucket (continent-sized at resolution 0) would widen every query's
                    # walk; there are few of them, so every query checks them one by one instead.
                    wide.add(clat, clon, cell_reach_km(cell), owner, cell, 0)
        _largest_reach_km(res)  # computed once per process, here rather than in the first query
        return TargetIndex(
            bucket_resolution=res,
            points=_make_store(points, bucketed=True),
            subscriber_ids=np.asarray(self._subscriber_ids, dtype=object),
            partner_cells=_make_store(bucketed, bucketed=True),
            wide_cells=_make_store(wide, bucketed=False),
            partner_ids=tuple(self._partner_ids),
        )


@dataclass
class TargetIndex:
    bucket_resolution: int
    points: _Store
    subscriber_ids: npt.NDArray[np.object_]
    partner_cells: _Store
    wide_cells: _Store
    partner_ids: tuple[str, ...]
    _circumradius: dict[int, float] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return self.points.size + self.partner_cells.size + self.wide_cells.size

    def _bucket_circumradius(self, bucket: int) -> float:
        largest = _largest_reach_km(self.bucket_resolution)
        if largest is not None:
            return largest
        cached = self._circumradius.get(bucket)
        if cached is None:
            cached = self._circumradius[bucket] = cell_reach_km(bucket)
        return cached

    def _walk(self, lat: float, lon: float, radius_km: float, extra_km: float) -> dict[int, float]:
        """Buckets near the circle (see module doc, step 3), with the distance from the centre to each."""
        start = h3.latlng_to_cell(lat, lon, self.bucket_resolution)
        reach = radius_km + extra_km + _SLACK_KM
        seen = {start}
        frontier = [start]
        found: dict[int, float] = {}
        while frontier:
            cell = frontier.pop()
            clat, clon = h3.cell_to_latlng(cell)
            distance = haversine_km(lat, lon, clat, clon)
            if distance > reach + self._bucket_circumradius(cell):
                continue
            found[cell] = distance
            for neighbour in h3.grid_disk(cell, 1):
                if neighbour not in seen:
                    seen.add(neighbour)
                    frontier.append(neighbour)
        return found

    @staticmethod
    def _candidates(store: _Store, nearby: dict[int, float] | None, radius_km: float) -> IntArray:
        if store.size == 0:
            return np.zeros(0, dtype=np.int64)
        if nearby is None:
            return np.arange(store.size, dtype=np.int64)
        ranges = [
            store.slices[b]
            for b, distance in nearby.items()
            if b in store.slices and distance <= radius_km + store.need_km[b]
        ]
        if not ranges:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate([np.arange(s, e, dtype=np.int64) for s, e in ranges])

    def _matching_partners(self, store: _Store, idx: IntArray, lat: float, lon: float, radius_km: float) -> set[int]:
        if idx.size == 0:
            return set()
        distance = haversine_km_many(lat, lon, store.lat_rad[idx], store.lon_rad[idx])
        matched = set(np.unique(store.owner[idx[distance <= radius_km]]).tolist())
        # Cells whose centre is outside but close enough that a corner may reach in: exact polygon test, only
        # for partners not already matched (one cell is enough for a partner).
        band = idx[(distance > radius_km) & (distance <= radius_km + store.reach_km[idx] + _SLACK_KM)]
        for item in band.tolist():
            owner = int(store.owner[item])
            if owner not in matched and cell_intersects_circle(int(store.cells[item]), lat, lon, radius_km):
                matched.add(owner)
        return matched

    def select(self, lat: float, lon: float, radius_km: float) -> Targets:
        validate_point(lat, lon)
        validate_radius_km(radius_km)
        extra = max(self.points.max_need_km, self.partner_cells.max_need_km)
        nearby = None if radius_km + extra > FULL_SCAN_RADIUS_KM else self._walk(lat, lon, radius_km, extra)

        idx = self._candidates(self.points, nearby, radius_km)
        if idx.size:
            distance = haversine_km_many(lat, lon, self.points.lat_rad[idx], self.points.lon_rad[idx])
            inside = self.points.owner[idx[distance <= radius_km]]
            subscribers = frozenset(self.subscriber_ids[inside].tolist())
        else:
            subscribers = frozenset()

        owners = self._matching_partners(
            self.partner_cells, self._candidates(self.partner_cells, nearby, radius_km), lat, lon, radius_km
        )
        owners |= self._matching_partners(
            self.wide_cells, self._candidates(self.wide_cells, None, radius_km), lat, lon, radius_km
        )
        return Targets(partner_ids=frozenset(self.partner_ids[o] for o in owners), subscriber_ids=subscribers)


def select_targets(center: tuple[float, float], radius_km: float, index: TargetIndex) -> Targets:
    """Partners and subscribers for a circle; ``center`` is (lat, lon) in degrees."""
    lat, lon = center
    return index.select(lat, lon, radius_km)
