"""Accept batches into the durable inbox; process inbox entries through detection into signals and cases.

Acceptance and processing are separate transactions on purpose: an event is safe on disk before the platform
hears "accepted", and a crash between the two leaves it pending, to be processed by the next worker pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifeguard.cases import service as cases
from lifeguard.cases.service import DEFAULT_SLA
from lifeguard.cases.sla import SlaPolicy
from lifeguard.db.upsert import increment, insert_ignoring_conflicts
from lifeguard.detection.assessment import Assessment, Detector, TextInput
from lifeguard.detection.levels import Level
from lifeguard.errors import Conflict
from lifeguard.interventions import service as ladder
from lifeguard.risk.recheck import schedule_recheck
from lifeguard.risk.service import RiskEngine, signal_key
from lifeguard.signals.models import InboxEntry, Signal, SignalCount
from lifeguard.signals.schemas import BatchResult, ItemResult, ItemStatus
from lifeguard.signals.texts import assessable_text, details
from lifeguard.signals.validation import ParsedItem, parse_event


def accept_batch(
    session: Session, *, platform: str, events: list[Any], now: datetime, max_text_chars: int
) -> BatchResult:
    parsed = [parse_event(index, raw, max_text_chars=max_text_chars, now=now) for index, raw in enumerate(events)]
    results: dict[int, ItemResult] = {}
    fresh: list[ParsedItem] = []
    seen_in_batch: set[str] = set()
    for item in parsed:
        if item.errors:
            results[item.index] = ItemResult(
                index=item.index, event_id=item.event_id, status=ItemStatus.REJECTED, errors=item.errors
            )
        elif item.event_id in seen_in_batch:
            results[item.index] = ItemResult(index=item.index, event_id=item.event_id, status=ItemStatus.DUPLICATE)
        else:
            seen_in_batch.add(item.event_id or "")
            fresh.append(item)

    rows = [
        {
            "platform": platform,
            "event_id": item.event.event_id,
            "kind": item.event.kind,
            "subject": item.event.subject,
            "received_at": now,
            "payload": item.event.model_dump(mode="json", exclude_none=True),
            "attempts": 0,
        }
        for item in fresh
    ]
    inserted = set(insert_ignoring_conflicts(session, InboxEntry.__table__, rows, returning=InboxEntry.event_id))
    for item in fresh:
        status = ItemStatus.ACCEPTED if item.event_id in inserted else ItemStatus.DUPLICATE
        results[item.index] = ItemResult(index=item.index, event_id=item.event_id, status=status)

    ordered = [results[i] for i in range(len(events))]
    _count_outcomes(session, platform=platform, now=now, parsed=parsed, results=ordered)
    return BatchResult(
        accepted=sum(r.status is ItemStatus.ACCEPTED for r in ordered),
        duplicates=sum(r.status is ItemStatus.DUPLICATE for r in ordered),
        rejected=sum(r.status is ItemStatus.REJECTED for r in ordered),
        items=ordered,
    )


def _count_outcomes(
    session: Session, *, platform: str, now: datetime, parsed: list[ParsedItem], results: list[ItemResult]
) -> None:
    tally: dict[tuple[str, str], int] = {}
    for item, result in zip(parsed, results, strict=True):
        kind = item.event.kind if item.event is not None else "invalid"
        if result.status is ItemStatus.ACCEPTED:
            continue  # counted when processed, as stored or below_floor
        key = (kind, result.status.value)
        tally[key] = tally.get(key, 0) + 1
    for (kind, outcome), count in tally.items():
        _bump(session, now=now, platform=platform, kind=kind, outcome=outcome, by=count)


def _bump(session: Session, *, now: datetime, platform: str, kind: str, outcome: str, by: int = 1) -> None:
    increment(
        session,
        SignalCount.__table__,
        keys={"day": now.date().isoformat(), "platform": platform, "kind": kind, "outcome": outcome},
        column="count",
        by=by,
    )


@dataclass
class ProcessReport:
    processed: int = 0
    stored: int = 0
    below_floor: int = 0
    changed_cases: set[int] = field(default_factory=set)

    def add(self, other: ProcessReport) -> None:
        self.processed += other.processed
        self.stored += other.stored
        self.below_floor += other.below_floor
        self.changed_cases |= other.changed_cases


def pending_ids(session: Session, *, limit: int, exclude: set[int] | frozenset[int] = frozenset()) -> list[int]:
    stmt = select(InboxEntry.id).where(InboxEntry.processed_at.is_(None)).order_by(InboxEntry.id).limit(limit)
    if exclude:
        stmt = stmt.where(InboxEntry.id.not_in(sorted(exclude)))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(session.scalars(stmt))


def process_entries(
    session: Session,
    *,
    entry_ids: list[int],
    detector: Detector,
    store_floor: Level,
    case_floor: Level,
    now: datetime,
    risk: RiskEngine,
    sla: SlaPolicy = DEFAULT_SLA,
    case_priority_floor: int = 2,
    auto_hold_at: int | None = None,
) -> ProcessReport:
    """Assess each entry, fuse it into its person's risk, store it (or drop it), open or raise a case, and mark
    it processed: all in one transaction, so a crash leaves every entry either fully processed or pending.

    A signal is kept when its own words reach the store floor or when fusion counts it among the signals behind
    the person's risk (an order of charcoal says little alone, much after "I can't go on"). A case opens when
    the fused level reaches the case floor or the fused priority reaches ``case_priority_floor``."""
    report = ProcessReport()
    risk.reset_batch()
    entries = list(
        session.scalars(
            select(InboxEntry)
            .where(InboxEntry.id.in_(entry_ids), InboxEntry.processed_at.is_(None))
            .order_by(InboxEntry.id)
        )
    )
    if not entries:
        return report
    inputs = [_text_input(entry) for entry in entries]
    assessments = detector.assess_many(inputs)
    for entry, item, assessment in zip(entries, inputs, assessments, strict=True):
        payload = entry.payload or {}
        level = subject_level(entry.kind, payload, assessment)
        fused = risk.fuse(
            session,
            platform=entry.platform,
            subject=entry.subject,
            event_id=entry.event_id,
            kind=entry.kind,
            occurred_at=datetime.fromisoformat(payload["occurred_at"]),
            payload=payload,
            assessment=assessment,
            now=now,
        )
        counted = signal_key(entry.platform, entry.event_id) in fused.signal_ids
        keep = max(level, assessment.third_party_level) >= store_floor or counted
        if keep:
            signal = _store(session, entry=entry, text=item.text, assessment=assessment, level=level)
            case = cases.on_signal(
                session,
                signal=signal,
                level=fused.level,
                case_floor=case_floor,
                priority=fused.priority,
                case_priority_floor=case_priority_floor,
                risk=fused.to_json(),
                now=now,
                sla=sla,
                language=assessment.lang or item.lang,
            )
            if case is not None:
                report.changed_cases.add(case.id)
                if auto_hold_at is not None and case.priority <= auto_hold_at:
                    _auto_hold(session, case_id=case.id, now=now)
                if fused.recheck_at is not None:
                    schedule_recheck(
                        session,
                        platform=entry.platform,
                        subject=entry.subject,
                        due=fused.recheck_at,
                        now=now,
                        case_id=case.id,
                    )
            report.stored += 1
        else:
            report.below_floor += 1
        _bump(session, now=now, platform=entry.platform, kind=entry.kind, outcome="stored" if keep else "below_floor")
        entry.payload = None  # what was not kept is not kept anywhere
        entry.processed_at = now
        entry.attempts += 1
        report.processed += 1
    return report


def _auto_hold(session: Session, *, case_id: int, now: datetime) -> None:
    """A platform's named automatic step: hold the orders of a case this urgent at once, audited as the policy's.
    Nothing to hold (or already asked, or no webhook) is not an error here: the case page shows what happened."""
    try:
        with session.begin_nested():
            ladder.request_holds(session, case_id=case_id, actor="policy:auto_hold_orders", now=now)
    except Conflict:
        pass


def record_failure(session: Session, *, entry_id: int, error: str) -> None:
    entry = session.get(InboxEntry, entry_id)
    if entry is not None:
        entry.attempts += 1
        entry.last_error = error[:2000]


def subject_level(kind: str, payload: dict[str, Any], assessment: Assessment) -> Level:
    """What a signal says about its subject's own risk."""
    if kind == "message" and payload.get("speaker_role") in {"agent", "merchant"}:
        return Level.NONE  # the agent's words are context, not the person's risk
    if kind == "report":
        # A report is someone else's words about the subject: the risk it describes is the subject's.
        return max(assessment.level, assessment.third_party_level)
    return assessment.level


def _text_input(entry: InboxEntry) -> TextInput:
    payload = entry.payload or {}
    locale = payload.get("locale")
    lang = locale.split("-")[0].split("_")[0].lower() if locale else None
    return TextInput(text=assessable_text(entry.kind, payload), kind=entry.kind, lang=lang)


def _store(session: Session, *, entry: InboxEntry, text: str, assessment: Assessment, level: Level) -> Signal:
    payload = entry.payload or {}
    signal = Signal(
        platform=entry.platform,
        event_id=entry.event_id,
        kind=entry.kind,
        subject=entry.subject,
        occurred_at=datetime.fromisoformat(payload["occurred_at"]),
        received_at=entry.received_at,
        locale=payload.get("locale"),
        text=text,
        details=details(payload),
        location=payload.get("location"),
        level=assessment.level.value,
        score=assessment.score,
        reasons=list(assessment.reasons),
        spans=[{"start": s.start, "end": s.end, "reason": s.reason} for s in assessment.spans],
        support=assessment.support,
        third_party_level=assessment.third_party_level.value,
        subject_level=level.value,
        detector=assessment.detector,
    )
    session.add(signal)
    session.flush()
    return signal
