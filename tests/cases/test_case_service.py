"""Working a case: notes, legal transitions, outcomes, stale forms, reopening. Every change is audited."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifeguard.audit import service as audit
from lifeguard.audit.models import AuditRecord
from lifeguard.auth import service as auth
from lifeguard.cases import service as cases
from lifeguard.cases.models import Case
from lifeguard.cases.transitions import TRANSITIONS, Status
from lifeguard.detection.levels import Level
from lifeguard.errors import BadRequest, Conflict, InvalidTransition
from lifeguard.signals.models import Signal

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
_serial = itertools.count(1)


def _signal(session: Session, subject: str = "u-1", level: Level = Level.IDEATION, at: datetime = NOW) -> Signal:
    auth.ensure_partner(session, partner_id="shop-a", name="Shop A", now=NOW)
    signal = Signal(
        platform="shop-a",
        event_id=f"ev-{next(_serial)}",
        kind="message",
        subject=subject,
        occurred_at=at,
        received_at=at,
        text="t",
        details={},
        level=level.value,
        score=0.9,
        reasons=[],
        spans=[],
        support=False,
        third_party_level="none",
        subject_level=level.value,
        detector="test",
    )
    session.add(signal)
    session.flush()
    return signal


def _case(session: Session, level: Level = Level.IDEATION, subject: str = "u-1") -> Case:
    case = cases.on_signal(
        session, signal=_signal(session, subject, level), level=level, case_floor=Level.IDEATION, now=NOW
    )
    assert case is not None
    return case


def test_below_the_case_floor_opens_nothing(session: Session) -> None:
    assert (
        cases.on_signal(
            session,
            signal=_signal(session, level=Level.INDICATOR),
            level=Level.INDICATOR,
            case_floor=Level.IDEATION,
            now=NOW,
        )
        is None
    )


def test_opening_is_audited_and_on_the_timeline(session: Session) -> None:
    case = _case(session)
    kinds = [entry.event.kind for entry in cases.timeline(session, case.id)]
    assert kinds == ["opened", "signal"]
    assert [r.action for r in audit.recent(session, object_type="case", object_id=case.id)] == ["case.opened"]


def test_notes_and_status_changes_are_audited(session: Session) -> None:
    case = _case(session)
    cases.add_note(session, case_id=case.id, text="  called her, she is talking  ", actor="user:alice", now=NOW)
    cases.change_status(session, case_id=case.id, status="in_intervention", actor="user:alice", now=NOW)
    cases.change_status(session, case_id=case.id, status="resolved", outcome="dissuaded", actor="user:alice", now=NOW)
    actions = [r.action for r in session.scalars(select(AuditRecord).order_by(AuditRecord.seq))]
    assert actions[-3:] == ["case.note_added", "case.status_changed", "case.status_changed"]
    assert case.status == "resolved" and case.outcome == "dissuaded" and case.closed_at == NOW
    note = [e.event for e in cases.timeline(session, case.id) if e.event.kind == "note"][0]
    assert note.body == {"text": "called her, she is talking"} and note.actor == "user:alice"


def test_resolving_needs_a_known_outcome(session: Session) -> None:
    case = _case(session)
    with pytest.raises(BadRequest, match="needs an outcome"):
        cases.change_status(session, case_id=case.id, status="resolved", actor="user:a", now=NOW)
    with pytest.raises(BadRequest, match="unknown outcome"):
        cases.change_status(session, case_id=case.id, status="resolved", outcome="fine", actor="user:a", now=NOW)
    with pytest.raises(BadRequest, match="only when resolving"):
        cases.change_status(session, case_id=case.id, status="triaged", outcome="safe", actor="user:a", now=NOW)
    assert case.status == "open"


@pytest.mark.parametrize("current", list(Status))
def test_only_moves_in_the_table_are_allowed(session: Session, current: Status) -> None:
    case = _case(session)
    case.status = current.value
    for target in Status:
        if target in TRANSITIONS[current] or target is current:
            continue
        with pytest.raises(InvalidTransition):
            cases.change_status(
                session,
                case_id=case.id,
                status=target.value,
                outcome="safe" if target is Status.RESOLVED else None,
                actor="user:a",
                now=NOW,
            )


def test_a_stale_form_loses(session: Session) -> None:
    case = _case(session)
    seen = case.version
    cases.add_note(session, case_id=case.id, text="first", actor="user:a", now=NOW, expected_version=seen)
    with pytest.raises(Conflict, match="changed since you loaded it"):
        cases.change_status(session, case_id=case.id, status="triaged", actor="user:b", now=NOW, expected_version=seen)


def test_a_new_strong_signal_reopens_a_recently_resolved_case(session: Session) -> None:
    case = _case(session)
    cases.change_status(session, case_id=case.id, status="resolved", outcome="dissuaded", actor="user:a", now=NOW)
    later = NOW + timedelta(days=3)
    again = cases.on_signal(
        session,
        signal=_signal(session, level=Level.BEHAVIOR, at=later),
        level=Level.BEHAVIOR,
        case_floor=Level.IDEATION,
        now=later,
    )
    assert again is not None and again.id == case.id
    assert again.status == "open" and again.outcome is None and again.acknowledged_at is None
    assert again.level == "behavior" and again.priority == 1
    assert [e.event.kind for e in cases.timeline(session, case.id)][-3:] == ["status", "reopened", "signal"]


def test_reopen_is_refused_while_the_person_has_another_open_case(session: Session) -> None:
    long_ago = NOW - timedelta(days=200)
    case = cases.on_signal(
        session, signal=_signal(session), level=Level.IDEATION, case_floor=Level.IDEATION, now=long_ago
    )
    assert case is not None
    cases.change_status(session, case_id=case.id, status="resolved", outcome="safe", actor="user:a", now=long_ago)
    newer = _case(session)  # months later: a new episode, a new case
    assert newer.id != case.id
    with pytest.raises(Conflict, match="already has an open case"):
        cases.change_status(session, case_id=case.id, status="open", actor="user:a", now=NOW)
    cases.change_status(session, case_id=newer.id, status="resolved", outcome="safe", actor="user:a", now=NOW)
    reopened = cases.change_status(session, case_id=case.id, status="open", actor="user:a", now=NOW)
    assert reopened.outcome is None and reopened.closed_at is None and reopened.status == "open"


def test_notes_need_text_within_the_limit(session: Session) -> None:
    case = _case(session)
    with pytest.raises(BadRequest):
        cases.add_note(session, case_id=case.id, text="   ", actor="user:a", now=NOW)
    with pytest.raises(BadRequest):
        cases.add_note(session, case_id=case.id, text="x" * 5001, actor="user:a", now=NOW)


def test_a_new_case_gathers_the_persons_recent_signals_in_order(session: Session) -> None:
    earlier = _signal(session, level=Level.INDICATOR, at=NOW - timedelta(hours=3))
    stale = _signal(session, level=Level.INDICATOR, at=NOW - timedelta(days=30))
    other_person = _signal(session, subject="someone-else", level=Level.INDICATOR, at=NOW - timedelta(hours=1))
    case = _case(session)
    assert earlier.case_id == case.id and stale.case_id is None and other_person.case_id is None
    entries = cases.timeline(session, case.id)
    assert [e.signal.id if e.signal else e.event.kind for e in entries] == [earlier.id, "opened", entries[-1].signal.id]  # type: ignore[union-attr]
    assert case.signal_count == 2


def test_a_closed_case_takes_follow_up_notes_but_changes_state_only_by_reopening(session: Session) -> None:
    case = _case(session)
    cases.change_status(session, case_id=case.id, status="resolved", outcome="safe", actor="user:a", now=NOW)
    cases.add_note(
        session, case_id=case.id, text="Day-3 check-in: she answered, doing better.", actor="user:a", now=NOW
    )
    for target in ("triaged", "in_intervention", "referred"):
        with pytest.raises(InvalidTransition, match="cannot go from resolved"):
            cases.change_status(session, case_id=case.id, status=target, actor="user:a", now=NOW)
    assert case.status == "resolved" and case.outcome == "safe"
