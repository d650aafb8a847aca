"""Delete on schedule. Closed cases keep their outcome and timings (reports need them) but lose the person's
words, places and the platform's id for them; stored signals that never joined a case and processed dedupe
keys are deleted outright, and so are alert sign-ups nobody confirmed within 7 days, idle rate-limit
buckets, deliveries that arrived long ago (their payloads are referral packages and messages to people at
risk), timers that have fired, and the fusion state (with its observation log) of people who have sent
nothing for ``idle_risk_state_days``: older than the fusion policy's longest memory (12 days for the shipped
policy), such a state can no longer change any result, and it ties a platform id to a risk level.

The scheduler runs it (``RETENTION_TIMER``, every ``retention_every_hours``; a run that fills its batch is
followed a minute later), and ``lifeguard retention run`` runs it by hand."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, tuple_
from sqlalchemy.orm import Session

from lifeguard.alerts import ratelimit, subscribers
from lifeguard.audit import service as audit
from lifeguard.cases.models import Case, CaseEvent
from lifeguard.delivery.models import OutboxMessage
from lifeguard.detection.reasons import without_quotes
from lifeguard.risk.models import RiskObservation, SubjectRiskRow
from lifeguard.scheduling import service as scheduling
from lifeguard.scheduling.models import Timer
from lifeguard.signals.models import InboxEntry, Signal

ERASED = "[erased by retention]"
RETENTION_TIMER = "retention.run"
CATCH_UP = timedelta(minutes=1)  # a run that filled its batch is followed by the next one this soon


@dataclass(frozen=True)
class RetentionPolicy:
    closed_case_days: int = 180
    unattached_signal_days: int = 30
    inbox_days: int = 30
    unconfirmed_subscriber_days: int = 7  # alert sign-ups without the e-mailed confirmation
    delivered_outbox_days: int = 90  # delivered messages; pending and escalated ones stay until dealt with
    fired_timer_days: int = 30
    idle_risk_state_days: int = 30  # never below the fusion policy's longest memory: see ``remembering``

    def remembering(self, memory_seconds: float) -> RetentionPolicy:
        """This policy, keeping idle fusion state at least as long as fusion can still use it (a state
        forgotten sooner would lower the risk of someone whose signals still count)."""
        days = math.ceil(memory_seconds / 86400)
        return replace(self, idle_risk_state_days=max(self.idle_risk_state_days, days))


@dataclass
class RetentionReport:
    cases_anonymised: int = 0
    signals_erased: int = 0
    notes_erased: int = 0
    unattached_signals_deleted: int = 0
    inbox_keys_deleted: int = 0
    unconfirmed_subscribers_deleted: int = 0
    rate_buckets_deleted: int = 0
    delivered_outbox_deleted: int = 0
    fired_timers_deleted: int = 0
    idle_risk_states_deleted: int = 0


def run(session: Session, *, now: datetime, policy: RetentionPolicy, batch: int = 500) -> RetentionReport:
    report = RetentionReport()
    cutoff = now - timedelta(days=policy.closed_case_days)
    due = session.scalars(
        select(Case)
        .where(Case.status.in_(["resolved", "merged"]), Case.closed_at < cutoff, Case.anonymised_at.is_(None))
        .order_by(Case.id)
        .limit(batch)
    ).all()
    for case in due:
        _anonymise(session, case, now=now, report=report)
    orphan_cutoff = now - timedelta(days=policy.unattached_signal_days)
    report.unattached_signals_deleted = _rowcount(
        session.execute(delete(Signal).where(Signal.case_id.is_(None), Signal.received_at < orphan_cutoff))
    )
    inbox_cutoff = now - timedelta(days=policy.inbox_days)
    report.inbox_keys_deleted = _rowcount(
        session.execute(
            delete(InboxEntry).where(InboxEntry.processed_at.is_not(None), InboxEntry.processed_at < inbox_cutoff)
        )
    )
    report.unconfirmed_subscribers_deleted = subscribers.delete_unconfirmed(
        session, now=now, older_than=timedelta(days=policy.unconfirmed_subscriber_days)
    )
    report.rate_buckets_deleted = ratelimit.forget_idle(session, now=now)
    delivered_cutoff = now - timedelta(days=policy.delivered_outbox_days)
    report.delivered_outbox_deleted = _rowcount(
        session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.status == "delivered", OutboxMessage.delivered_at < delivered_cutoff
            )
        )
    )
    timer_cutoff = now - timedelta(days=policy.fired_timer_days)
    report.fired_timers_deleted = _rowcount(
        session.execute(delete(Timer).where(Timer.fired_at.is_not(None), Timer.fired_at < timer_cutoff))
    )
    report.idle_risk_states_deleted = _forget_idle_risk(
        session, cutoff=now - timedelta(days=policy.idle_risk_state_days), batch=batch
    )
    audit.record(
        session,
        at=now,
        actor="system:retention",
        action="retention.run",
        object_type="system",
        object_id="retention",
        data=report.__dict__,
    )
    return report


def schedule_runs(session: Session, *, now: datetime, first_in: timedelta) -> bool:
    """Make sure a retention run is pending (the scheduler fires it, then schedules the next); true if this
    call scheduled one. Every process calls it at start: the first one wins, the others find it pending. A run
    that failed as often as the scheduler tries (its error is on the timer and in the log) is not pending:
    the next start schedules a new one rather than leave deletion stopped."""
    if scheduling.will_fire(session, kind=RETENTION_TIMER):
        return False
    scheduling.schedule(session, kind=RETENTION_TIMER, due_at=now + first_in, now=now, payload={})
    return True


def on_retention_timer(
    session: Session,
    timer: Timer,
    now: datetime,
    *,
    policy: RetentionPolicy,
    every: timedelta | None,
    batch: int = 500,
) -> list[tuple[str, dict[str, Any]]]:
    """The scheduled run: one ``run`` in the timer's transaction, then the next run in ``every``, or in a
    minute when this one filled a batch (a backlog is worked off in steps, not left for a day). With
    ``every`` None (scheduling switched off since this timer was set) nothing follows."""
    report = run(session, now=now, policy=policy, batch=batch)
    if every is not None:
        behind = report.cases_anonymised >= batch or report.idle_risk_states_deleted >= batch
        due_at = now + (CATCH_UP if behind else every)
        scheduling.schedule(session, kind=RETENTION_TIMER, due_at=due_at, now=now, payload={})
    return []


def _forget_idle_risk(session: Session, *, cutoff: datetime, batch: int) -> int:
    """Deletes up to ``batch`` fusion states last updated before ``cutoff``, and their observation logs."""
    idle = session.execute(
        select(SubjectRiskRow.platform, SubjectRiskRow.subject)
        .where(SubjectRiskRow.updated_at < cutoff)
        .order_by(SubjectRiskRow.updated_at)
        .limit(batch)
    ).all()
    if not idle:
        return 0
    keys = [tuple(row) for row in idle]
    session.execute(delete(RiskObservation).where(tuple_(RiskObservation.platform, RiskObservation.subject).in_(keys)))
    session.execute(delete(SubjectRiskRow).where(tuple_(SubjectRiskRow.platform, SubjectRiskRow.subject).in_(keys)))
    return len(idle)


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _anonymise(session: Session, case: Case, *, now: datetime, report: RetentionReport) -> None:
    for signal in session.scalars(select(Signal).where(Signal.case_id == case.id)):
        signal.text = ""
        signal.spans = []
        signal.reasons = without_quotes(signal.reasons)  # the model's n-grams and the idioms set aside quote it
        signal.details = {}
        signal.location = None
        signal.subject = _erased_subject(case)
        report.signals_erased += 1
    for event in session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "note")):
        event.body = {"text": ERASED}
        report.notes_erased += 1
    if case.risk_reasons and case.risk_reasons.get("reasons"):
        case.risk_reasons = {**case.risk_reasons, "reasons": without_quotes(case.risk_reasons["reasons"])}
    case.subject = _erased_subject(case)
    case.anonymised_at = now
    case.version += 1
    report.cases_anonymised += 1
    audit.record(
        session,
        at=now,
        actor="system:retention",
        action="case.anonymised",
        object_type="case",
        object_id=case.id,
        data={"closed_at": case.closed_at.isoformat() if case.closed_at else None, "outcome": case.outcome},
    )


def _erased_subject(case: Case) -> str:
    # Not reversible to the platform's id, yet stable per case so counts per person stay countable.
    return "erased-" + hashlib.sha256(f"{case.platform}:{case.id}".encode()).hexdigest()[:16]
