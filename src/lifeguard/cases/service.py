"""Cases: open one when a person's risk reaches the case floor, attach later signals, work it to an outcome.

Services never commit: the caller's unit of work does. Every change writes a timeline event and an audit record
in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from lifeguard.audit import service as audit
from lifeguard.auth.models import User
from lifeguard.cases import escalation
from lifeguard.cases.models import Case, CaseEvent
from lifeguard.cases.sla import SlaPolicy
from lifeguard.cases.transitions import OPEN_STATUSES, PRIORITY_BY_LEVEL, Outcome, Status, can_move
from lifeguard.detection.levels import Level
from lifeguard.errors import BadRequest, Conflict, Forbidden, InvalidTransition, NotFound
from lifeguard.interventions import follow_ups
from lifeguard.signals.models import Signal

MAX_NOTE_CHARS = 5000
REOPEN_WITHIN = timedelta(days=90)  # a new crisis this soon after resolving is the same episode
_OPEN = [status.value for status in OPEN_STATUSES]
DEFAULT_SLA = SlaPolicy()


def open_case_for(session: Session, *, platform: str, subject: str) -> Case | None:
    return session.scalar(
        select(Case).where(Case.platform == platform, Case.subject == subject, Case.status.in_(_OPEN))
    )


def _recently_resolved(session: Session, *, platform: str, subject: str, now: datetime) -> Case | None:
    return session.scalar(
        select(Case)
        .where(
            Case.platform == platform,
            Case.subject == subject,
            Case.status == Status.RESOLVED.value,
            Case.closed_at >= now - REOPEN_WITHIN,
        )
        .order_by(Case.closed_at.desc())
        .limit(1)
    )


def on_signal(
    session: Session,
    *,
    signal: Signal,
    level: Level,
    case_floor: Level,
    now: datetime,
    sla: SlaPolicy = DEFAULT_SLA,
    language: str | None = None,
    priority: int | None = None,
    case_priority_floor: int = 2,
    risk: dict[str, Any] | None = None,
) -> Case | None:
    """Attach a stored signal to its subject's open case; reopen a recently resolved one or open a new one if
    the person's level reaches the case floor or their priority reaches ``case_priority_floor``.

    ``level`` and ``priority`` are the person's fused risk (``priority`` defaults to the level's); ``risk`` is
    its explanation, shown on the case. A case's level and priority only ever rise by themselves."""
    priority = PRIORITY_BY_LEVEL[level] if priority is None else priority
    case = open_case_for(session, platform=signal.platform, subject=signal.subject)
    if case is None:
        if level < case_floor and priority > case_priority_floor:
            return None
        case = _recently_resolved(session, platform=signal.platform, subject=signal.subject, now=now)
        if case is not None:
            _reopen(session, case, level=level, now=now, sla=sla, actor="system:detection", reason="new signal")
        else:
            case = _open(session, signal=signal, level=level, priority=priority, now=now, sla=sla, language=language)
    if risk is not None:
        case.risk_reasons = risk
    signal.case_id = case.id
    case.signal_count += 1
    case.last_signal_at = max(case.last_signal_at, signal.occurred_at)
    case.language = case.language or language
    # A signal stands on the timeline when it happened, not when it was processed.
    _event(
        session,
        case,
        now=signal.occurred_at,
        kind="signal",
        actor="system:detection",
        signal_id=signal.id,
        body={"level": level.value},
    )
    if level > Level(case.level) or priority < case.priority:
        raise_risk(session, case, level=level, priority=priority, now=now, sla=sla)
    case.updated_at = now
    case.version += 1
    return case


def _open(
    session: Session,
    *,
    signal: Signal,
    level: Level,
    priority: int,
    now: datetime,
    sla: SlaPolicy,
    language: str | None,
) -> Case:
    case = Case(
        platform=signal.platform,
        subject=signal.subject,
        status=Status.OPEN.value,
        priority=priority,
        level=level.value,
        opened_at=now,
        updated_at=now,
        last_signal_at=signal.occurred_at,
        signal_count=0,
        version=1,
        language=language,
        ack_due_at=now + sla.ack_within(priority),
    )
    session.add(case)
    session.flush()
    _event(
        session,
        case,
        now=now,
        kind="opened",
        actor="system:detection",
        body={"level": level.value, "priority": priority},
    )
    audit.record(
        session,
        at=now,
        actor="system:detection",
        action="case.opened",
        object_type="case",
        object_id=case.id,
        data={"level": level.value, "priority": priority, "signal_id": signal.id},
    )
    escalation.schedule_sla_check(session, case=case, now=now)
    _attach_recent_context(session, case, now=now, exclude=signal.id)
    return case


CONTEXT_WINDOW = timedelta(days=7)


def _attach_recent_context(session: Session, case: Case, *, now: datetime, exclude: int) -> None:
    """The person's stored signals of the last days that opened nothing on their own (an indicator, a risky
    order) belong to the story the interventionist reads: put them on the new case's timeline."""
    earlier = session.scalars(
        select(Signal).where(
            Signal.platform == case.platform,
            Signal.subject == case.subject,
            Signal.case_id.is_(None),
            Signal.id != exclude,
            Signal.occurred_at >= now - CONTEXT_WINDOW,
        )
    )
    for signal in earlier:
        signal.case_id = case.id
        case.signal_count += 1
        _event(
            session,
            case,
            now=signal.occurred_at,
            kind="signal",
            actor="system:detection",
            signal_id=signal.id,
            body={"level": signal.subject_level, "context": True},
        )


def _reopen(
    session: Session, case: Case, *, level: Level, now: datetime, sla: SlaPolicy, actor: str, reason: str
) -> None:
    follow_ups.cancel(session, case_id=case.id)  # back in crisis: the check-ins give way to the case
    before = {"status": case.status, "outcome": case.outcome}
    case.status = Status.OPEN.value
    case.outcome = None
    case.closed_at = None
    case.acknowledged_at = None
    case.claimed_by_id = None
    case.claim_expires_at = None
    case.level = max(level, Level(case.level)).value
    case.priority = PRIORITY_BY_LEVEL[Level(case.level)]
    case.ack_due_at = now + sla.ack_within(case.priority)
    case.updated_at = now
    case.version += 1
    after = {"status": case.status, "outcome": None}
    _event(
        session, case, now=now, kind="reopened", actor=actor, body={"before": before, "after": after, "reason": reason}
    )
    audit.record(
        session,
        at=now,
        actor=actor,
        action="case.reopened",
        object_type="case",
        object_id=case.id,
        data={"before": before, "after": after, "reason": reason},
    )
    escalation.schedule_sla_check(session, case=case, now=now)


def raise_risk(
    session: Session,
    case: Case,
    *,
    level: Level,
    priority: int,
    now: datetime,
    sla: SlaPolicy,
    actor: str = "system:detection",
) -> None:
    """Raise the case to the person's new level and priority (never lower: that is a person's call)."""
    before = {"level": case.level, "priority": case.priority}
    case.level = max(level, Level(case.level)).value
    case.priority = min(case.priority, priority)
    after = {"level": case.level, "priority": case.priority}
    _event(session, case, now=now, kind="priority", actor=actor, body={"before": before, "after": after})
    audit.record(
        session,
        at=now,
        actor=actor,
        action="case.escalated",
        object_type="case",
        object_id=case.id,
        data={"before": before, "after": after},
    )
    if case.acknowledged_at is None:
        due = now + sla.ack_within(case.priority)
        if due < case.ack_due_at:  # a more urgent case is due sooner, never later
            case.ack_due_at = due
            escalation.schedule_sla_check(session, case=case, now=now)


@dataclass(frozen=True)
class QueuePage:
    cases: list[Case]
    total: int


def queue(
    session: Session, *, limit: int = 100, offset: int = 0, platform: str | None = None, unit: str | None = None
) -> QueuePage:
    """Open cases, highest priority first, then the longest waiting. ``unit`` limits it to one police unit's."""
    base = select(Case).where(Case.status.in_(_OPEN))
    if platform is not None:
        base = base.where(Case.platform == platform)
    if unit is not None:
        base = base.where(Case.referred_unit == unit)
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


def other_signals(session: Session, *, case: Case, limit: int = 20) -> list[Signal]:
    """The person's recent stored signals that are not on this case (earlier episodes, other cases)."""
    return list(
        session.scalars(
            select(Signal)
            .where(
                Signal.platform == case.platform,
                Signal.subject == case.subject,
                or_(Signal.case_id.is_(None), Signal.case_id != case.id),
            )
            .order_by(Signal.occurred_at.desc())
            .limit(limit)
        )
    )


def _check_version(case: Case, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != case.version:
        raise Conflict(
            f"case {case.id} changed since you loaded it (version {expected_version}, now {case.version}); "
            "reload and try again"
        )


def _check_editable(case: Case) -> None:
    if case.status == Status.MERGED.value:
        raise InvalidTransition(f"case {case.id} was merged into case {case.merged_into_id}; work that one")


# --- claims: one person works a case at a time -------------------------------------------------------------


def _claimable(now: datetime) -> Any:
    return or_(Case.claimed_by_id.is_(None), Case.claim_expires_at < now)


def claim(session: Session, *, case_id: int, user: User, now: datetime, sla: SlaPolicy = DEFAULT_SLA) -> Case:
    """Exclusive: a conditional update, so of two people pressing at once exactly one wins."""
    case = get_case(session, case_id)
    if case.status not in _OPEN:
        raise Conflict(f"case {case_id} is {case.status}; only open cases are claimed")
    if case.claimed_by_id == user.id and case.claim_expires_at and case.claim_expires_at >= now:
        return _touch(case, now=now, sla=sla)
    won = session.execute(
        update(Case)
        .where(Case.id == case_id, _claimable(now))
        .values(claimed_by_id=user.id, claim_expires_at=now + sla.claim_idle, version=Case.version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.refresh(case)
    if not won:
        holder = session.get(User, case.claimed_by_id) if case.claimed_by_id else None
        raise Conflict(f"case {case_id} is being worked by {holder.display_name if holder else 'someone else'}")
    first = case.acknowledged_at is None
    if first:
        case.acknowledged_at = now
        escalation.stop(session, case_id=case.id, now=now, reason="acknowledged")
    _event(session, case, now=now, kind="claimed", actor=f"user:{user.username}", body={"acknowledged": first})
    audit.record(
        session,
        at=now,
        actor=f"user:{user.username}",
        action="case.claimed",
        object_type="case",
        object_id=case.id,
        data={"acknowledged": first, "waited_seconds": int((now - case.opened_at).total_seconds())},
    )
    return case


def take_next(session: Session, *, user: User, now: datetime, sla: SlaPolicy = DEFAULT_SLA) -> Case | None:
    """The most urgent unclaimed case this person may work: priority, then time waiting, then their languages.
    Cases in a language they do not speak are left for someone who does (a case with no known language is
    anyone's)."""
    languages = list(user.languages or [])
    stmt = select(Case.id).where(Case.status.in_(_OPEN), _claimable(now))
    if languages:
        stmt = stmt.where(or_(Case.language.is_(None), Case.language.in_(languages)))
    for case_id in session.scalars(stmt.order_by(Case.priority, Case.opened_at, Case.id).limit(20)):
        try:
            with session.begin_nested():
                return claim(session, case_id=case_id, user=user, now=now, sla=sla)
        except Conflict:
            continue  # someone took it between our look and our claim: try the next one
    return None


def release(session: Session, *, case_id: int, user: User, now: datetime) -> Case:
    case = get_case(session, case_id)
    if case.claimed_by_id != user.id:
        raise Conflict(f"case {case_id} is not claimed by you")
    case.claimed_by_id = None
    case.claim_expires_at = None
    case.version += 1
    _event(session, case, now=now, kind="released", actor=f"user:{user.username}", body={})
    audit.record(
        session,
        at=now,
        actor=f"user:{user.username}",
        action="case.released",
        object_type="case",
        object_id=case.id,
        data={},
    )
    return case


def _touch(case: Case, *, now: datetime, sla: SlaPolicy) -> Case:
    case.claim_expires_at = now + sla.claim_idle
    return case


def _check_claim(session: Session, case: Case, *, user: User | None, now: datetime, sla: SlaPolicy) -> None:
    """Someone else's live claim blocks changes; the claimer's own action keeps the claim alive."""
    if user is None or case.claimed_by_id is None:
        return
    if case.claimed_by_id == user.id:
        _touch(case, now=now, sla=sla)
        return
    if case.claim_expires_at is not None and case.claim_expires_at >= now and user.role not in {"supervisor", "admin"}:
        holder = session.get(User, case.claimed_by_id)
        raise Conflict(f"case {case.id} is being worked by {holder.display_name if holder else 'someone else'}")


# --- working a case -----------------------------------------------------------------------------------------


def _case_to_change(
    session: Session, case_id: int, *, expected_version: int | None, user: User | None, now: datetime, sla: SlaPolicy
) -> Case:
    """The case, if it may be changed now: not merged away, not changed since the form was loaded, and not
    held by someone else's live claim."""
    case = get_case(session, case_id)
    _check_editable(case)
    _check_version(case, expected_version)
    _check_claim(session, case, user=user, now=now, sla=sla)
    return case


def add_note(
    session: Session,
    *,
    case_id: int,
    text: str,
    actor: str,
    now: datetime,
    expected_version: int | None = None,
    user: User | None = None,
    sla: SlaPolicy = DEFAULT_SLA,
) -> CaseEvent:
    case = _case_to_change(session, case_id, expected_version=expected_version, user=user, now=now, sla=sla)
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
    user: User | None = None,
    sla: SlaPolicy = DEFAULT_SLA,
) -> Case:
    case = _case_to_change(session, case_id, expected_version=expected_version, user=user, now=now, sla=sla)
    try:
        target = Status(status)
    except ValueError:
        raise BadRequest(f"unknown status {status!r}; statuses: {', '.join(s.value for s in Status)}") from None
    current = Status(case.status)
    if not can_move(current, target):
        raise InvalidTransition(f"a case cannot go from {current.value} to {target.value}")
    parsed_outcome = _parse_outcome(target, outcome)
    if current is Status.RESOLVED:
        if open_case_for(session, platform=case.platform, subject=case.subject):
            raise Conflict("this person already has an open case; work that one or merge them")
        _reopen(session, case, level=Level(case.level), now=now, sla=sla, actor=actor, reason="reopened by hand")
        return case
    before = {"status": case.status, "outcome": case.outcome}
    case.status = target.value
    case.outcome = parsed_outcome
    case.closed_at = now if target is Status.RESOLVED else None
    if case.acknowledged_at is None:
        case.acknowledged_at = now  # a person acted on it: the SLA is met
    escalation.stop(session, case_id=case.id, now=now, reason=f"status {target.value}")
    if target is Status.RESOLVED:
        case.claimed_by_id = None
        case.claim_expires_at = None
        follow_ups.schedule(session, case_id=case.id, resolved_at=now)
    case.updated_at = now
    case.version += 1
    after = {"status": case.status, "outcome": case.outcome}
    _event(session, case, now=now, kind="status", actor=actor, body={"before": before, "after": after})
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


def merge(session: Session, *, source_id: int, target_id: int, actor: str, now: datetime) -> Case:
    """Fold ``source`` into ``target`` (two cases of one person, e.g. seen on two platforms). The source keeps
    its id as a pointer; its timeline and signals move to the target."""
    if source_id == target_id:
        raise BadRequest("a case cannot be merged into itself")
    source, target = get_case(session, source_id), get_case(session, target_id)
    for case in (source, target):
        if case.status not in _OPEN:
            raise Conflict(f"case {case.id} is {case.status}; only open cases are merged")
    session.execute(update(CaseEvent).where(CaseEvent.case_id == source.id).values(case_id=target.id))
    session.execute(update(Signal).where(Signal.case_id == source.id).values(case_id=target.id))
    if Level(source.level) > Level(target.level):
        target.level = source.level
    target.priority = min(target.priority, source.priority)
    target.ack_due_at = min(target.ack_due_at, source.ack_due_at)
    target.signal_count += source.signal_count
    target.opened_at = min(target.opened_at, source.opened_at)
    target.last_signal_at = max(target.last_signal_at, source.last_signal_at)
    target.version += 1
    target.updated_at = now
    source.status = Status.MERGED.value
    source.merged_into_id = target.id
    source.claimed_by_id = None
    source.version += 1
    source.updated_at = now
    escalation.stop(session, case_id=source.id, now=now, reason="merged")
    _event(
        session,
        target,
        now=now,
        kind="merged",
        actor=actor,
        body={"source": source.id, "subject": source.subject, "platform": source.platform},
    )
    audit.record(
        session,
        at=now,
        actor=actor,
        action="case.merged",
        object_type="case",
        object_id=target.id,
        data={"source": source.id},
    )
    return target


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


def visible_to(user: User, case: Case) -> None:
    """A police liaison sees only the cases referred to their unit."""
    if user.role == "police_liaison" and (user.unit is None or case.referred_unit != user.unit):
        raise Forbidden("this case was not referred to your unit")


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
