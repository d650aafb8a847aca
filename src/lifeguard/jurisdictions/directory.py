"""Which police or emergency unit a referral goes to, and whether one unit may hand a case to another.

``route`` picks the most specific unit covering the person's best known location, then climbs the fallback chain
(district -> city -> province/state -> national line). Decisions, so that callers can rely on them:

- **Admin code and point.** Both are looked up. The more specific of the two matches wins; at equal specificity
  the point wins (a device position at the time of the signal is fresher than an address on file). When they
  disagree, ``Routing.notes`` says so, for the person who confirms the referral.
- **Ambiguous point.** When a point lies in several units' polygons at the same level (overlapping outlines), no
  guess is made: routing climbs to their nearest common parent and notes the ambiguity.
- **Nothing specific matches, country known** -> the country's national line, ``matched_by="fallback"``. At P0 a
  referral must reach someone; the national line always answers and can dispatch locally.
- **Nothing known** (no code, no point inside any area, no country), a malformed code, or a country that
  contradicts the code -> ``RoutingError``: a caller bug or missing data must not be routed to a guess.
- **Unusable units** (no active channel, or closed at ``at``) are skipped, each with its reason in
  ``Routing.skipped``; the next unit up becomes primary. If nothing in the chain is usable -> ``RoutingError``.
- ``matched_by`` says how the primary was chosen: ``admin_code`` or ``point`` for a local unit, ``fallback``
  whenever the primary is a national line (nothing more specific matched, or everything below was skipped).

Handing a case on (the Shenzhen internet police found the man was in Hefei and called Hefei's officers) is
``route`` for the new location plus ``handover_allowed(from_unit, to_unit)``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from lifeguard.jurisdictions.areas import ancestors, country_of, normalize_code
from lifeguard.jurisdictions.errors import RoutingError, UnitsFileError
from lifeguard.jurisdictions.units import Unit, parse_units

MATCHED_BY = ("admin_code", "point", "fallback")


@dataclass(frozen=True, slots=True)
class Skipped:
    unit: Unit
    reason: str


@dataclass(frozen=True, slots=True)
class Routing:
    primary: Unit
    fallbacks: list[Unit]  # usable units further up the chain, in order
    matched_by: str  # admin_code, point or fallback
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Location:
    admin_code: str | None
    point: tuple[float, float] | None  # (lon, lat)
    country: str | None


class UnitDirectory:
    """All units of one validated file. Read-only after construction; threads may share it."""

    def __init__(self, units: list[Unit]) -> None:
        self.units: tuple[Unit, ...] = tuple(units)
        self._by_id = {unit.id: unit for unit in units}
        self._by_code: dict[tuple[str, str], Unit] = {
            (unit.kind, code): unit for unit in units for code in unit.admin_codes
        }

    def get(self, unit_id: str) -> Unit:
        return self._by_id[unit_id]

    def chain(self, unit: Unit) -> list[Unit]:
        """``unit`` and every unit above it, up to the national line."""
        out = [unit]
        while out[-1].parent is not None:
            out.append(self._by_id[out[-1].parent])
        return out

    def route(self, location: Mapping[str, Any], *, kind: str = "police", at: dt.datetime | None = None) -> Routing:
        where = _parse_location(location)
        notes: list[str] = []
        by_code = self._match_code(where.admin_code, kind) if where.admin_code else None
        by_point = self._match_point(where, kind, notes) if where.point else None

        if by_point is not None and where.country is not None and by_point.country != where.country:
            raise RoutingError(
                f"the point lies in {by_point.country} ({by_point.name_en}) but the location says {where.country}"
            )
        matched, how = by_code, "admin_code"
        if by_point is not None and (by_code is None or by_point.rank >= by_code.rank):
            matched, how = by_point, "point"
        if by_code is not None and by_point is not None and by_code not in self.chain(by_point):
            if by_point not in self.chain(by_code):
                notes.append(
                    f"the admin code {where.admin_code} ({by_code.name_en}) and the point "
                    f"({by_point.name_en}) disagree; routed by the {'point' if how == 'point' else 'admin code'}"
                )
        if matched is None or matched.level == "national":
            country = where.country or (matched.country if matched else None)
            if country is None:
                raise RoutingError("location unknown: give an admin code, a point inside a known area, or a country")
            matched, how = self._national(country, kind), "fallback"

        usable: list[Unit] = []
        skipped: list[Skipped] = []
        for unit in self.chain(matched):
            if not unit.serves(kind):
                continue
            reason = unit.unusable_reason(at)
            if reason is None:
                usable.append(unit)
            else:
                skipped.append(Skipped(unit, reason))
        if not usable:
            raise RoutingError(
                f"no unit covering this location can take a {kind} referral now",
                skipped=[(s.unit.id, s.reason) for s in skipped],
            )
        if usable[0].level == "national":
            how = "fallback"  # whatever matched, the national line is what takes it: say so plainly
        return Routing(usable[0], usable[1:], how, skipped, notes)

    def _match_code(self, code: str, kind: str) -> Unit | None:
        for candidate in ancestors(code)[:-1]:  # the country itself is the fallback, not a match
            for unit_kind in (kind, "emergency"):
                unit = self._by_code.get((unit_kind, candidate))
                if unit is not None:
                    return unit
        return None

    def _match_point(self, where: _Location, kind: str, notes: list[str]) -> Unit | None:
        assert where.point is not None
        lon, lat = where.point
        hits = [
            unit for unit in self.units if unit.serves(kind) and unit.area is not None and unit.area.contains(lon, lat)
        ]
        if not hits:
            return None
        best = max(unit.rank for unit in hits)
        top = [unit for unit in hits if unit.rank == best]
        if len(top) == 1:
            return top[0]
        names = ", ".join(sorted(unit.id for unit in top))
        common = self._common_parent(top)
        notes.append(f"the point lies in several areas ({names}); routed to their common parent")
        return common

    def _common_parent(self, units: list[Unit]) -> Unit | None:
        chains = [self.chain(unit) for unit in units]
        for candidate in chains[0][1:]:
            if all(candidate in chain for chain in chains[1:]):
                return candidate
        return None

    def _national(self, country: str, kind: str) -> Unit:
        for unit_kind in (kind, "emergency"):
            unit = self._by_code.get((unit_kind, country))
            if unit is not None:
                return unit
        raise RoutingError(f"no national {kind} or emergency line configured for {country}")


def _parse_location(location: Mapping[str, Any]) -> _Location:
    if not isinstance(location, Mapping):
        raise RoutingError("a location is a mapping with admin_code, lat/lon and/or country")
    raw_code = location.get("admin_code")
    code: str | None = None
    if raw_code not in (None, ""):
        try:
            code = normalize_code(str(raw_code))
        except ValueError as exc:
            raise RoutingError(str(exc)) from None
    point = _point(location.get("lat"), location.get("lon"))
    raw_country = location.get("country")
    country = str(raw_country).strip().upper() if raw_country not in (None, "") else None
    if country is not None and (len(country) != 2 or not country.isalpha()):
        raise RoutingError(f"country {raw_country!r} is not an ISO 3166-1 alpha-2 code")
    if code is not None:
        inferred = country_of(code)
        if country is not None and country != inferred:
            raise RoutingError(f"the admin code {code} is in {inferred} but the country given is {country}")
        country = inferred
    return _Location(code, point, country)


def _point(lat: Any, lon: Any) -> tuple[float, float] | None:
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        raise RoutingError("a point needs both lat and lon")
    try:
        lat_f, lon_f = float(lat), float(lon)
    except (TypeError, ValueError):
        raise RoutingError(f"lat/lon {lat!r}, {lon!r} are not numbers") from None
    if not (math.isfinite(lat_f) and math.isfinite(lon_f) and -90 <= lat_f <= 90 and -180 <= lon_f <= 180):
        raise RoutingError(f"lat/lon {lat!r}, {lon!r} are out of range")
    return lon_f, lat_f


def handover_check(from_unit: Unit, to_unit: Unit) -> tuple[bool, str]:
    """Whether ``from_unit`` may hand a case to ``to_unit``, and why (for the audit log)."""
    if from_unit.id == to_unit.id:
        return False, "a unit cannot hand a case to itself"
    if from_unit.country != to_unit.country:
        return False, f"across borders ({from_unit.country} -> {to_unit.country}) a case goes through formal channels"
    if not (to_unit.serves(from_unit.kind) or from_unit.kind == "emergency"):
        return False, f"{to_unit.id} is a {to_unit.kind} unit and cannot take a {from_unit.kind} case"
    if not to_unit.accepts_handover:
        return False, f"{to_unit.id} does not take cases handed over by other units"
    reason = to_unit.unusable_reason()
    if reason is not None:
        return False, f"{to_unit.id} cannot be reached: {reason}"
    return True, f"{from_unit.id} may hand the case to {to_unit.id}"


def handover_allowed(from_unit: Unit, to_unit: Unit) -> bool:
    return handover_check(from_unit, to_unit)[0]


def default_path() -> Path:
    return Path(str(resources.files("lifeguard.jurisdictions").joinpath("units.yaml")))


def load_units(path: Path | str | None = None) -> UnitDirectory:
    source = Path(path) if path is not None else default_path()
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise UnitsFileError(f"cannot read: {exc.strerror or exc}", file=source.name) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise UnitsFileError(f"not valid YAML: {exc}", file=source.name) from exc
    return UnitDirectory(parse_units(data, file=source.name))


@lru_cache(maxsize=1)
def default_units() -> UnitDirectory:
    return load_units()


def route(
    location: Mapping[str, Any],
    *,
    kind: str = "police",
    at: dt.datetime | None = None,
    directory: UnitDirectory | None = None,
) -> Routing:
    """The unit a ``kind`` referral for a person at ``location`` goes to (``{admin_code?, lat?, lon?, country?}``)."""
    return (directory or default_units()).route(location, kind=kind, at=at)
