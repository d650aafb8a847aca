"""Messages to the person, through the platform's own messaging: drafted from a reviewed template in their
language with their region's hotlines, edited by a person, checked against safe-messaging rules, then sent.
A message that fails the check is not sent, and the person sending is told why."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifeguard.actions import safe_messaging, templates
from lifeguard.audit import service as audit
from lifeguard.cases import service as cases
from lifeguard.cases.models import Case, CaseEvent
from lifeguard.cases.transitions import OPEN_STATUSES, Status
from lifeguard.delivery import service as outbox
from lifeguard.delivery.models import OutboxMessage
from lifeguard.errors import BadRequest, Conflict
from lifeguard.interventions import follow_ups
from lifeguard.partners.models import Partner
from lifeguard.signals.models import Signal

MAX_CHARS = 2000


@dataclass(frozen=True)
class Draft:
    text: str
    lang: str
    region: str | None
    hotlines: tuple[str, ...]


def region_of(session: Session, case: Case) -> str | None:
    """ISO country (and subdivision where known) from what the signals carried: IN-UP, CN, ..."""
    for location, locale in session.execute(
        select(Signal.location, Signal.locale).where(Signal.case_id == case.id).order_by(Signal.occurred_at.desc())
    ):
        code = (location or {}).get("admin_code") or ""
        if code[:2].isalpha() and "-" in code:
            return "-".join(code.split("-")[:2]).upper()
        if code.isdigit() and len(code) == 6:
            return "CN"  # a GB/T 2260 code
        if locale and "-" in locale:
            return locale.split("-")[-1].upper()
    return None


def due_check_in(session: Session, *, case: Case, now: datetime) -> int | None:
    """The day of the latest check-in due on a resolved case (1, 3, 7, 30, 90), if any."""
    if case.status != Status.RESOLVED.value:
        return None
    due = [f.day for f in follow_ups.for_case(session, case.id) if f.status == "due" and f.due_at <= now]
    return due[-1] if due else None


def draft(session: Session, *, case: Case, agent_name: str, now: datetime) -> Draft:
    """The first-contact message for an open case; on a resolved case, the check-in that is due."""
    region = region_of(session, case)
    partner = session.get(Partner, case.platform)
    day = due_check_in(session, case=case, now=now)
    rendered = templates.render(
        f"follow_up.day_{day}" if day else "outreach.first_contact",
        lang=case.language,
        channel="in_app",
        region=region,
        values={"agent_name": agent_name[:80], "platform_name": (partner.name if partner else case.platform)[:80]},
    )
    return Draft(text=rendered.text, lang=rendered.lang, region=region, hotlines=rendered.hotline_ids)


def send(session: Session, *, case_id: int, text: str, actor: str, now: datetime) -> OutboxMessage:
    case = cases.get_case(session, case_id)
    if case.status not in {s.value for s in OPEN_STATUSES} and due_check_in(session, case=case, now=now) is None:
        raise Conflict(f"case {case_id} is {case.status}; messages go out on open cases, or when a check-in is due")
    body = text.strip()
    if not body or len(body) > MAX_CHARS:
        raise BadRequest(f"a message has 1 to {MAX_CHARS} characters")
    region = region_of(session, case)
    report = safe_messaging.check(body, lang=case.language, region=region, require_help=True)
    if not report.ok:
        raise BadRequest(f"not sent — the safe-messaging check found: {report.reason}")
    partner = session.get(Partner, case.platform)
    if partner is None or not partner.webhook_url:
        raise Conflict(f"platform {case.platform} has no messaging webhook: send it in their agent tool and note it")
    digest = hashlib.sha256(body.encode()).hexdigest()[:16]
    message = outbox.enqueue(
        session,
        channel="webhook",
        target=partner.webhook_url,
        secret=partner.webhook_secret,
        case_id=case.id,
        idempotency_key=f"outreach:{case.id}:{digest}",
        now=now,
        payload={"type": "outreach.message", "subject": case.subject, "case_ref": f"LG-{case.id}", "text": body},
    )
    session.add(
        CaseEvent(
            case_id=case.id,
            at=now,
            kind="action",
            actor=actor,
            signal_id=None,
            body={"action": "outreach_sent", "text": body, "region": region},
        )
    )
    case.version += 1
    case.updated_at = now
    audit.record(
        session,
        at=now,
        actor=actor,
        action="outreach.sent",
        object_type="case",
        object_id=case.id,
        data={"chars": len(body), "region": region, "outbox_id": message.id},
    )
    return message


def data_shared_notice(session: Session, *, case: Case, referral_unit: str, shared_on: datetime) -> Draft:
    """After an emergency referral: the notice that the person's data was shared, drafted for a person to review
    (notice duties differ by country; the template is marked for legal review) and send through the platform."""
    region = region_of(session, case)
    partner = session.get(Partner, case.platform)
    rendered = templates.render(
        "notice.data_shared",
        lang=case.language,
        channel="in_app",
        region=region,
        values={
            "platform_name": (partner.name if partner else case.platform)[:80],
            "recipient": referral_unit[:80],
            "shared_on": shared_on.date().isoformat(),
        },
    )
    return Draft(text=rendered.text, lang=rendered.lang, region=region, hotlines=rendered.hotline_ids)
