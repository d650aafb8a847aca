"""The minimal disclosure package sent with a referral: what a unit needs to find and help the person, no more.

Police in the stories needed where the person was, how to reach them, why it was urgent and whom to call back at
the platform. They did not need the chat history, other people's data, the person's other orders or how our
detector works, and sending those would harm the person and the people around them. So the package is built
from an allow-list per unit type; every other field, at any level, is dropped without being read. Free text is
stripped of detector reason codes and third parties' contact details (``redaction.redact``) and cut short.

Ambulance and integrated emergency units also get ``risk.means``: what may have been taken, which the doctors
need (the team in the stories identified a torn-off drug label so that a man could be treated).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from lifeguard.detection.levels import Level
from lifeguard.jurisdictions.redaction import redact
from lifeguard.jurisdictions.units import Unit

SCHEMA = "lifeguard.referral/1"
PURPOSES: tuple[str, ...] = ("welfare_check", "emergency_rescue", "handover")
MAX_REASON = 280
MAX_CUE = 120
MAX_CUES = 5
MAX_TEXT = 200

_POLICE: dict[str, frozenset[str]] = {
    "subject_contact": frozenset({"name", "phone", "address"}),
    "location": frozenset({"admin_code", "address", "lat", "lon", "accuracy_m", "observed_at", "source"}),
    "risk": frozenset({"level", "priority", "reason"}),
    "platform_liaison": frozenset({"name", "organisation", "phone", "email"}),
}
# Field allow-lists per unit type. Everything not listed here is dropped.
ALLOWED: dict[str, dict[str, frozenset[str]]] = {
    "police": _POLICE,
    "ambulance": {**_POLICE, "risk": _POLICE["risk"] | {"means"}},
    "emergency": {**_POLICE, "risk": _POLICE["risk"] | {"means"}},
}
PACKAGE_FIELDS = frozenset(
    {
        "schema",
        "purpose",
        "unit",
        "case_ref",
        "risk",
        "time_critical",
        "location",
        "subject_contact",
        "platform_liaison",
    }
)
_CASE_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{5,63}$")
# Detector reasons ("rule:behavior.method_plan", "term:zh:想死", "means:sedative", "fusion:history(ideation)").
_INTERNALS = re.compile(
    r"\b(?:rule|term|means|fusion|priority|idiom|negated|support|third_party|addressee|past|seeking|context|search"
    r"|input|error|other_directed|lexicon|model):(?=\S)[\w.:+\-]*(?:\([\w.:+\-]*\))?"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class DisclosureError(ValueError):
    """The package cannot be built: a required part is missing or a value is not what it claims to be."""


def build_package(
    *,
    case_summary: Mapping[str, Any],
    subject_contact: Mapping[str, Any] | None,
    location: Mapping[str, Any] | None,
    risk: Mapping[str, Any],
    unit: Unit,
    purpose: str,
) -> dict[str, Any]:
    """The referral package for ``unit``; see the module doc for what is in it and what never is.

    ``case_summary`` gives ``case_ref`` (the pseudonymous case reference), optionally ``time_cues`` (short texts
    such as "said she would do it tonight") and ``liaison`` (the platform's contact for the unit). ``location``
    is one location or ``{"candidates": [...]}``, of which the best is taken (see ``best_location``).
    """
    allowed = ALLOWED.get(unit.kind)
    if allowed is None:
        raise DisclosureError(f"no disclosure allow-list for unit kind {unit.kind!r}")
    if purpose not in PURPOSES:
        raise DisclosureError(f"purpose {purpose!r} is not one of {', '.join(PURPOSES)}")
    case_ref = case_summary.get("case_ref") if isinstance(case_summary, Mapping) else None
    if not isinstance(case_ref, str) or not _CASE_REF.match(case_ref):
        raise DisclosureError("case_summary.case_ref must be a pseudonymous reference of 6-64 letters, digits, - or _")

    contact = _pick(subject_contact, allowed["subject_contact"], _contact_value)
    own_phone = [str(contact["phone"])] if "phone" in contact else []
    where = _pick(best_location(location), allowed["location"], _location_value)
    if not contact and not where:
        raise DisclosureError("a referral needs a location or a way to contact the person")
    package: dict[str, Any] = {
        "schema": SCHEMA,
        "purpose": purpose,
        "unit": {"id": unit.id, "name": unit.name_local},
        "case_ref": case_ref,
        "risk": _risk(risk, allowed["risk"], own_phone),
        "time_critical": _cues(case_summary.get("time_cues"), own_phone),
        "location": where,
        "subject_contact": contact,
        "platform_liaison": _pick(case_summary.get("liaison"), allowed["platform_liaison"], _contact_value),
    }
    return {key: value for key, value in package.items() if value not in ({}, [], None)}


def minimal_text(text: str, *, limit: int, keep: list[str] | None = None) -> str:
    """Free text fit to quote to a unit: no detector reason codes, no third parties' contacts, short."""
    cleaned = re.sub(r"[(\[]\s*[)\]]", "", _INTERNALS.sub("", _CONTROL.sub(" ", text)))
    cleaned = re.sub(r"\s{2,}", " ", redact(cleaned, keep=keep or [])).strip(" ,;，；")
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


def best_location(location: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """One location, or the best of ``{"candidates": [...]}``: a point beats an address, then fresher, then finer."""
    if location is None:
        return None
    if not isinstance(location, Mapping):
        raise DisclosureError("location must be a mapping")
    candidates = location.get("candidates")
    if candidates is None:
        return location
    if not isinstance(candidates, list) or not all(isinstance(c, Mapping) for c in candidates):
        raise DisclosureError("location.candidates must be a list of locations")
    if not candidates:
        return None

    def rank(candidate: Mapping[str, Any]) -> tuple[int, float, float]:
        has_point = int(candidate.get("lat") is not None and candidate.get("lon") is not None)
        seen = _timestamp(candidate.get("observed_at"))
        accuracy = candidate.get("accuracy_m")
        finer = -float(accuracy) if isinstance(accuracy, int | float) and not isinstance(accuracy, bool) else -math.inf
        return has_point, seen, finer

    chosen: Mapping[str, Any] = max(candidates, key=rank)
    return chosen


def _timestamp(value: Any) -> float:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.timestamp()
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            return -math.inf
        return parsed.timestamp() if parsed.tzinfo is not None else -math.inf
    return -math.inf


def _pick(source: Any, fields: frozenset[str], convert: Callable[[str, Any], Any]) -> dict[str, Any]:
    """Only the allowed fields, each converted and checked; everything else is never read."""
    if source is None:
        return {}
    if not isinstance(source, Mapping):
        raise DisclosureError("expected a mapping of fields")
    out: dict[str, Any] = {}
    for name in sorted(fields):
        if source.get(name) is not None:
            value = convert(name, source[name])
            if value is not None:
                out[name] = value
    return out


def _contact_value(name: str, value: Any) -> Any:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise DisclosureError(f"contact field {name} must be text")
    text = _CONTROL.sub(" ", str(value)).strip()
    return text[:MAX_TEXT] or None


def _location_value(name: str, value: Any) -> Any:
    if name in ("lat", "lon", "accuracy_m"):
        if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
            raise DisclosureError(f"location.{name} must be a number")
        limit = {"lat": 90.0, "lon": 180.0}.get(name)
        if (limit is not None and abs(value) > limit) or (name == "accuracy_m" and value < 0):
            raise DisclosureError(f"location.{name} = {value} is out of range")
        return round(float(value), 6)
    if name == "observed_at":
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                raise DisclosureError("location.observed_at must be an aware datetime")
            return value.astimezone(dt.UTC).isoformat()
        if isinstance(value, str) and _timestamp(value) != -math.inf:
            return value
        raise DisclosureError("location.observed_at must be an aware datetime or ISO 8601 text with an offset")
    return _contact_value(name, value)


def _risk(risk: Mapping[str, Any], fields: frozenset[str], own_phone: list[str]) -> dict[str, Any]:
    if not isinstance(risk, Mapping):
        raise DisclosureError("risk must be a mapping with level, priority and reason")
    out: dict[str, Any] = {}
    raw_level = risk.get("level")
    try:
        level = raw_level if isinstance(raw_level, Level) else Level.parse(str(raw_level))
    except ValueError as exc:
        raise DisclosureError(f"risk.level: {exc}") from None
    out["level"] = level.value
    if "priority" in fields and risk.get("priority") is not None:
        priority = risk["priority"]
        if not isinstance(priority, int) or isinstance(priority, bool) or not 0 <= priority <= 3:
            raise DisclosureError("risk.priority must be 0..3 (P0..P3)")
        out["priority"] = priority
    reason = risk.get("reason")
    if not isinstance(reason, str) or not minimal_text(reason, limit=MAX_REASON):
        raise DisclosureError("risk.reason must say in words why the platform is worried")
    out["reason"] = minimal_text(reason, limit=MAX_REASON, keep=own_phone)
    means = risk.get("means")
    if "means" in fields and isinstance(means, str) and means.strip():
        out["means"] = minimal_text(means, limit=MAX_CUE)
    return out


def _cues(raw: Any, own_phone: list[str]) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list | tuple) or not all(isinstance(cue, str) for cue in raw):
        raise DisclosureError("case_summary.time_cues must be a list of short texts")
    cues = [minimal_text(cue, limit=MAX_CUE, keep=own_phone) for cue in raw]
    return [cue for cue in cues if cue][:MAX_CUES]
