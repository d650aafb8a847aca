"""The storage edge of missing-person alerts: the pure lifecycle decides, this module keeps the result and fans
the CAP messages out to partners through the outbox, all in the caller's transaction.

Partners receive each CAP message as a Standard Webhooks delivery (signed with their ``webhook_secret``) whose
JSON body is ``{"type": "cap", "msg_type", "identifier", "alert_id", "sequence", "cap_xml"}``; the webhook id is
stable per (message, partner), so a resend is a duplicate the partner can drop.

People who opted in (``subscribers``) get one e-mail per message of each step (publish, widen, revise, close), in
their language, through the same outbox; a refresh, which only renews the message's expiry at partners, is not
mailed. Who gets a step is ``lifecycle.plan_delivery`` over the target index (partners' cells and subscribers'
points): partners covering the current circle plus every partner reached before; subscribers inside any circle
the alert went out with. A Cancel goes to every partner and subscriber that got anything.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lifeguard.alerts import lifecycle, subscribers
from lifeguard.alerts.acks import AckLedger, AckResult
from lifeguard.alerts.cap import CapMessage, Issuer, MsgType
from lifeguard.alerts.errors import InvalidAlertInput, InvalidAlertTransition, UnknownAlert, UnknownMessage
from lifeguard.alerts.lifecycle import AlertState, MissingPersonAlert, Outcome, SentCircle
from lifeguard.alerts.model import AlertContent, Category, ContactUnit, LastSeen, MissingPerson, PhotoRef, Sex
from lifeguard.alerts.models import AlertDelivery, AlertPartner, AlertRow, CapMessageRow, TipPhoto, TipRow
from lifeguard.alerts.photos import PhotoInfo
from lifeguard.alerts.targeting import TargetIndex, TargetIndexBuilder
from lifeguard.alerts.tips import DuplicateFinder, Tip, TipSubmission, accept_tip
from lifeguard.audit import service as audit
from lifeguard.delivery import service as outbox
from lifeguard.delivery.worker import OUTBOX_ENQUEUED
from lifeguard.errors import Conflict, Forbidden, NotFound
from lifeguard.partners.models import Partner
from lifeguard.scheduling import service as timers
from lifeguard.scheduling.models import Timer

ISSUER = Issuer(sender="alerts@lifeguard.invalid", identifier_prefix="lifeguard.alerts")
WIDEN_TIMER = "alert.widen"
REFRESH_TIMER = "alert.refresh"
# Partners drop a message at its <expires> (sent + ISSUER.validity, 24 h): the current content goes out again as
# an Update this long before, so a still-open alert never lapses on their screens.
REFRESH_MARGIN: Final = timedelta(hours=2)
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
        # Each message's own centre (a revision may have moved the last known place); rows from before
        # migration 0003 have none, and were all sent at the alert's one place.
        lat = m.centre_lat if m.centre_lat is not None else content.last_seen.lat
        lon = m.centre_lon if m.centre_lon is not None else content.last_seen.lon
        circle = SentCircle(lat, lon, m.radius_km)
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
    subscribers.changed(session, now=now)  # every process's target index is rebuilt on its next fan-out
    session.flush()
    return row


def target_index(session: Session) -> TargetIndex:
    """Partners' H3 cells and confirmed subscribers' points (cached per process; see ``subscribers``)."""
    return subscribers.target_index(session)


def _partners_in(session: Session, row: AlertRow, radius_km: float) -> frozenset[str]:
    seen = row.content["last_seen"]
    return target_index(session).select(float(seen["lat"]), float(seen["lon"]), radius_km).partner_ids


def _store_message(session: Session, row: AlertRow, message: CapMessage, radius_km: float) -> CapMessageRow:
    stored = CapMessageRow(
        alert_id=row.id,
        sequence=message.sequence,
        msg_type=message.msg_type.value,
        identifier=message.identifier,
        xml=message.xml.decode(),
        radius_km=radius_km,
        sent_at=message.sent,
        centre_lat=float(row.content["last_seen"]["lat"]),
        centre_lon=float(row.content["last_seen"]["lon"]),
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


def _schedule_refresh(session: Session, row: AlertRow, message: CapMessage, now: datetime) -> None:
    """After every describing message: a timer for just before it expires at partners. A later message makes
    this timer's check (``lifecycle.refresh_due``) come out false, and schedules its own."""
    due = message.sent + ISSUER.validity - REFRESH_MARGIN
    timers.schedule(
        session, kind=REFRESH_TIMER, due_at=due, now=now, payload={"alert_id": row.id, "after": message.identifier}
    )


def _fan_out(
    session: Session, row: AlertRow, alert: MissingPersonAlert, stored: CapMessageRow, *, kind: str, now: datetime
) -> tuple[list[str], int]:
    """``lifecycle.plan_delivery`` over the target index: partners (webhooks) and, unless a refresh, subscribers
    (e-mails). Returns the partners sent to and how many e-mails were queued."""
    plan = lifecycle.plan_delivery(alert, target_index(session))
    partners = _deliver(session, row, stored, plan.partner_ids, now)
    mailed = 0
    if kind != "refreshed":
        mailed = subscribers.mail_step(
            session, content=alert.content, message=stored, subscriber_ids=plan.subscriber_ids, kind=kind, now=now
        )
    return partners, mailed


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
    _, partners, mailed = _send(session, row, alert, message, kind="published", now=now)
    _schedule_next(session, row, alert, now)
    audit.record(
        session,
        at=now,
        actor=actor,
        action="alert.published",
        object_type="alert",
        object_id=row.public_id,
        data={
            "identifier": message.identifier,
            "radius_km": alert.radius_km,
            "partners": partners,
            "subscribers": mailed,
        },
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
    _, partners, mailed = _send(session, row, widened, message, kind="widened", now=now)
    _schedule_next(session, row, widened, now)
    audit.record(
        session,
        at=now,
        actor="system:alerts",
        action="alert.widened",
        object_type="alert",
        object_id=row.public_id,
        data={
            "identifier": message.identifier,
            "radius_km": widened.radius_km,
            "partners": partners,
            "subscribers": mailed,
        },
    )
    return partners


def _open_row_of(session: Session, timer: Timer) -> AlertRow | None:
    """The timer's alert, locked on PostgreSQL against a close at the same moment; None once closed or gone."""
    locking = session.get_bind().dialect.name == "postgresql"
    row = session.get(AlertRow, int(timer.payload.get("alert_id", 0)), with_for_update=locking)
    return None if row is None or row.status == AlertState.CLOSED.value else row


def on_widen_timer(session: Session, timer: Timer, now: datetime) -> list[Event]:
    row = _open_row_of(session, timer)
    if row is None:
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
    mailed = 0
    if closure.cancel is not None:
        reached = subscribers.mailed_before(session, row)
        stored = _store_message(session, row, closure.cancel, closure.alert.radius_km or 0.0)
        partners = _deliver(session, row, stored, closure.cancel_partners, now)
        mailed = subscribers.mail_step(
            session, content=closure.alert.content, message=stored, subscriber_ids=reached, kind="closed", now=now
        )
    session.execute(update(TipRow).where(TipRow.alert_id == row.id).values(sealed=True))
    audit.record(
        session,
        at=now,
        actor=actor,
        action="alert.closed",
        object_type="alert",
        object_id=row.public_id,
        data={"outcome": outcome.value, "partners": partners, "subscribers": mailed},
    )
    return row, partners


PERSON_FIELDS: Final = frozenset({"name", "age", "sex", "height_cm", "clothing", "distinguishing_marks", "photos"})


def revised_content(
    content: AlertContent,
    *,
    person: dict[str, Any] | None = None,
    last_seen: LastSeen | None = None,
    contact: ContactUnit | None = None,
) -> AlertContent:
    """The alert's content with new facts: person fields (``PERSON_FIELDS``), a confirmed sighting that moves the
    last known place and time, or the contact. The domain values check themselves (InvalidAlertInput, 400)."""
    person = dict(person or {})
    unknown = set(person) - PERSON_FIELDS
    if unknown:
        raise InvalidAlertInput(
            f"cannot revise {', '.join(sorted(unknown))}; revisable: {', '.join(sorted(PERSON_FIELDS))}"
        )
    if "distinguishing_marks" in person:
        person["distinguishing_marks"] = tuple(person["distinguishing_marks"])
    if "photos" in person:
        person["photos"] = tuple(person["photos"])
    return replace(
        content,
        person=replace(content.person, **person) if person else content.person,
        last_seen=last_seen or content.last_seen,
        contact=contact or content.contact,
    )


def _open_for_change(session: Session, public_id: str, unit_id: str | None) -> tuple[AlertRow, MissingPersonAlert]:
    row = get_row(session, public_id, for_update=True)
    check_unit(row, unit_id)
    alert = to_domain(session, row)
    if not alert.is_open:
        raise InvalidAlertTransition(f"alert {public_id!r} is {alert.state.value}; only an open alert is revised")
    return row, alert


def _restate(
    session: Session,
    row: AlertRow,
    alert: MissingPersonAlert,
    *,
    content: AlertContent,
    note: str,
    kind: str,
    now: datetime,
) -> tuple[CapMessageRow, list[str], int]:
    revised, message = lifecycle.revise(alert, issuer=ISSUER, now=now, content=content, note=note)
    row.content = content_to_json(content)
    return _send(session, row, revised, message, kind=kind, now=now)


def _send(
    session: Session, row: AlertRow, alert: MissingPersonAlert, message: CapMessage, *, kind: str, now: datetime
) -> tuple[CapMessageRow, list[str], int]:
    """One describing step (Alert or Update): keep the new state and the message, deliver it to the partners and
    subscribers it is for, and set the refresh timer; returns (message row, partners, e-mails queued)."""
    assert alert.radius_km is not None
    _apply(row, alert)
    stored = _store_message(session, row, message, alert.radius_km)
    partners, mailed = _fan_out(session, row, alert, stored, kind=kind, now=now)
    _schedule_refresh(session, row, message, now)
    return stored, partners, mailed


def revise(
    session: Session,
    *,
    public_id: str,
    content: AlertContent | None = None,
    person: dict[str, Any] | None = None,
    last_seen: LastSeen | None = None,
    contact: ContactUnit | None = None,
    note: str | None = None,
    actor: str,
    now: datetime,
    unit_id: str | None = None,
) -> tuple[AlertRow, CapMessageRow, list[str], int]:
    """New facts as a CAP Update (same radius; a moved last known place moves the circle), to every partner that
    got earlier messages plus those covering the current circle, and by e-mail to subscribers inside any circle
    the alert went out with. Only the publishing unit (403), only while open (409). Returns (row, message,
    partners, e-mails queued)."""
    row, alert = _open_for_change(session, public_id, unit_id)
    if content is None:
        content = revised_content(alert.content, person=person, last_seen=last_seen, contact=contact)
    if content == alert.content:
        raise InvalidAlertInput("nothing to revise: the new facts are the same as the alert's (a refresh is /refresh)")
    changed = sorted(
        [k for k in PERSON_FIELDS if getattr(content.person, k) != getattr(alert.content.person, k)]
        + [k for k in ("last_seen", "contact") if getattr(content, k) != getattr(alert.content, k)]
    )
    text = note or "Revised by the police: " + ", ".join(changed).replace("_", " ") + "."
    stored, partners, mailed = _restate(session, row, alert, content=content, note=text[:500], kind="revised", now=now)
    audit.record(
        session,
        at=now,
        actor=actor,
        action="alert.revised",
        object_type="alert",
        object_id=row.public_id,
        data={"identifier": stored.identifier, "changed": changed, "partners": partners, "subscribers": mailed},
    )
    return row, stored, partners, mailed


REFRESH_NOTE: Final = "Still active: restated so that it does not expire."


def refresh(
    session: Session, *, public_id: str, actor: str, now: datetime, unit_id: str | None = None
) -> tuple[AlertRow, CapMessageRow, list[str]]:
    """The current content again as an Update, to renew its expiry at partners (not e-mailed: nothing is new)."""
    row, alert = _open_for_change(session, public_id, unit_id)
    stored, partners = _refresh_row(session, row, alert, actor=actor, now=now)
    return row, stored, partners


def _refresh_row(
    session: Session, row: AlertRow, alert: MissingPersonAlert, *, actor: str, now: datetime
) -> tuple[CapMessageRow, list[str]]:
    stored, partners, _ = _restate(
        session, row, alert, content=alert.content, note=REFRESH_NOTE, kind="refreshed", now=now
    )
    audit.record(
        session,
        at=now,
        actor=actor,
        action="alert.refreshed",
        object_type="alert",
        object_id=row.public_id,
        data={"identifier": stored.identifier, "partners": partners},
    )
    return stored, partners


def on_refresh_timer(session: Session, timer: Timer, now: datetime) -> list[Event]:
    """Refresh when ``lifecycle.refresh_due`` says the last message is about to expire; a timer outrun by a later
    message (a widening, a revision, a refresh) finds nothing due and does nothing."""
    row = _open_row_of(session, timer)
    if row is None:
        return []
    alert = to_domain(session, row)
    if not lifecycle.refresh_due(alert, issuer=ISSUER, now=now, margin=REFRESH_MARGIN):
        return []
    _refresh_row(session, row, alert, actor="system:alerts", now=now)
    return [(OUTBOX_ENQUEUED, {"alert": row.public_id})]


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


def as_tip(row: TipRow, public_id: str, tip_id: str | None = None) -> Tip:
    """The domain's view of a stored tip (``tip_id`` defaults to the row id as text)."""
    return Tip(
        tip_id=tip_id if tip_id is not None else str(row.id),
        alert_id=public_id,
        source_id=row.source_hash,
        text=row.text,
        had_links=row.had_links,
        received_at=row.received_at,
        lat=row.lat,
        lon=row.lon,
        place_text=row.place_text,
        seen_at=row.seen_at,
    )


def add_tip(
    session: Session,
    *,
    public_id: str,
    submission: TipSubmission,
    photo: tuple[PhotoInfo, bytes] | None = None,
) -> tuple[TipRow, bool]:
    """Clean, check and keep a tip, with its photo if one came (already through ``photos.check_photo``); returns
    (the stored tip or its original, whether it was a duplicate). A duplicate's photo joins the original when
    the original has none; otherwise it is not kept."""
    row = get_row(session, public_id)
    if row.status == AlertState.CLOSED.value:
        raise Conflict(f"alert {public_id!r} has ended; it takes no more tips")
    if photo is not None:
        submission = replace(submission, photo_ref=photo[0].sha256_hex)
    tip = accept_tip(submission, tip_id="new")
    finder = DuplicateFinder()
    earlier = list(session.scalars(select(TipRow).where(TipRow.alert_id == row.id).order_by(TipRow.id)))
    by_id = {str(t.id): t for t in earlier}
    for stored in earlier:
        finder.add(as_tip(stored, public_id))
    original = finder.original_of(tip)
    if original is not None:
        kept = by_id[original.tip_id]
        if photo is not None and session.scalar(select(TipPhoto.id).where(TipPhoto.tip_id == kept.id)) is None:
            _keep_photo(session, kept, photo, submission.received_at)
        return kept, True
    stored = TipRow(
        alert_id=row.id,
        text=tip.text,
        had_links=tip.had_links,
        lat=tip.lat,
        lon=tip.lon,
        seen_at=tip.seen_at,
        received_at=tip.received_at,
        place_text=tip.place_text,
        source_hash=tip.source_id[:64],
        sealed=False,
    )
    session.add(stored)
    session.flush()
    if photo is not None:
        _keep_photo(session, stored, photo, submission.received_at)
    return stored, False


def _keep_photo(session: Session, tip: TipRow, photo: tuple[PhotoInfo, bytes], now: datetime) -> TipPhoto:
    info, data = photo
    kept = TipPhoto(
        tip_id=tip.id,
        sha256=info.sha256_hex,
        mime_type=info.mime_type,
        size_bytes=info.size_bytes,
        width=info.width,
        height=info.height,
        data=data,
        received_at=now,
    )
    session.add(kept)
    session.flush()
    return kept


def tip_photo(session: Session, tip_id: int) -> tuple[str, bytes]:
    """The photo sent with a tip, as (MIME type, bytes), for the console's tip queue. It carries no permission
    check of its own: serve it only to a logged-in officer of the unit that published the tip's alert
    (``check_unit`` on the alert of ``TipRow.alert_id``), with ``Content-Type`` set to the MIME type and
    ``Content-Disposition: inline`` and ``X-Content-Type-Options: nosniff``. Raises NotFound (404) when the tip
    has no photo."""
    photo = session.scalar(select(TipPhoto).where(TipPhoto.tip_id == tip_id))
    if photo is None:
        raise NotFound(f"tip {tip_id} has no photo")
    return photo.mime_type, photo.data
