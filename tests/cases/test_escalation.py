"""A missed SLA pages the on-call person, then the supervisors, through every channel they have; a timer that
is stale or fires twice does nothing; acknowledging stops the escalation. Time is a clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from lifeguard.auth import service as auth
from lifeguard.auth.models import User
from lifeguard.cases import escalation
from lifeguard.cases import service as cases
from lifeguard.cases.escalation_models import Escalation, EscalationLog
from lifeguard.clock import FixedClock
from lifeguard.db.engine import unit_of_work
from lifeguard.delivery import signing
from lifeguard.detection.assessment import Detector
from lifeguard.detection.levels import Level
from lifeguard.oncall.models import ContactChannel, Notification, OnCallShift, Team, TeamMember
from lifeguard.runtime import Runtime, build_runtime
from lifeguard.scheduling.models import Lease, Timer
from tests.cases.test_case_service import _signal
from tests.conftest import make_settings
from tests.http_double import endpoint

START = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)  # 20:00 in Shenzhen


@pytest.fixture
def clocked(db_url: str, detector: Detector) -> Iterator[tuple[Runtime, FixedClock]]:
    clock = FixedClock(START)
    rt = build_runtime(
        make_settings(db_url, sla_ack_seconds={0: 120, 1: 600, 2: 3600, 3: 86400}), detector=detector, clock=clock
    )
    yield rt, clock
    rt.close()


def _staff(rt: Runtime, hook_url: str, secret: str) -> None:
    with unit_of_work(rt.sessions) as s:
        team = Team(name="zh-night", languages=["zh"], timezone="Asia/Shanghai", is_default=True)
        s.add(team)
        s.flush()
        wang = auth.add_user(
            s, username="wang", password="correct horse battery", role="interventionist", now=START, actor="test"
        )
        li = auth.add_user(
            s, username="li", password="correct horse battery", role="supervisor", now=START, actor="test"
        )
        s.add_all(
            [
                TeamMember(team_id=team.id, user_id=wang.id),
                TeamMember(team_id=team.id, user_id=li.id, is_supervisor=True),
                OnCallShift(
                    team_id=team.id,
                    user_id=wang.id,
                    starts_at=START - timedelta(hours=1),
                    ends_at=START + timedelta(hours=8),
                ),
                ContactChannel(user_id=wang.id, kind="webhook", target=hook_url, secret=secret),
            ]
        )


def _p0_case(rt: Runtime) -> int:
    with unit_of_work(rt.sessions) as s:
        case = cases.on_signal(
            s,
            signal=_signal(s, "zh-girl", Level.ATTEMPT),
            level=Level.ATTEMPT,
            case_floor=Level.IDEATION,
            now=START,
            sla=rt.sla,
            language="zh",
        )
        assert case is not None and case.ack_due_at == START + timedelta(seconds=120)
        return case.id


def test_missed_sla_pages_on_call_then_supervisor(clocked: tuple[Runtime, FixedClock]) -> None:
    rt, clock = clocked
    secret = signing.new_secret()
    with endpoint() as hook:
        _staff(rt, hook.url, secret)
        case_id = _p0_case(rt)
        assert rt.scheduler.tick() == 0  # not due yet
        clock.advance(timedelta(seconds=121))
        assert rt.scheduler.tick() == 1
        assert rt.delivery.drain().delivered == 1
        page = hook.received[0]
        assert page.json["type"] == "page" and page.json["case_id"] == case_id
        signing.verify(
            secret,
            msg_id=page.headers["webhook-id"],
            timestamp=page.headers["webhook-timestamp"],
            signature_header=page.headers["webhook-signature"],
            body=page.body,
            now=int(clock.now().timestamp()),
        )
        clock.advance(timedelta(seconds=120))
        assert rt.scheduler.tick() == 1  # step 2: supervisors
    with unit_of_work(rt.sessions) as s:
        log = escalation.log_for(s, case_id)
        assert [(entry.step_type, entry.code) for entry in log] == [("on_call", "paged"), ("supervisors", "paged")]
        assert log[0].detail["paged"][0]["user"] == "wang"
        assert {u for (u,) in s.execute(select(User.username).join(Notification, Notification.user_id == User.id))} == {
            "wang",
            "li",
        }


def test_acknowledging_stops_the_escalation_and_stale_timers_do_nothing(clocked: tuple[Runtime, FixedClock]) -> None:
    rt, clock = clocked
    with endpoint() as hook:
        _staff(rt, hook.url, signing.new_secret())
        case_id = _p0_case(rt)
        clock.advance(timedelta(seconds=121))
        rt.scheduler.tick()
        with unit_of_work(rt.sessions) as s:
            wang = s.scalars(select(User).where(User.username == "wang")).one()
            cases.claim(s, case_id=case_id, user=wang, now=clock.now(), sla=rt.sla)
        clock.advance(timedelta(minutes=30))
        assert rt.scheduler.tick() == 1  # the step timer fires, sees the acknowledgement, does nothing
    with unit_of_work(rt.sessions) as s:
        assert [entry.step for entry in escalation.log_for(s, case_id)] == [0]
        assert s.scalars(select(Escalation)).one().status == "stopped"


def test_a_duplicate_step_timer_runs_the_step_once(clocked: tuple[Runtime, FixedClock]) -> None:
    rt, clock = clocked
    with endpoint() as hook:
        _staff(rt, hook.url, signing.new_secret())
        case_id = _p0_case(rt)
        clock.advance(timedelta(seconds=121))
        rt.scheduler.tick()
        with unit_of_work(rt.sessions) as s:
            step = s.scalars(select(Timer).where(Timer.kind == escalation.STEP_TIMER)).one()
            s.add(
                Timer(
                    kind=step.kind,
                    due_at=step.due_at,
                    case_id=step.case_id,
                    payload=dict(step.payload),
                    created_at=START,
                    attempts=0,
                )
            )
        clock.advance(timedelta(seconds=121))
        assert rt.scheduler.tick() == 2
    with unit_of_work(rt.sessions) as s:
        assert [entry.step for entry in escalation.log_for(s, case_id)] == [0, 1]


def test_a_rising_priority_brings_the_deadline_forward(clocked: tuple[Runtime, FixedClock]) -> None:
    rt, clock = clocked
    with unit_of_work(rt.sessions) as s:
        case = cases.on_signal(
            s,
            signal=_signal(s, "u", Level.IDEATION),
            level=Level.IDEATION,
            case_floor=Level.IDEATION,
            now=START,
            sla=rt.sla,
        )
        assert case is not None and case.ack_due_at == START + timedelta(hours=1)
        clock.advance(timedelta(minutes=5))
        cases.on_signal(
            s,
            signal=_signal(s, "u", Level.ATTEMPT),
            level=Level.ATTEMPT,
            case_floor=Level.IDEATION,
            now=clock.now(),
            sla=rt.sla,
        )
        assert case.ack_due_at == clock.now() + timedelta(minutes=2)
        case_id = case.id
    clock.advance(timedelta(minutes=3))
    rt.scheduler.tick()
    with unit_of_work(rt.sessions) as s:
        codes = [entry.code for entry in escalation.log_for(s, case_id)]
    assert codes == ["no_team"]  # escalated at the new, earlier deadline; nobody staffed is logged, not raised


def test_a_misconfigured_team_logs_why_and_moves_on(clocked: tuple[Runtime, FixedClock]) -> None:
    rt, clock = clocked
    case_id = _p0_case(rt)  # no team, no staff at all
    clock.advance(timedelta(seconds=121))
    rt.scheduler.tick()
    clock.advance(timedelta(minutes=2))
    rt.scheduler.tick()
    clock.advance(timedelta(minutes=5))
    rt.scheduler.tick()
    with unit_of_work(rt.sessions) as s:
        log = escalation.log_for(s, case_id)
        assert [e.code for e in log] == ["no_team", "no_supervisor", "nobody_to_page"]
        assert s.scalars(select(Escalation)).one().status == "exhausted"
        assert s.scalar(select(EscalationLog.id).where(EscalationLog.code == "paged")) is None


def test_only_one_scheduler_holds_the_lease(clocked: tuple[Runtime, FixedClock], detector: Detector) -> None:
    rt, clock = clocked
    other = build_runtime(rt.settings, detector=detector, clock=clock)
    _p0_case(rt)
    clock.advance(timedelta(seconds=121))
    assert rt.scheduler.tick() == 1
    assert other.scheduler.tick() == 0  # the lease is taken
    clock.advance(timedelta(seconds=16))  # the first holder went silent past the lease
    other.scheduler.tick()
    with unit_of_work(rt.sessions) as s:
        assert s.get(Lease, "scheduler").holder == other.scheduler.holder  # type: ignore[union-attr]
    other.close()
