"""Police and emergency units, their areas, channels and hours, read from ``units.yaml`` and validated.

A unit is only useful if a referral can reach it. The file therefore says, per channel, whether it works
(``status``): shipped webhooks and portals are ``unconfigured`` until a deployment has agreed them with the unit,
and routing skips a unit that has no working channel, naming the reason.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from lifeguard.jurisdictions.areas import LEVELS, Area, ancestors, country_of, depth, normalize_code, parse_geometry
from lifeguard.jurisdictions.errors import UnitsFileError
from lifeguard.jurisdictions.hours import ALWAYS_OPEN, Hours, parse_hours

KINDS: tuple[str, ...] = ("police", "ambulance", "emergency")  # emergency: one line for police, fire and ambulance
CHANNEL_TYPES: tuple[str, ...] = ("webhook", "portal", "email", "phone")
STATUSES: tuple[str, ...] = ("active", "unconfigured", "down")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{1,18}[0-9]$|^[0-9]{3}$")
_URL = re.compile(r"^https://[a-z0-9.\-]+(?::\d+)?(?:/\S*)?$", re.IGNORECASE)
_PLACEHOLDER_HOST = re.compile(r"(?:^|[.@/])(?:example\.(?:invalid|com|org|net)|[a-z0-9\-]+\.invalid)(?:[:/]|$)", re.I)
# Beijing, Tianjin, Shanghai and Chongqing are province-level cities: their city unit owns the province code.
MUNICIPALITIES = frozenset({"110000", "120000", "310000", "500000", "CN-BJ", "CN-TJ", "CN-SH", "CN-CQ"})
_UNIT_FIELDS = (
    "id", "name", "kind", "level", "country", "parent", "area", "channels", "hours", "accepts_handover",
    "source", "verified", "notes",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Channel:
    type: str  # webhook, portal, email, phone
    value: str
    status: str  # active, unconfigured, down
    hours: Hours | None = None  # None: the unit's hours
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Unit:
    id: str
    name_local: str
    name_en: str
    kind: str
    level: str  # one of areas.LEVELS
    country: str
    parent: str | None
    admin_codes: tuple[str, ...]
    area: Area | None
    area_approximate: bool
    channels: tuple[Channel, ...]
    hours: Hours
    accepts_handover: bool = True
    verified: bool = False
    source: str | None = None
    notes: str | None = None
    rank: int = field(default=0, compare=False)

    def serves(self, kind: str) -> bool:
        """Whether a referral of ``kind`` (police, ambulance) may go here; integrated lines serve both."""
        return self.kind == kind or self.kind == "emergency"

    def working_channels(self, at: dt.datetime | None = None) -> tuple[Channel, ...]:
        """Channels that can take a referral now (``at``: an aware datetime, or None to ignore hours)."""
        return tuple(
            channel
            for channel in self.channels
            if channel.status == "active" and (at is None or (channel.hours or self.hours).is_open(at))
        )

    def unusable_reason(self, at: dt.datetime | None = None) -> str | None:
        """Why a referral cannot go to this unit now, or None when it can."""
        if self.working_channels(at):
            return None
        active = [channel for channel in self.channels if channel.status == "active"]
        if not active:
            states = ", ".join(f"{c.type} {c.status}" for c in self.channels)
            return f"no working channel ({states})"
        return (
            "closed at this time (" + ", ".join(f"{c.type}: {(c.hours or self.hours).describe()}" for c in active) + ")"
        )


def parse_units(data: Any, *, file: str = "units.yaml") -> list[Unit]:
    if not isinstance(data, dict):
        raise UnitsFileError("the file must be a mapping with 'version' and 'units'", file=file)
    unknown = sorted(str(key) for key in data if key not in ("version", "updated", "units"))
    if unknown:
        raise UnitsFileError(f"unknown top-level field {unknown[0]!r}", file=file, field=unknown[0])
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise UnitsFileError("'version' must be a positive integer", file=file, field="version")
    raw_units = data.get("units")
    if not isinstance(raw_units, list) or not raw_units:
        raise UnitsFileError("'units' must be a non-empty list", file=file, field="units")
    units = [_parse_unit(raw, index, file) for index, raw in enumerate(raw_units)]
    _check_graph(units, file)
    return units


class _Reader:
    """Field access for one unit with errors naming the file, the unit and the field."""

    def __init__(self, raw: dict[str, Any], file: str, entry: str) -> None:
        self.raw, self.file, self.entry = raw, file, entry

    def error(self, field_name: str | None, message: str) -> UnitsFileError:
        return UnitsFileError(message, file=self.file, entry=self.entry, field=field_name)

    def text(self, name: str, value: Any = None, *, required: bool = True) -> str | None:
        value = self.raw.get(name) if value is None else value
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.error(name, f"must be a non-empty string, got {value!r}")
        return value.strip()

    def choice(self, name: str, choices: tuple[str, ...]) -> str:
        value = self.text(name)
        if value not in choices:
            raise self.error(name, f"{value!r} is not one of {', '.join(choices)}")
        return value

    def flag(self, name: str, default: bool) -> bool:
        value = self.raw.get(name, default)
        if not isinstance(value, bool):
            raise self.error(name, f"must be true or false, got {value!r}")
        return value


def _parse_unit(raw: Any, index: int, file: str) -> Unit:
    if not isinstance(raw, dict):
        raise UnitsFileError("each unit must be a mapping", file=file, entry=f"units[{index}]")
    label = raw.get("id") if isinstance(raw.get("id"), str) else f"units[{index}]"
    reader = _Reader(raw, file, str(label))
    unknown = sorted(str(key) for key in raw if key not in _UNIT_FIELDS)
    if unknown:
        raise reader.error(unknown[0], f"unknown field (allowed: {', '.join(_UNIT_FIELDS)})")
    unit_id = reader.text("id") or ""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", unit_id):
        raise reader.error("id", "must be lower-case letters, digits and hyphens")
    name = raw.get("name")
    if not isinstance(name, dict) or set(name) != {"local", "en"}:
        raise reader.error("name", "must be a mapping with exactly 'local' and 'en'")
    kind = reader.choice("kind", KINDS)
    level = reader.choice("level", LEVELS)
    country = reader.text("country") or ""
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise reader.error("country", f"{country!r} is not an ISO 3166-1 alpha-2 code")
    codes, area, approximate = _parse_area(reader, level, country)
    try:
        hours = parse_hours(raw["hours"]) if "hours" in raw else ALWAYS_OPEN
    except ValueError as exc:
        raise reader.error("hours", str(exc)) from None
    channels = _parse_channels(reader)
    verified = reader.flag("verified", False)
    return Unit(
        id=unit_id,
        name_local=reader.text("name.local", name.get("local")) or "",
        name_en=reader.text("name.en", name.get("en")) or "",
        kind=kind,
        level=level,
        country=country,
        parent=reader.text("parent", required=False),
        admin_codes=codes,
        area=area,
        area_approximate=approximate,
        channels=channels,
        hours=hours,
        accepts_handover=reader.flag("accepts_handover", True),
        verified=verified,
        source=reader.text("source", required=False),
        notes=reader.text("notes", required=False),
        rank=LEVELS.index(level),
    )


def _parse_area(reader: _Reader, level: str, country: str) -> tuple[tuple[str, ...], Area | None, bool]:
    raw = reader.raw.get("area")
    if not isinstance(raw, dict) or not raw:
        raise reader.error("area", "must be a mapping with admin_codes and/or polygon")
    unknown = sorted(str(key) for key in raw if key not in ("admin_codes", "polygon", "approximate"))
    if unknown:
        raise reader.error(f"area.{unknown[0]}", "unknown field (allowed: admin_codes, polygon, approximate)")
    codes: list[str] = []
    for position, code in enumerate(raw.get("admin_codes") or []):
        where = f"area.admin_codes[{position}]"
        try:
            normalized = normalize_code(str(code))
        except ValueError as exc:
            raise reader.error(where, str(exc)) from None
        if not isinstance(code, str):
            raise reader.error(where, f"write codes as quoted strings ('{code}'): leading zeros matter")
        if country_of(normalized) != country:
            raise reader.error(where, f"{normalized} is not in {country}")
        expected = LEVELS[depth(normalized)]
        if expected != level and not (level == "city" and normalized in MUNICIPALITIES):
            raise reader.error(where, f"{normalized} is a {expected} code but the unit's level is {level}")
        codes.append(normalized)
    area: Area | None = None
    if raw.get("polygon") is not None:
        try:
            area = parse_geometry(raw["polygon"])
        except ValueError as exc:
            raise reader.error("area.polygon", str(exc)) from None
    if not codes and area is None:
        raise reader.error("area", "needs admin_codes, a polygon, or both")
    approximate = raw.get("approximate", False)
    if not isinstance(approximate, bool):
        raise reader.error("area.approximate", "must be true or false")
    return tuple(codes), area, approximate


def _parse_channels(reader: _Reader) -> tuple[Channel, ...]:
    raw = reader.raw.get("channels")
    if not isinstance(raw, list) or not raw:
        raise reader.error("channels", "must be a non-empty list")
    channels: list[Channel] = []
    for index, item in enumerate(raw):
        where = f"channels[{index}]"
        if not isinstance(item, dict):
            raise reader.error(where, "must be a mapping with type, value and status")
        unknown = sorted(str(key) for key in item if key not in ("type", "value", "status", "hours", "note"))
        if unknown:
            raise reader.error(f"{where}.{unknown[0]}", "unknown field (allowed: type, value, status, hours, note)")
        kind = item.get("type")
        if kind not in CHANNEL_TYPES:
            raise reader.error(f"{where}.type", f"{kind!r} is not one of {', '.join(CHANNEL_TYPES)}")
        status = item.get("status")
        if status not in STATUSES:
            raise reader.error(f"{where}.status", f"{status!r} is not one of {', '.join(STATUSES)}")
        value = item.get("value")
        if not isinstance(value, str) or not _valid_value(kind, value):
            raise reader.error(f"{where}.value", f"{value!r} is not a valid {kind}")
        if status == "active" and _PLACEHOLDER_HOST.search(value):
            raise reader.error(f"{where}.status", f"{value} is a placeholder address; it cannot be active")
        try:
            hours = parse_hours(item["hours"]) if "hours" in item else None
        except ValueError as exc:
            raise reader.error(f"{where}.hours", str(exc)) from None
        note = item.get("note")
        if note is not None and not isinstance(note, str):
            raise reader.error(f"{where}.note", "must be a string")
        channels.append(Channel(kind, value.strip(), status, hours, note))
    return tuple(channels)


def _valid_value(kind: str, value: str) -> bool:
    if kind in ("webhook", "portal"):
        return bool(_URL.match(value))
    if kind == "email":
        return bool(_EMAIL.match(value))
    return bool(_PHONE.match(value.strip()))


def _check_graph(units: list[Unit], file: str) -> None:
    """Ids unique, parents real and above their children, no cycles, one unit per (kind, code)."""
    by_id: dict[str, Unit] = {}
    for unit in units:
        if unit.id in by_id:
            raise UnitsFileError("is used by another unit", file=file, entry=unit.id, field="id")
        by_id[unit.id] = unit
    owners: dict[tuple[str, str], str] = {}
    for unit in units:
        for code in unit.admin_codes:
            key = (unit.kind, code)
            if key in owners:
                raise UnitsFileError(
                    f"{code} is already the area of {owners[key]} ({unit.kind}); one unit per code and kind",
                    file=file,
                    entry=unit.id,
                    field="area.admin_codes",
                )
            owners[key] = unit.id
    for unit in units:
        if unit.parent is None:
            if unit.level != "national":
                raise UnitsFileError("only a national unit has no parent", file=file, entry=unit.id, field="parent")
            continue
        parent = by_id.get(unit.parent)
        if parent is None:
            raise UnitsFileError(f"no unit {unit.parent!r}", file=file, entry=unit.id, field="parent")
        if parent.country != unit.country or parent.rank >= unit.rank:
            raise UnitsFileError(
                f"{parent.id} ({parent.country}, {parent.level}) cannot be above a {unit.country} {unit.level} unit",
                file=file,
                entry=unit.id,
                field="parent",
            )
        if parent.kind not in (unit.kind, "emergency"):
            raise UnitsFileError(
                f"a {unit.kind} unit falls back to a {unit.kind} or emergency unit, not {parent.kind}",
                file=file,
                entry=unit.id,
                field="parent",
            )
        if parent.admin_codes and unit.admin_codes:
            inside = any(code in ancestors(own) for own in unit.admin_codes for code in parent.admin_codes)
            if not inside:
                raise UnitsFileError(
                    f"its area {', '.join(unit.admin_codes)} is not inside "
                    f"{parent.id}'s {', '.join(parent.admin_codes)}",
                    file=file,
                    entry=unit.id,
                    field="parent",
                )
    # Parents rank strictly higher, so chains are finite; no separate cycle check is needed.
