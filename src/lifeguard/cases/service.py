"""Cases: open one when a person's risk reaches the case floor, attach later signals, work it to an outcome.

Services never commit: the caller's unit of work does. Every change writes a timeline event and an audit record
in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifeguard.audit import service as audit
from lifeguard.cases.models import Case, CaseEvent
from lifeguard.cases.transitions import OPEN_STATUSES, PRIORITY_BY_LEVEL, Outcome, Status, can_move
from lifeguard.detection.levels import Level
from lifeguard.errors import BadRequest, Conflict, InvalidTransition, NotFound
from lifeguard.signals.models import Signal

MAX_NOTE_CHARS = 5000
_OPEN = [status.value for status in OPEN_STATUSES]


def open_case_for(session: Session, *, platform: str, subject: str) -> Case | None:
    return session.scalar(
        select(Case).where(Case.platform == platform, Case.subject == subject, Case.status.in_(_OPEN))
    )


def on_signal(session: Session, *, signal: Signal, level: Level, case_floor: Level, now: datetime) -> Case | None:
    """Attach a stored signal to its subject's open case, or open one if the level reaches the floor."""
    case = open_case_for(session, platform=signal.platform, subject=signal.subject)
    if case is None:
        if level < case_floor:
            return None
        case = Case(
            platform=signal.platform,
            subject=signal.subject,
            status=Status.OPEN.value,
            priority=PRIORITY_BY_LEVEL[level],
            level=level.value,
            opened_at=now,
            updated_at=now,
            last_signal_at=signal.occurred_at,
            signal_count=0,
            version=1,
        )
        session.add(case)
        session.flush()
        _event(
            session,
            case,
            now=now,
            kind="opened",
            actor="system:detection",
            body={"level": level.value, "priority": case.priority},
        )
        audit.record(
            session,
            at=now,
            actor="system:detection",
            action="case.opened",
            object_type="case",
            object_id=case.id,
            data={"level": level.value, "priority": case.priority, "signal_id": signal.id},
        )
    signal.case_id = case.id
    case.signal_count += 1
    case.last_signal_at = max(case.last_signal_at, signal.occurred_at)
    _event(
        session,
        case,
        now=now,
        kind="signal",
        actor="system:detection",
        signal_id=signal.id,
        body={"level": level.value},
    )
    if level > Level(case.level):
        _raise_level(session, case, level=level, now=now)
    case.updated_at = now
    case.version += 1
    return case


def _raise_level(session: Session, case: Case, *, level: Level, now: datetime) -> None:
    before = {"level": case.level, "priority": case.priority}
    case.level = level.value
    case.priority = min(case.priority, PRIORITY_BY_LEVEL[level])
    after = {"level": case.level, "priority": case.priority}
    _event(session, case, now=now, kind="priority", actor="system:detection", body={"before": before, "after": after})
    audit.record(
        session,
        at=now,
        actor="system:detection",
        action="case.escalated",
        object_type="case",
        object_id=case.id,
        data={"before": before, "after": after},
    )


@dataclass(frozen=True)
class QueuePage:
    cases: list[Case]
    total: int


def queue(session: Session, *, limit: int = 100, offset: int = 0, platform: str | None = None) -> QueuePage:
    """Open cases, highest priority first, then the longest waiting."""
    base = select(Case).where(Case.status.in_(_OPEN))
    if platform is not None:
        base = base.where(Case.platform == platform)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = session.scalars(base.order_by(Case.priority, Case.opened_at, Case.id).limit(limit).offset(offset)).all()
    return QueuePage(cases=list(rows), total=total)


def get_case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"case {case_id} does not exist")
    return case


@dataclass(frozen=True)
class TimelineEntry:
    event: CaseEvent
    signal: Signal | None


def timeline(session: Session, case_id: int) -> list[TimelineEntry]:
    rows = session.execute(
        select(CaseEvent, Signal)
        .outerjoin(Signal, Signal.id == CaseEvent.signal_id)
        .where(CaseEvent.case_id == case_id)
        .order_by(CaseEvent.at, CaseEvent.id)
    ).all()
    return [TimelineEntry(event=row[0], signal=row[1]) for row in rows]


def _check_version(case: Case, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != case.version:
        raise Conflict(
            f"case {case.id} changed since you loaded it (version {expected_version}, now {case.version}); "
            "reload and try again"
        )


def add_note(
    session: Session, *, case_id: int, text: str, actor: str, now: datetime, expected_version: int | None = None
) -> CaseEvent:
    case = get_case(session, case_id)
    _check_version(case, expected_version)
    body = text.strip()
    if not body:
        raise BadRequest("a note needs some text")
    if len(body) > MAX_NOTE_CHARS:
        raise BadRequest(f"a note holds at most {MAX_NOTE_CHARS} characters")
    event = _event(session, case, now=now, kind="note", actor=actor, body={"text": body})
    case.updated_at = now
    case.version += 1
    audit.record(
        session,
        at=now,
        actor=actor,
        action="case.note_added",
        object_type="case",
        object_id=case.id,
        data={"event_id": event.id, "chars": len(body)},
    )
    return event


def change_status(
    session: Session,
    *,
    case_id: int,
    status: str,
    actor: str,
    now: datetime,
    outcome: str | None = None,
    expected_version: int | None = None,
) -> Case:
    case = get_case(session, case_id)
    _check_version(case, expected_version)
    try:
        target = Status(status)
    except ValueError:
        raise BadRequest(f"unknown status {status!r}; statuses: {', '.join(s.value for s in Status)}") from None
    current = Status(case.status)
    if not can_move(current, target):
        raise InvalidTransition(f"a case cannot go from {current.value} to {target.value}")
    parsed_outcome = _parse_outcome(target, outcome)
    if current is Status.RESOLVED and open_case_for(session, platform=case.platform, subject=case.subject):
        raise Conflict("this person already has an open case; work that one or merge them")
    before = {"status": case.status, "outcome": case.outcome}
    case.status = target.value
    case.outcome = parsed_outcome
    case.closed_at = now if target is Status.RESOLVED else None
    case.updated_at = now
    case.version += 1
    after = {"status": case.status, "outcome": case.outcome}
    kind = "reopened" if current is Status.RESOLVED else "status"
    _event(session, case, now=now, kind=kind, actor=actor, body={"before": before, "after": after})
    audit.record(
        session,
        at=now,
        actor=actor,
        action="case.status_changed",
        object_type="case",
        object_id=case.id,
        data={"before": before, "after": after},
    )
    return case


def _parse_outcome(target: Status, outcome: str | None) -> str | None:
    if target is not Status.RESOLVED:
        if outcome:
            raise BadRequest("an outcome is given only when resolving a case")
        return None
    if not outcome:
        raise BadRequest(f"resolving a case needs an outcome: {', '.join(o.value for o in Outcome)}")
    try:
        return Outcome(outcome).value
    except ValueError:
        raise BadRequest(f"unknown outcome {outcome!r}; outcomes: {', '.join(o.value for o in Outcome)}") from None


def _event(
    session: Session,
    case: Case,
    *,
    now: datetime,
    kind: str,
    actor: str,
    body: dict[str, Any],
    signal_id: int | None = None,
) -> CaseEvent:
    event = CaseEvent(case_id=case.id, at=now, kind=kind, actor=actor, signal_id=signal_id, body=body)
    session.add(event)
    session.flush()
    return event
