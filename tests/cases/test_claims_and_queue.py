"""Take next, exclusive claims that expire, language routing, merge."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifeguard.auth import service as auth
from lifeguard.auth.models import User
from lifeguard.cases import service as cases
from lifeguard.cases.models import Case
from lifeguard.cases.sla import SlaPolicy
from lifeguard.db.engine import unit_of_work
from lifeguard.detection.levels import Level
from lifeguard.errors import Conflict, InvalidTransition
from lifeguard.runtime import Runtime
from lifeguard.signals.models import Signal
from tests.cases.test_case_service import _signal

NOW = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
SLA = SlaPolicy(claim_idle_seconds=600)


def _user(session: Session, name: str, role: str = "interventionist", languages: list[str] | None = None) -> User:
    user = auth.add_user(session, username=name, password="correct horse battery", role=role, now=NOW, actor="test")
    user.languages = languages or []
    return user


def _open(session: Session, subject: str, level: Level, at: datetime, language: str | None = None) -> Case:
    case = cases.on_signal(
        session,
        signal=_signal(session, subject, level),
        level=level,
        case_floor=Level.IDEATION,
        now=at,
        sla=SLA,
        language=language,
    )
    assert case is not None
    return case


def test_take_next_gives_the_most_urgent_then_the_longest_waiting(session: Session) -> None:
    older_p2 = _open(session, "a", Level.IDEATION, NOW - timedelta(hours=2))
    newer_p0 = _open(session, "b", Level.ATTEMPT, NOW - timedelta(minutes=1))
    older_p0 = _open(session, "c", Level.ATTEMPT, NOW - timedelta(minutes=5))
    alice = _user(session, "alice")
    taken = [cases.take_next(session, user=alice, now=NOW, sla=SLA) for _ in range(4)]
    assert [c.id if c else None for c in taken] == [older_p0.id, newer_p0.id, older_p2.id, None]
    assert all(c.claimed_by_id == alice.id and c.acknowledged_at == NOW for c in taken if c)


def test_language_skills_route_cases(session: Session) -> None:
    hindi = _open(session, "hi-1", Level.ATTEMPT, NOW - timedelta(minutes=9), language="hi")
    chinese = _open(session, "zh-1", Level.ATTEMPT, NOW - timedelta(minutes=1), language="zh")
    wang = _user(session, "wang", languages=["zh"])
    priya = _user(session, "priya", languages=["hi", "en"])
    assert cases.take_next(session, user=wang, now=NOW, sla=SLA).id == chinese.id  # type: ignore[union-attr]
    assert cases.take_next(session, user=priya, now=NOW, sla=SLA).id == hindi.id  # type: ignore[union-attr]


def test_a_claim_is_exclusive_until_it_expires(session: Session) -> None:
    case = _open(session, "u", Level.BEHAVIOR, NOW)
    alice, bob = _user(session, "alice"), _user(session, "bob")
    cases.claim(session, case_id=case.id, user=alice, now=NOW, sla=SLA)
    with pytest.raises(Conflict, match="being worked by alice"):
        cases.claim(session, case_id=case.id, user=bob, now=NOW + timedelta(minutes=5), sla=SLA)
    assert cases.take_next(session, user=bob, now=NOW + timedelta(minutes=5), sla=SLA) is None
    with pytest.raises(Conflict, match="being worked by alice"):
        cases.add_note(session, case_id=case.id, text="x", actor="user:bob", now=NOW, user=bob, sla=SLA)
    # Alice goes quiet; after the idle time the case is anyone's again.
    later = NOW + timedelta(minutes=11)
    assert cases.take_next(session, user=bob, now=later, sla=SLA).id == case.id  # type: ignore[union-attr]
    with pytest.raises(Conflict):
        cases.add_note(session, case_id=case.id, text="x", actor="user:alice", now=later, user=alice, sla=SLA)


def test_acting_keeps_the_claim_alive(session: Session) -> None:
    case = _open(session, "u", Level.BEHAVIOR, NOW)
    alice = _user(session, "alice")
    cases.claim(session, case_id=case.id, user=alice, now=NOW, sla=SLA)
    cases.add_note(
        session,
        case_id=case.id,
        text="still talking",
        actor="user:alice",
        now=NOW + timedelta(minutes=9),
        user=alice,
        sla=SLA,
    )
    assert case.claim_expires_at == NOW + timedelta(minutes=19)


def test_two_people_pressing_take_next_at_once_get_different_cases(runtime: Runtime) -> None:
    with unit_of_work(runtime.sessions) as s:
        first = _open(s, "x", Level.ATTEMPT, NOW - timedelta(minutes=2)).id
        second = _open(s, "y", Level.ATTEMPT, NOW - timedelta(minutes=1)).id
        _user(s, "alice")
        _user(s, "bob")
    results: dict[str, int | None] = {}
    barrier = threading.Barrier(2)

    def press(name: str) -> None:
        barrier.wait()
        with unit_of_work(runtime.sessions) as s:
            user = s.scalars(select(User).where(User.username == name)).one()
            case = cases.take_next(s, user=user, now=NOW, sla=SLA)
            results[name] = case.id if case else None

    threads = [threading.Thread(target=press, args=(n,)) for n in ("alice", "bob")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(v for v in results.values() if v is not None) == sorted([first, second])


def test_merge_moves_the_timeline_and_keeps_a_pointer(session: Session) -> None:
    shop = _open(session, "shop-user", Level.IDEATION, NOW - timedelta(hours=1))
    chat = _open(session, "chat-user", Level.BEHAVIOR, NOW)
    target = cases.merge(session, source_id=shop.id, target_id=chat.id, actor="user:alice", now=NOW)
    assert target.id == chat.id and target.level == "behavior" and target.signal_count == 2
    assert target.opened_at == NOW - timedelta(hours=1)
    assert shop.status == "merged" and shop.merged_into_id == chat.id
    kinds = [e.event.kind for e in cases.timeline(session, chat.id)]
    assert kinds.count("signal") == 2 and kinds[-1] == "merged"
    assert {s.case_id for s in session.scalars(select(Signal))} == {chat.id}
    with pytest.raises(InvalidTransition, match="merged into"):
        cases.add_note(session, case_id=shop.id, text="x", actor="user:alice", now=NOW)
    with pytest.raises(Conflict):
        cases.merge(session, source_id=shop.id, target_id=chat.id, actor="user:alice", now=NOW)
