"""SLA checks and escalation, in the manner of Grafana OnCall: snapshot the policy when an escalation starts,
lock the row, let a token make stale or duplicate timers do nothing, run one step, schedule the next, and
log every step. Steps are a table from type to handler; a step that finds nobody logs why and moves on."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifeguard.audit import service as audit
from lifeguard.auth.models import User
from lifeguard.bus.base import CASES_CHANGED
from lifeguard.cases.escalation_models import Escalation, EscalationLog
from lifeguard.cases.models import Case
from lifeguard.cases.sla import SlaPolicy
from lifeguard.cases.transitions import OPEN_STATUSES
from lifeguard.oncall import service as oncall
from lifeguard.scheduling import service as timers
from lifeguard.scheduling.models import Timer

SLA_TIMER = "case.sla"
STEP_TIMER = "escalation.step"
Event = tuple[str, dict[str, Any]]
_OPEN = {s.value for s in OPEN_STATUSES}


def schedule_sla_check(session: Session, *, case: Case, now: datetime) -> None:
    timers.schedule(
        session,
        kind=SLA_TIMER,
        due_at=case.ack_due_at,
        now=now,
        case_id=case.id,
        payload={"due": case.ack_due_at.isoformat()},
    )


def _locked(session: Session, model: type, key: int) -> Any:
    return session.get(model, key, with_for_update=session.get_bind().dialect.name == "postgresql")


def on_sla_timer(session: Session, timer: Timer, now: datetime, *, policy: SlaPolicy) -> list[Event]:
    case: Case | None = _locked(session, Case, timer.case_id or 0)
    if case is None or case.acknowledged_at is not None or case.status not in _OPEN:
        return []
    if timer.payload.get("due") != case.ack_due_at.isoformat() or now < case.ack_due_at:
        return []  # the deadline moved (priority rose); the timer for the new one does the work
    if session.scalar(select(Escalation.id).where(Escalation.case_id == case.id, Escalation.status == "active")):
        return []
    escalation = Escalation(
        case_id=case.id,
        started_at=now,
        policy=policy.snapshot(),
        next_step=0,
        token=secrets.token_hex(8),
        status="active",
    )
    session.add(escalation)
    session.flush()
    audit.record(
        session,
        at=now,
        actor="system:sla",
        action="case.sla_missed",
        object_type="case",
        object_id=case.id,
        data={"priority": case.priority, "due": case.ack_due_at.isoformat(), "escalation_id": escalation.id},
    )
    return _run_step(session, escalation, case, now)


def on_step_timer(session: Session, timer: Timer, now: datetime) -> list[Event]:
    escalation: Escalation | None = _locked(session, Escalation, int(timer.payload.get("escalation_id", 0)))
    if (
        escalation is None
        or escalation.status != "active"
        or escalation.token != timer.payload.get("token")
        or escalation.next_step != timer.payload.get("step")
    ):
        return []  # stale or duplicate: the escalation moved on, stopped, or was restarted
    case = session.get(Case, escalation.case_id)
    if case is None or case.acknowledged_at is not None or case.status not in _OPEN:
        stop(session, case_id=escalation.case_id, now=now, reason="acknowledged")
        return []
    return _run_step(session, escalation, case, now)


def stop(session: Session, *, case_id: int, now: datetime, reason: str) -> None:
    for escalation in session.scalars(
        select(Escalation).where(Escalation.case_id == case_id, Escalation.status == "active")
    ):
        escalation.status = "stopped"
        escalation.stopped_at = now
        escalation.stop_reason = reason


@dataclass
class StepResult:
    code: str
    pages: list[oncall.Page] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)


def _run_step(session: Session, escalation: Escalation, case: Case, now: datetime) -> list[Event]:
    steps = escalation.policy["steps"]
    index = escalation.next_step
    step = steps[index]
    handler = STEP_HANDLERS.get(step["type"])
    if handler is None:
        result = StepResult(code="unknown_step_type", detail={"type": step["type"]})
    else:
        text = f"P{case.priority} case #{case.id} not acknowledged in time ({case.level})"
        result = handler(session, case, now, text, f"{escalation.id}:{index}")
    session.add(
        EscalationLog(
            escalation_id=escalation.id,
            case_id=case.id,
            step=index,
            step_type=step["type"],
            at=now,
            code=result.code,
            detail={
                **result.detail,
                "paged": [{"user": p.username, "channels": list(p.channels)} for p in result.pages],
            },
        )
    )
    audit.record(
        session,
        at=now,
        actor="system:escalation",
        action="case.escalation_step",
        object_type="case",
        object_id=case.id,
        data={"step": index, "type": step["type"], "code": result.code, "paged": [p.username for p in result.pages]},
    )
    escalation.next_step = index + 1
    if escalation.next_step < len(steps):
        wait = timedelta(seconds=int(steps[escalation.next_step]["wait_seconds"]))
        timers.schedule(
            session,
            kind=STEP_TIMER,
            due_at=now + wait,
            now=now,
            case_id=case.id,
            payload={"escalation_id": escalation.id, "step": escalation.next_step, "token": escalation.token},
        )
    else:
        escalation.status = "exhausted"
        escalation.stopped_at = now
        escalation.stop_reason = "no more steps"
    events: list[Event] = [(CASES_CHANGED, {"case_ids": [case.id]})]
    if result.pages:
        events.append((oncall.NOTIFICATIONS, {"user_ids": [p.user_id for p in result.pages], "case_id": case.id}))
    return events


StepHandler = Callable[[Session, Case, datetime, str, str], StepResult]


def _page_all(session: Session, users: list[User], case: Case, now: datetime, text: str, key: str) -> list[oncall.Page]:
    return [oncall.page(session, user=u, case_id=case.id, text=text, now=now, key=f"{key}:{u.id}") for u in users]


def _on_call(session: Session, case: Case, now: datetime, text: str, key: str) -> StepResult:
    team = oncall.team_for(session, language=case.language, now=now)
    if team is None:
        return StepResult(code="no_team", detail={"language": case.language})
    person = oncall.on_call(session, team=team, now=now)
    if person is None:
        return StepResult(code="no_on_call", detail={"team": team.name})
    return StepResult(
        code="paged", pages=_page_all(session, [person], case, now, text, key), detail={"team": team.name}
    )


def _supervisors(session: Session, case: Case, now: datetime, text: str, key: str) -> StepResult:
    team = oncall.team_for(session, language=case.language, now=now)
    people = oncall.supervisors(session, team=team) if team else []
    if not people:
        return StepResult(code="no_supervisor", detail={"team": team.name if team else None})
    return StepResult(
        code="paged",
        pages=_page_all(session, people, case, now, text, key),
        detail={"team": team.name if team else None},
    )


def _all_seniors(session: Session, case: Case, now: datetime, text: str, key: str) -> StepResult:
    people = list(
        session.scalars(select(User).where(User.role.in_(["supervisor", "admin"]), User.active).order_by(User.id))
    )
    if not people:
        return StepResult(code="nobody_to_page")
    return StepResult(code="paged", pages=_page_all(session, people, case, now, text, key))


STEP_HANDLERS: dict[str, StepHandler] = {
    "on_call": _on_call,
    "supervisors": _supervisors,
    "all_seniors": _all_seniors,
}


def log_for(session: Session, case_id: int) -> list[EscalationLog]:
    return list(
        session.scalars(select(EscalationLog).where(EscalationLog.case_id == case_id).order_by(EscalationLog.id))
    )
