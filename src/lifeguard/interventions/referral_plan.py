"""From a case to a referral: where the person is, which unit covers it (and which ones after it), and the
minimal package each needs. Glue between the pure ``jurisdictions`` rules and the stored case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifeguard.cases.models import Case
from lifeguard.errors import BadRequest
from lifeguard.interventions.service import UnitTarget
from lifeguard.jurisdictions import disclosure
from lifeguard.jurisdictions.directory import route
from lifeguard.jurisdictions.errors import RoutingError
from lifeguard.jurisdictions.units import Unit
from lifeguard.partners.models import Partner
from lifeguard.signals.models import Signal


@dataclass(frozen=True)
class ReferralPlan:
    units: list[UnitTarget]
    package: dict[str, Any]
    matched_by: str
    notes: list[str]


def best_location(session: Session, case: Case) -> dict[str, Any] | None:
    """The newest location any of the case's signals carried."""
    for location in session.scalars(
        select(Signal.location).where(Signal.case_id == case.id).order_by(Signal.occurred_at.desc())
    ):
        if location:
            return dict(location)
    return None


def _country(case: Case, session: Session) -> str | None:
    locale = session.scalar(select(Signal.locale).where(Signal.case_id == case.id, Signal.locale.is_not(None)).limit(1))
    if locale and "-" in locale:
        return locale.split("-")[-1].upper()
    return None


def _target(session: Session, unit: Unit, now: datetime) -> UnitTarget | None:
    """A unit registered as a partner with a webhook is called by software; otherwise its first working channel
    (e-mail through the outbox, or a phone line a person must call)."""
    partner = session.get(Partner, unit.id)
    if partner is not None and partner.webhook_url:
        return UnitTarget(unit.id, unit.name_en, "webhook", partner.webhook_url, partner.webhook_secret)
    for channel in unit.working_channels(now):
        if channel.type in ("email", "phone"):
            return UnitTarget(unit.id, unit.name_en, channel.type, channel.value)
    return None


def plan(session: Session, *, case: Case, now: datetime, purpose: str = "welfare_check") -> ReferralPlan:
    location = best_location(session, case)
    if location is None:
        raise BadRequest("no location is known for this person: ask the platform for one, or call the emergency line")
    where = {**location, "country": location.get("country") or _country(case, session)}
    try:
        routing = route(where, at=now)
    except RoutingError as exc:
        raise BadRequest(f"cannot route this referral: {exc}") from None
    units = [t for t in (_target(session, u, now) for u in [routing.primary, *routing.fallbacks]) if t is not None]
    if not units:
        raise BadRequest("no unit covering this place has a working channel now; call the national emergency line")
    reasons = (case.risk_reasons or {}).get("reasons", [])
    cues = [r.split("(", 1)[1].rstrip(")") for r in reasons if r.startswith("priority:imminent(")]
    try:
        package = disclosure.build_package(
            case_summary={"case_ref": f"LG-{case.id:06d}", "time_cues": cues},
            subject_contact=None,  # the platform adds contact details on request; Lifeguard does not hold them
            location=location,
            risk={
                "level": case.level,
                "priority": case.priority,
                "reason": f"{case.level} risk seen on {case.platform}; the case holds what the person said",
            },
            unit=routing.primary,
            purpose=purpose,
        )
    except disclosure.DisclosureError as exc:
        raise BadRequest(f"cannot build the referral: {exc}") from None
    return ReferralPlan(units=units, package=package, matched_by=routing.matched_by, notes=list(routing.notes))
