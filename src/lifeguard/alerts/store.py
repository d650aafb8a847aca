"""The storage edge of missing-person alerts: the pure lifecycle decides, this module keeps the result and fans
the CAP messages out to partners through the outbox, all in the caller's transaction.

Partners receive each CAP message as a Standard Webhooks delivery (signed with their ``webhook_secret``) whose
JSON body is ``{"type": "cap", "msg_type", "identifier", "alert_id", "sequence", "cap_xml"}``; the webhook id is
stable per (message, partner), so a resend is a duplicate the partner can drop.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lifeguard.alerts import lifecycle
from lifeguard.alerts.acks import AckLedger, AckResult
from lifeguard.alerts.cap import CapMessage, Issuer, MsgType
from lifeguard.alerts.errors import InvalidAlertInput, UnknownAlert, UnknownMessage
from lifeguard.alerts.lifecycle import AlertState, MissingPersonAlert, Outcome, SentCircle
from lifeguard.alerts.model import AlertContent, Category, ContactUnit, LastSeen, MissingPerson, PhotoRef, Sex
from lifeguard.alerts.models import AlertDelivery, AlertPartner, AlertRow, CapMessageRow, TipRow
from lifeguard.alerts.targeting import TargetIndex, TargetIndexBuilder
from lifeguard.alerts.tips import DuplicateFinder, Tip, TipSubmission, accept_tip
from lifeguard.audit import service as audit
from lifeguard.delivery import service as outbox
from lifeguard.delivery.worker import OUTBOX_ENQUEUED
from lifeguard.errors import Conflict, Forbidden
from lifeguard.partners.models import Partner
from lifeguard.scheduling import service as timers
from lifeguard.scheduling.models import Timer

ISSUER = Issuer(sender="alerts@lifeguard.invalid", identifier_prefix="lifeguard.alerts")
WIDEN_TIMER = "alert.widen"
Event = tuple[str, dict[str, Any]]


# --- content as JSON --------------------------------------------------------------------------------------------


def content_to_json(content: AlertContent) -> dict[str, Any]:
    person, seen, contact = content.person, content.last_seen, content.contact
    return {
        "alert_id": content.alert_id,
        "category": content.category.value,
        "person": {
            "name": person.name,
            "age": person.age,
            "sex": person.sex.value,
            "height_cm": person.height_cm,
            "clothing": person.clothing,
            "distinguishing_marks": list(person.distinguishing_marks),
            "photos": [
                {
                    "uri": p.uri,
                    "mime_type": p.mime_type,
                    "size_bytes": p.size_bytes,
                    "sha1_hex": p.sha1_hex,
                    "description": p.description,
                }
                for p in person.photos
            ],
        },
        "last_seen": {"lat": seen.lat, "lon": seen.lon, "place": seen.place, "at": seen.at.isoformat()},
        "contact": {"name": contact.name, "phone": contact.phone, "email": contact.email},
        "web_url": content.web_url,
        "languages": list(content.languages),
        "abduction_suspected": content.abduction_suspected,
        "parameters": [list(p) for p in content.parameters],
    }


def content_from_json(data: dict[str, Any]) -> AlertContent:
    person, seen, contact = data["person"], data["last_seen"], data["contact"]
    return AlertContent(
        alert_id=data["alert_id"],
        category=Category(data["category"]),
        person=MissingPerson(
            name=person["name"],
            age=person["age"],
            sex=Sex(person["sex"]),
            height_cm=person["height_cm"],
            clothing=person["clothing"],
            distinguishing_marks=tuple(person["distinguishing_marks"]),
            photos=tuple(PhotoRef(**p) for p in person["photos"]),
        ),
        last_seen=LastSeen(
            lat=seen["lat"], lon=seen["lon"], place=seen["place"], at=datetime.fromisoformat(seen["at"])
        ),
        contact=ContactUnit(name=contact["name"], phone=contact["phone"], email=contact["email"]),
        web_url=data["web_url"],
        languages=tuple(data["languages"]),
        abduction_suspected=data["abduction_suspected"],
        parameters=tuple((k, v) for k, v in data["parameters"]),
    )


# --- loading ----------------------------------------------------------------------------------------------------


def get_row(session: Session, public_id: str, *, for_update: bool = False) -> AlertRow:
    stmt = select(AlertRow).where(AlertRow.public_id == public_id)
    if for_update and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = session.scalar(stmt)
    if row is None:
        raise UnknownAlert(f"no alert {public_id!r}")
    return row


def messages_of(session: Session, row: AlertRow) -> list[CapMessageRow]:
    return list(
        session.scalars(select(CapMessageRow).where(CapMessageRow.alert_id == row.id).order_by(CapMessageRow.sequence))
    )


def _recipients(session: Session, row: AlertRow) -> frozenset[str]:
    return frozenset(
        session.scalars(
            select(AlertDelivery.partner_id)
            .join(CapMessageRow, CapMessageRow.id == AlertDelivery.cap_message_id)
            .where(CapMessageRow.alert_id == row.id)
        )
    )


def to_domain(session: Session, row: AlertRow) -> MissingPersonAlert:
    """Rebuild the immutable domain value from the rows, so that the lifecycle can take the next step."""
    content = content_from_json(row.content)
    stored = messages_of(session, row)
    messages = tuple(
        CapMessage(
            identifier=m.identifier,
            sender=ISSUER.sender,
            sent=m.sent_at,
            msg_type=MsgType(m.msg_type),
            alert_id=row.public_id,
            sequence=m.sequence,
            references=(),
            xml=m.xml.encode(),
        )
        for m in stored
    )
    circles: list[SentCircle] = []
    radius: float | None = None
    for m in stored:
        if m.msg_type == MsgType.CANCEL.value:
            continue
        radius = m.radius_km
        circle = SentCircle(content.last_seen.lat, content.last_seen.lon, m.radius_km)
        if circle not in circles:
            circles.append(circle)
    closed = row.status == AlertState.CLOSED.value
    return MissingPersonAlert(
        content=content,
        state=AlertState(row.status),
        created_at=row.created_at,
        published_at=row.published_at,
        closed_at=row.closed_at,
        outcome=Outcome(row.outcome) if row.outcome else None,
        radius_km=radius,
        done_steps=frozenset(row.done_steps),
        messages=messages,
        circles=tuple(circles),
        recipients=_recipients(session, row),
        photos_withdrawn=closed,
        tips_sealed=closed,
    )


# --- coverage and fan-out ---------------------------------------------------------------------------------------


def set_coverage(session: Session, *, partner_id: str, cells: list[str], now: datetime) -> AlertPartner:
    if not cells:
        raise InvalidAlertInput("coverage needs at least one H3 cell")
    if len(cells) > 10_000:
        raise InvalidAlertInput("at most 10,000 cells per partner")
    TargetIndexBuilder().add_partner(partner_id, cells)  # validates every cell (InvalidAlertInput, 400)
    normalised = sorted({c.lower() for c in cells})
    row = session.get(AlertPartner, partner_id)
    if row is None:
        row = AlertPartner(partner_id=partner_id, cells=normalised, updated_at=now)
        session.add(row)
    else:
        row.cells, row.updated_at = normalised, now
    session.flush()
    return row


def target_index(session: Session) -> TargetIndex | None:
    builder = TargetIndexBuilder()
    rows = list(session.scalars(select(AlertPartner).order_by(AlertPartner.partner_id)))
    for row in rows:
        if row.cells:
            builder.add_partner(row.partner_id, row.cells)
    return builder.build() if rows else None


def _partners_in(session: Session, row: AlertRow, radius_km: float) -> frozenset[str]:
    index = target_index(session)
    if index is None:
        return frozenset()
    seen = row.content["last_seen"]
    return index.select(float(seen["lat"]), float(seen["lon"]), radius_km).partner_ids


def _store_message(session: Session, row: AlertRow, message: CapMessage, radius_km: float) -> CapMessageRow:
    stored = CapMessageRow(
        alert_id=row.id,
        sequence=message.sequence,
        msg_type=message.msg_type.value,
        identifier=message.identifier,
        xml=message.xml.decode(),
        radius_km=radius_km,
        sent_at=message.sent,
    )
    session.add(stored)
    row.sequence = message.sequence
    session.flush()
    return stored


def delivery_key(identifier: str, partner_id: str) -> str:
    return "cap-" + hashlib.sha256(f"{identifier}\n{partner_id}".encode()).hexdigest()[:40]


def _deliver(
    session: Session, row: AlertRow, message: CapMessageRow, partner_ids: frozenset[str], now: datetime
) -> list[str]:
    """One outbox delivery per partner with a webhook; idempotent per (message, partner)."""
    sent: list[str] = []
    for partner_id in sorted(partner_ids):
        partner = session.get(Partner, partner_id)
        if partner is None or not partner.webhook_url:
            continue
        exists = session.scalar(
            select(AlertDelivery.id).where(
                AlertDelivery.cap_message_id == message.id, AlertDelivery.partner_id == partner_id
            )
        )
        if exists is not None:
            continue
        key = delivery_key(message.identifier, partner_id)
        outbox.enqueue(
            session,
            channel="webhook",
            target=partner.webhook_url,
            secret=partner.webhook_secret,
            payload={
                "type": "cap",
                "msg_type": message.msg_type,
                "identifier": message.identifier,
                "alert_id": row.public_id,
                "sequence": message.sequence,
                "cap_xml": message.xml,
            },
            idempotency_key=key,
            subject=f"CAP {message.msg_type} {message.identifier}"[:300],
            now=now,
        )
        session.add(AlertDelivery(cap_message_id=message.id, partner_id=partner_id, idempotency_key=key))
        sent.append(partner_id)
    session.flush()
    return sent


def _schedule_next(session: Session, row: AlertRow, alert: MissingPersonAlert, now: datetime) -> None:
    if alert.published_at is None:
        return
    due = alert.schedule.next_step_at(alert.published_at, alert.done_steps)
    if due is not None:
        timers.schedule(session, kind=WIDEN_TIMER, due_at=due, now=now, payload={"alert_id": row.id})


def _apply(row: AlertRow, alert: MissingPersonAlert) -> None:
    row.status = alert.state.value
    row.published_at = alert.published_at
    row.closed_at = alert.closed_at
    row.outcome = alert.outcome.value if alert.outcome else None
    row.done_steps = sorted(alert.done_steps)


# --- lifecycle --------------------------------------------------------------------------------------------------


def publish(
    session: Session,
    *,
    content: AlertContent,
    facts: dict[str, Any],
    actor: str,
    now: datetime,
    unit_id: str | None = None,
) -> tuple[AlertRow, list[str]]:
    """Criteria, CAP Alert, fan-out to partners covering the first circle, and the timer for the next step."""
    if session.scalar(select(AlertRow.id).where(AlertRow.public_id == content.alert_id)) is not None:
        raise Conflict(f"alert {content.alert_id!r} exists already")
    alert, message = lifecycle.publish(lifecycle.new_alert(content, now=now), issuer=ISSUER, facts=facts, now=now)
    assert alert.radius_km is not None
    row = AlertRow(
        public_id=content.alert_id,
        category=content.category.value,
        status=alert.state.value,
        content=content_to_json(content),
        created_by=actor,
        unit_id=unit_id,
        created_at=now,
        done_steps=[],
        sequence=0,
    )
    session.add(row)
    session.flush()
    _apply(row, alert)
    stored = _store_message(session, row, message, alert.radius_km)
    partners = _deliver(session, row, stored, _partners_in(session, row, alert.radius_km), now)
    _schedule_next(session, row, alert, now)
    audit.record(
        session,
        at=now,
        actor=actor,
        action="alert.published",
        object_type="alert",
        object_id=row.public_id,
        data={"identifier": message.identifier, "radius_km": alert.radius_km, "partners": partners},
    )
    return row, partners


def widen(session: Session, row: AlertRow, *, now: datetime) -> list[str]:
    """Due widening steps: one Update at the widest, to partners newly inside and to everyone reached before."""
    alert = to_domain(session, row)
    if not alert.is_open:
        return []
    widened, message = lifecycle.widen(alert, issuer=ISSUER, now=now)
    if message is None:
        _schedule_next(session, row, alert, now)
        return []
    assert widened.radius_km is not None
    _apply(row, widened)
    stored = _store_message(session, row, message, widened.radius_km)
    targets = _partners_in(session, row, widened.radius_km) | alert.recipients
    partners = _deliver(session, row, stored, targets, now)
    _schedule_next(session, row, widened, now)
    audit.record(
        session,
        at=now,
        actor="system:alerts",
        action="alert.widened",
        object_type="alert",
        object_id=row.public_id,
        data={"identifier": message.identifier, "radius_km": widened.radius_km, "partners": partners},
    )
    return partners


def on_widen_timer(session: Session, timer: Timer, now: datetime) -> list[Event]:
    locking = session.get_bind().dialect.name == "postgresql"  # against a close at the same moment
    row = session.get(AlertRow, int(timer.payload.get("alert_id", 0)), with_for_update=locking)
    if row is None or row.status == AlertState.CLOSED.value:
        return []
    return [(OUTBOX_ENQUEUED, {"alert": row.public_id})] if widen(session, row, now=now) else []


def check_unit(row: AlertRow, unit_id: str | None) -> None:
    """Only the unit that published an alert may change it or read its tips (403 for any other unit)."""
    if row.unit_id is not None and row.unit_id != unit_id:
        raise Forbidden(f"alert {row.public_id!r} belongs to another police unit")


def close(
    session: Session,
    *,
    public_id: str,
    outcome: Outcome,
    actor: str,
    now: datetime,
    unit_id: str | None = None,
) -> tuple[AlertRow, list[str]]:
    """Cancel to every partner that got anything; photos withdrawn (the public page and feed stop showing them),
    tips sealed (kept for the police record, no new ones). ``unit_id`` is the caller's unit, checked."""
    row = get_row(session, public_id, for_update=True)
    check_unit(row, unit_id)
    closure = lifecycle.close(to_domain(session, row), issuer=ISSUER, outcome=outcome, now=now)
    _apply(row, closure.alert)
    partners: list[str] = []
    if closure.cancel is not None:
        stored = _store_message(session, row, closure.cancel, closure.alert.radius_km or 0.0)
        partners = _deliver(session, row, stored, closure.cancel_partners, now)
    session.execute(update(TipRow).where(TipRow.alert_id == row.id).values(sealed=True))
    audit.record(
        session,
        at=now,
        actor=actor,
        action="alert.closed",
        object_type="alert",
        object_id=row.public_id,
        data={"outcome": outcome.value, "partners": partners},
    )
    return row, partners


# --- acknowledgements -------------------------------------------------------------------------------------------


def acknowledge(session: Session, *, identifier: str, partner_id: str, reached: int | None, now: datetime) -> AckResult:
    """AckLedger semantics over the stored deliveries: once, duplicates answered as before, stale refused (409)."""
    message = session.scalar(select(CapMessageRow).where(CapMessageRow.identifier == identifier))
    if message is None:
        raise UnknownMessage(f"message {identifier!r} was never sent to partner {partner_id!r}")
    rows: list[tuple[AlertDelivery, CapMessageRow]] = [
        (delivery, sent)
        for delivery, sent in session.execute(
            select(AlertDelivery, CapMessageRow)
            .join(CapMessageRow, CapMessageRow.id == AlertDelivery.cap_message_id)
            .where(CapMessageRow.alert_id == message.alert_id, AlertDelivery.partner_id == partner_id)
            .order_by(CapMessageRow.sequence)
        )
    ]
    ledger = AckLedger()
    alert_key = str(message.alert_id)
    for _, sent in rows:
        ledger.record_sent(partner_id, sent.identifier, alert_key, sent.sequence)
    for delivery, sent in rows:
        if delivery.acknowledged_at is not None:
            ledger.acknowledge(partner_id, sent.identifier)
    result = ledger.acknowledge(partner_id, identifier)
    if result is AckResult.ACCEPTED:
        delivery = next(d for d, sent in rows if sent.id == message.id)
        delivery.acknowledged_at, delivery.reached = now, reached
    return result


# --- tips -------------------------------------------------------------------------------------------------------


def _as_tip(row: TipRow, public_id: str) -> Tip:
    return Tip(
        tip_id=str(row.id),
        alert_id=public_id,
        source_id=row.source_hash,
        text=row.text,
        had_links=row.had_links,
        received_at=row.received_at,
        lat=row.lat,
        lon=row.lon,
        seen_at=row.seen_at,
    )


def add_tip(session: Session, *, public_id: str, submission: TipSubmission) -> tuple[TipRow, bool]:
    """Clean, check and keep a tip; returns (the stored tip or its original, whether it was a duplicate)."""
    row = get_row(session, public_id)
    if row.status == AlertState.CLOSED.value:
        raise Conflict(f"alert {public_id!r} has ended; it takes no more tips")
    tip = accept_tip(submission, tip_id="new")
    finder = DuplicateFinder()
    earlier = list(session.scalars(select(TipRow).where(TipRow.alert_id == row.id).order_by(TipRow.id)))
    by_id = {str(t.id): t for t in earlier}
    for stored in earlier:
        finder.add(_as_tip(stored, public_id))
    original = finder.original_of(tip)
    if original is not None:
        return by_id[original.tip_id], True
    stored = TipRow(
        alert_id=row.id,
        text=tip.text,
        had_links=tip.had_links,
        lat=tip.lat,
        lon=tip.lon,
        seen_at=tip.seen_at,
        received_at=tip.received_at,
        source_hash=tip.source_id[:64],
        sealed=False,
    )
    session.add(stored)
    session.flush()
    return stored, False
