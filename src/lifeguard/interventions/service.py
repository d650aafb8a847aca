"""Order holds and police referrals: each a row, an outbound delivery through the outbox in the same
transaction, an audit record, a line on the case's timeline, and an answer that comes back and is checked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifeguard.audit import service as audit
from lifeguard.auth.models import User
from lifeguard.cases import service as cases
from lifeguard.cases.models import Case, CaseEvent
from lifeguard.cases.transitions import OPEN_STATUSES, Status
from lifeguard.delivery import service as outbox
from lifeguard.errors import BadRequest, Conflict, Forbidden, NotFound
from lifeguard.interventions.models import OrderHold, Referral
from lifeguard.oncall.models import Notification
from lifeguard.partners.models import Partner
from lifeguard.scheduling import service as timers
from lifeguard.scheduling.models import Timer
from lifeguard.signals.models import Signal

HOLD_ANSWERS = frozenset({"held", "intercepted", "refused"})
REFERRAL_OUTCOMES = frozenset({"found_safe", "hospitalised", "not_found", "false_alarm", "deceased", "other"})
ACK_TIMER = "referral.ack"
_OPEN = {s.value for s in OPEN_STATUSES}


def _timeline(session: Session, case: Case, *, now: datetime, actor: str, body: dict[str, Any]) -> None:
    session.add(CaseEvent(case_id=case.id, at=now, kind="action", actor=actor, signal_id=None, body=body))
    case.updated_at = now
    case.version += 1


# --- order holds --------------------------------------------------------------------------------------------


def request_holds(session: Session, *, case_id: int, actor: str, now: datetime) -> list[OrderHold]:
    """Ask the platform to hold every order on the case that has not been asked about yet."""
    case = cases.get_case(session, case_id)
    if case.status not in _OPEN:
        raise Conflict(f"case {case_id} is {case.status}; holds are asked for open cases")
    partner = session.get(Partner, case.platform)
    if partner is None or not partner.webhook_url:
        raise Conflict(
            f"platform {case.platform} has no webhook for hold requests: call their safety desk and write a note"
        )
    asked = set(session.scalars(select(OrderHold.order_id).where(OrderHold.case_id == case.id)))
    holds: list[OrderHold] = []
    for signal in session.scalars(select(Signal).where(Signal.case_id == case.id, Signal.kind == "order")):
        order_id = str(signal.details.get("order_id", ""))
        if not order_id or order_id in asked:
            continue
        asked.add(order_id)
        hold = OrderHold(
            case_id=case.id,
            partner_id=partner.id,
            order_id=order_id,
            status="requested",
            requested_by=actor,
            requested_at=now,
        )
        session.add(hold)
        session.flush()
        outbox.enqueue(
            session,
            channel="webhook",
            target=partner.webhook_url,
            secret=partner.webhook_secret,
            case_id=case.id,
            idempotency_key=f"hold:{hold.id}",
            now=now,
            # Only what the partner needs to find the order: no words, no level, no reasons.
            payload={
                "type": "order.hold_requested",
                "hold_id": hold.id,
                "order_id": order_id,
                "subject": case.subject,
                "case_ref": f"LG-{case.id}",
                "reason": "safety",
            },
        )
        holds.append(hold)
    if not holds:
        raise Conflict("there is no order on this case that has not been asked about already")
    _timeline(
        session,
        case,
        now=now,
        actor=actor,
        body={"action": "order_holds_requested", "orders": [h.order_id for h in holds]},
    )
    audit.record(
        session,
        at=now,
        actor=actor,
        action="order.hold_requested",
        object_type="case",
        object_id=case.id,
        data={"orders": [h.order_id for h in holds], "partner": partner.id},
    )
    return holds


def answer_hold(
    session: Session, *, hold_id: int, partner_id: str, status: str, reason: str | None, now: datetime
) -> OrderHold:
    hold = session.get(OrderHold, hold_id)
    if hold is None:
        raise NotFound(f"hold request {hold_id} does not exist")
    if hold.partner_id != partner_id:
        raise Forbidden("this hold request was not sent to you")
    if status not in HOLD_ANSWERS:
        raise BadRequest(f"status must be one of {', '.join(sorted(HOLD_ANSWERS))}")
    if hold.status != "requested":
        if hold.status == status:
            return hold  # the same answer again (a retried call): no second effect
        raise Conflict(f"hold request {hold_id} was already answered {hold.status}")
    hold.status, hold.answered_at, hold.answer_reason = status, now, (reason or None)
    case = cases.get_case(session, hold.case_id)
    actor = f"partner:{partner_id}"
    _timeline(
        session,
        case,
        now=now,
        actor=actor,
        body={"action": "order_hold_answered", "order": hold.order_id, "status": status, "reason": reason},
    )
    audit.record(
        session,
        at=now,
        actor=actor,
        action="order.hold_answered",
        object_type="case",
        object_id=case.id,
        data={"order": hold.order_id, "status": status},
    )
    return hold


# --- referrals ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitTarget:
    """Where a referral goes: a unit and the channel to reach it by."""

    id: str
    name: str
    channel: str  # webhook, email, phone
    target: str  # URL, address, number
    secret: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "channel": self.channel, "target": self.target}


def refer(
    session: Session,
    *,
    case_id: int,
    units: list[UnitTarget],
    package: dict[str, Any],
    actor: str,
    now: datetime,
    ack_within: timedelta,
    previous: Referral | None = None,
) -> Referral:
    """Send the case to the first unit; the rest are the fallback chain if it does not acknowledge in time."""
    case = cases.get_case(session, case_id)
    if case.status not in _OPEN:
        raise Conflict(f"case {case_id} is {case.status}: a referral is made for an open case (reopen it first)")
    if not units:
        raise BadRequest("no unit to refer to: the location is unknown or no unit there has a working channel")
    unit, rest = units[0], units[1:]
    referral = Referral(
        case_id=case.id,
        unit_id=unit.id,
        unit_name=unit.name,
        channel=f"{unit.channel}:{unit.target}",
        status="sent",
        package=package,
        fallbacks=[u.to_json() | {"secret": u.secret} for u in rest],
        referred_by=actor,
        sent_at=now,
        ack_due_at=now + ack_within,
        previous_id=previous.id if previous else None,
    )
    session.add(referral)
    session.flush()
    message = {
        "type": "referral",
        "referral_id": referral.id,
        "unit": unit.id,
        "package": package,
        "respond": {
            "acknowledge": f"/v1/referrals/{referral.id}/ack",
            "outcome": f"/v1/referrals/{referral.id}/outcome",
            "hand_over": f"/v1/referrals/{referral.id}/handover",
        },
    }
    if unit.channel in ("webhook", "email"):
        outbox.enqueue(
            session,
            channel=unit.channel,
            target=unit.target,
            secret=unit.secret,
            payload=message,
            case_id=case.id,
            subject=f"[Lifeguard] urgent referral LG-{case.id}",
            idempotency_key=f"referral:{referral.id}",
            now=now,
        )
    # A phone line (110, 112) cannot be called by software: the case shows the task, and the timer still runs.
    timers.schedule(
        session,
        kind=ACK_TIMER,
        due_at=referral.ack_due_at,
        now=now,
        case_id=case.id,
        payload={"referral_id": referral.id},
    )
    if case.status != Status.REFERRED.value:
        cases.change_status(session, case_id=case.id, status=Status.REFERRED.value, actor=actor, now=now)
    case.referred_unit = unit.id
    _timeline(
        session,
        case,
        now=now,
        actor=actor,
        body={"action": "referred", "unit": unit.name, "channel": referral.channel, "referral_id": referral.id},
    )
    audit.record(
        session,
        at=now,
        actor=actor,
        action="referral.sent",
        object_type="case",
        object_id=case.id,
        data={"referral_id": referral.id, "unit": unit.id, "channel": unit.channel, "fields": sorted(package)},
    )
    return referral


def _for_unit(session: Session, referral_id: int, unit_id: str) -> Referral:
    referral = session.get(Referral, referral_id)
    if referral is None:
        raise NotFound(f"referral {referral_id} does not exist")
    if referral.unit_id != unit_id:
        raise Forbidden("this referral was not sent to your unit")
    return referral


def acknowledge(session: Session, *, referral_id: int, unit_id: str, now: datetime, actor: str) -> Referral:
    referral = _for_unit(session, referral_id, unit_id)
    if referral.status == "acknowledged":
        return referral  # a repeated acknowledgement changes nothing
    if referral.status != "sent":
        raise Conflict(f"referral {referral_id} is {referral.status}")
    referral.status, referral.acknowledged_at = "acknowledged", now
    case = cases.get_case(session, referral.case_id)
    _timeline(session, case, now=now, actor=actor, body={"action": "referral_acknowledged", "unit": referral.unit_name})
    audit.record(
        session,
        at=now,
        actor=actor,
        action="referral.acknowledged",
        object_type="case",
        object_id=case.id,
        data={"referral_id": referral.id, "seconds": int((now - referral.sent_at).total_seconds())},
    )
    return referral


def hand_over(
    session: Session,
    *,
    referral_id: int,
    unit_id: str,
    to: UnitTarget,
    now: datetime,
    actor: str,
    ack_within: timedelta,
) -> Referral:
    """A unit passes the case to another (Shenzhen's internet police to Hefei's officers, who can go there)."""
    referral = _for_unit(session, referral_id, unit_id)
    if referral.status not in {"sent", "acknowledged"}:
        raise Conflict(f"referral {referral_id} is {referral.status}")
    if to.id == unit_id:
        raise BadRequest("a unit cannot hand a case over to itself")
    referral.status, referral.closed_at = "handed_over", now
    onward = refer(
        session,
        case_id=referral.case_id,
        units=[to],
        package=referral.package,
        actor=actor,
        now=now,
        ack_within=ack_within,
        previous=referral,
    )
    referral.handed_to_id = onward.id
    audit.record(
        session,
        at=now,
        actor=actor,
        action="referral.handed_over",
        object_type="case",
        object_id=referral.case_id,
        data={"from": unit_id, "to": to.id, "referral_id": onward.id},
    )
    return onward


def report_outcome(
    session: Session, *, referral_id: int, unit_id: str, outcome: str, note: str | None, now: datetime, actor: str
) -> Referral:
    referral = _for_unit(session, referral_id, unit_id)
    if outcome not in REFERRAL_OUTCOMES:
        raise BadRequest(f"outcome must be one of {', '.join(sorted(REFERRAL_OUTCOMES))}")
    if referral.status in {"closed", "handed_over"}:
        raise Conflict(f"referral {referral_id} is {referral.status}")
    if referral.acknowledged_at is None:
        referral.acknowledged_at = now  # an outcome is the strongest acknowledgement
    referral.status, referral.outcome, referral.closed_at = "closed", outcome, now
    referral.outcome_note = {"text": note[:2000]} if note else None
    case = cases.get_case(session, referral.case_id)
    _timeline(
        session,
        case,
        now=now,
        actor=actor,
        body={"action": "referral_outcome", "unit": referral.unit_name, "outcome": outcome},
    )
    audit.record(
        session,
        at=now,
        actor=actor,
        action="referral.outcome",
        object_type="case",
        object_id=case.id,
        data={"referral_id": referral.id, "outcome": outcome},
    )
    return referral


def on_ack_timer(
    session: Session, timer: Timer, now: datetime, *, ack_within: timedelta
) -> list[tuple[str, dict[str, Any]]]:
    """Nobody acknowledged in time: go down the fallback chain, and tell the seniors either way."""
    referral = session.get(Referral, int(timer.payload.get("referral_id", 0)))
    if referral is None or referral.status != "sent":
        return []
    referral.status, referral.closed_at = "unanswered", now
    audit.record(
        session,
        at=now,
        actor="system:referral",
        action="referral.unanswered",
        object_type="case",
        object_id=referral.case_id,
        data={"referral_id": referral.id, "unit": referral.unit_id},
    )
    chain = [
        UnitTarget(id=u["id"], name=u["name"], channel=u["channel"], target=u["target"], secret=u.get("secret"))
        for u in referral.fallbacks
    ]

    text = f"Unit {referral.unit_name} did not acknowledge referral of case #{referral.case_id}"
    case = cases.get_case(session, referral.case_id)
    if chain and case.status in _OPEN:
        onward = refer(
            session,
            case_id=referral.case_id,
            units=chain,
            package=referral.package,
            actor="policy:fallback",
            now=now,
            ack_within=ack_within,
            previous=referral,
        )
        text += f"; sent on to {onward.unit_name}"
    else:
        text += "; no other unit to try: call the emergency line now"
    for user in session.scalars(select(User).where(User.role.in_(["supervisor", "admin"]), User.active)):
        session.add(Notification(user_id=user.id, case_id=referral.case_id, at=now, text=text))
    return [
        ("cases.changed", {"case_ids": [referral.case_id]}),
        ("notifications.new", {"user_ids": [], "case_id": referral.case_id}),
    ]


def for_case(session: Session, case_id: int) -> tuple[list[OrderHold], list[Referral]]:
    holds = list(session.scalars(select(OrderHold).where(OrderHold.case_id == case_id).order_by(OrderHold.id)))
    referrals = list(session.scalars(select(Referral).where(Referral.case_id == case_id).order_by(Referral.id)))
    return holds, referrals
