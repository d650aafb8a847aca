"""The clock can raise a risk on its own: "tonight" said at nine in the morning is more urgent at nine at night.
Fusion says when to look again (``recheck_at``); a durable timer brings the state back then."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from lifeguard.bus.base import CASES_CHANGED
from lifeguard.cases import service as cases
from lifeguard.cases.sla import SlaPolicy
from lifeguard.detection.levels import Level
from lifeguard.risk.models import SubjectRiskRow
from lifeguard.risk.service import RiskEngine
from lifeguard.scheduling import service as timers
from lifeguard.scheduling.models import Timer

RECHECK_TIMER = "risk.recheck"
Event = tuple[str, dict[str, Any]]


def schedule_recheck(
    session: Session, *, platform: str, subject: str, due: datetime, now: datetime, case_id: int | None = None
) -> None:
    """One pending re-check per case: a signal that leaves the time unchanged adds nothing, and one that moves it
    retires the earlier timer (marked fired, ``superseded``) instead of leaving it to fire for nothing."""
    wanted = due.isoformat()
    if case_id is not None:
        for pending in timers.pending_for_case(session, case_id, kind=RECHECK_TIMER):
            if pending.payload.get("due") == wanted and pending.payload.get("subject") == subject:
                return
            pending.fired_at, pending.last_error = now, "superseded"
    timers.schedule(
        session,
        kind=RECHECK_TIMER,
        due_at=due,
        now=now,
        payload={"platform": platform, "subject": subject, "due": wanted},
        case_id=case_id,
    )


def on_recheck_timer(
    session: Session, timer: Timer, now: datetime, *, engine: RiskEngine, sla: SlaPolicy
) -> list[Event]:
    platform, subject = str(timer.payload.get("platform")), str(timer.payload.get("subject"))
    row = session.get(SubjectRiskRow, (platform, subject))
    if row is None or row.recheck_at is None or row.recheck_at.isoformat() != timer.payload.get("due"):
        return []  # stale: the state moved on (a newer signal set a new time to look again, or none)
    fused = engine.recheck(session, platform=platform, subject=subject, now=now)
    if fused is None:
        return []
    case = cases.open_case_for(session, platform=platform, subject=subject)
    if fused.recheck_at is not None:
        schedule_recheck(
            session,
            platform=platform,
            subject=subject,
            due=fused.recheck_at,
            now=now,
            case_id=case.id if case is not None else None,
        )
    if case is None or (fused.priority >= case.priority and fused.level <= Level(case.level)):
        return []
    cases.raise_risk(session, case, level=fused.level, priority=fused.priority, now=now, sla=sla, actor="system:clock")
    case.risk_reasons = fused.to_json()
    case.version += 1
    return [(CASES_CHANGED, {"case_ids": [case.id]})]
