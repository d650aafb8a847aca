"""Fusion end to end through the API: words, then means, then a time, raise one case step by step; an order
alone stays quiet; ordinary people leave no risk state behind; replay gives what was kept; the clock raises."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from lifeguard.app import create_app
from lifeguard.cases.models import Case
from lifeguard.clock import FixedClock
from lifeguard.db.engine import unit_of_work
from lifeguard.detection.assessment import Detector
from lifeguard.risk.models import RiskObservation, SubjectRiskRow
from lifeguard.risk.recheck import RECHECK_TIMER
from lifeguard.runtime import Runtime, build_runtime
from lifeguard.scheduling.models import Timer
from tests import factories as f
from tests.conftest import issue_key, make_settings

START = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)  # 20:00 in Shenzhen


@pytest.fixture
def clocked(db_url: str, detector: Detector) -> Iterator[tuple[Runtime, FixedClock, TestClient, str]]:
    clock = FixedClock(START)
    rt = build_runtime(make_settings(db_url), detector=detector, clock=clock)
    key = issue_key(rt)
    with TestClient(create_app(runtime=rt)) as client:
        yield rt, clock, client, key
    rt.close()


def _send(client: TestClient, key: str, clock: FixedClock, event: dict) -> None:
    event["occurred_at"] = clock.now().isoformat()
    body = client.post("/v1/signals", headers={"Authorization": f"Bearer {key}"}, json={"events": [event]}).json()
    assert body["accepted"] == 1, body


def _case(rt: Runtime, subject: str) -> Case | None:
    with unit_of_work(rt.sessions) as s:
        return s.scalars(select(Case).where(Case.subject == subject)).one_or_none()


def test_words_then_means_then_a_time_raise_one_case(clocked: tuple[Runtime, FixedClock, TestClient, str]) -> None:
    rt, clock, client, key = clocked
    _send(client, key, clock, f.message("活着太累了，我真的不想活了", subject="girl", locale="zh-CN"))
    first = _case(rt, "girl")
    assert first is not None and (first.level, first.priority) == ("ideation", 2)
    clock.advance(timedelta(minutes=20))
    _send(client, key, clock, f.order([f.item("百草枯 除草剂 500ml", quantity=2)], subject="girl"))
    second = _case(rt, "girl")
    assert second is not None and second.id == first.id
    assert (second.level, second.priority) == ("behavior", 1)
    assert "fusion:ideation+means" in second.risk_reasons["reasons"]  # type: ignore[index]
    clock.advance(timedelta(minutes=10))
    _send(client, key, clock, f.message("等爸妈睡了就喝", subject="girl", locale="zh-CN"))
    third = _case(rt, "girl")
    assert third is not None and (third.level, third.priority) == ("attempt", 0)
    # Replaying the logged observations from nothing gives what was kept.
    with unit_of_work(rt.sessions) as s:
        kept = rt.risk.recheck(s, platform="shop-a", subject="girl", now=clock.now())
        replayed = rt.risk.replay(s, platform="shop-a", subject="girl", now=clock.now())
    assert kept is not None and kept.to_json() == replayed.to_json()


def test_ordinary_people_leave_no_risk_state(clocked: tuple[Runtime, FixedClock, TestClient, str]) -> None:
    rt, clock, client, key = clocked
    for text in ("请问这件衣服有M码吗", "笑死我了，这个客服太有趣", "What time do you ship?"):
        _send(client, key, clock, f.message(text, subject="shopper"))
    _send(client, key, clock, f.order([f.item("厨房刀具套装"), f.item("大米 10kg")], subject="shopper"))
    with unit_of_work(rt.sessions) as s:
        assert s.scalar(select(func.count()).select_from(SubjectRiskRow)) == 0
        assert s.scalar(select(func.count()).select_from(RiskObservation)) == 0
    assert _case(rt, "shopper") is None


def test_a_farmers_pesticide_order_opens_no_case(clocked: tuple[Runtime, FixedClock, TestClient, str]) -> None:
    rt, clock, client, key = clocked
    _send(client, key, clock, f.message("果园里蚜虫太多了，用什么药好", subject="farmer", locale="zh-CN"))
    _send(client, key, clock, f.order([f.item("吡虫啉 杀虫剂 果树用", quantity=3)], subject="farmer"))
    assert _case(rt, "farmer") is None


def test_the_clock_alone_raises_a_priority(clocked: tuple[Runtime, FixedClock, TestClient, str]) -> None:
    rt, clock, client, key = clocked
    clock.advance(timedelta(hours=-10))  # 10:00 in Shenzhen
    _send(client, key, clock, f.message("我不想活了，今晚就从楼上跳下去", subject="morning", locale="zh-CN"))
    case = _case(rt, "morning")
    assert case is not None
    assert (case.level, case.priority) == ("attempt", 1)  # "tonight" is still ten hours away
    with unit_of_work(rt.sessions) as s:
        row = s.get(SubjectRiskRow, ("shop-a", "morning"))
        assert row is not None and row.recheck_at is not None
        recheck_at = row.recheck_at
    clock.advance(recheck_at - clock.now() - timedelta(seconds=1))
    rt.scheduler.tick()
    assert _case(rt, "morning").priority == 1  # type: ignore[union-attr]
    clock.advance(timedelta(seconds=2))
    rt.scheduler.tick()
    raised = _case(rt, "morning")
    assert raised is not None and raised.priority == 0
    assert any(r.startswith("priority:") for r in raised.risk_reasons["reasons"])  # type: ignore[index]


def test_repeated_signals_keep_one_pending_recheck(clocked: tuple[Runtime, FixedClock, TestClient, str]) -> None:
    rt, clock, client, key = clocked
    clock.advance(timedelta(hours=-10))  # 10:00 in Shenzhen: "tonight" is a time to look again at
    for text in ("我不想活了，今晚就从楼上跳下去", "今晚就跳", "真的不想活了"):
        _send(client, key, clock, f.message(text, subject="repeat", locale="zh-CN"))
        clock.advance(timedelta(minutes=1))
    case = _case(rt, "repeat")
    assert case is not None
    with unit_of_work(rt.sessions) as s:
        pending = list(s.scalars(select(Timer).where(Timer.kind == RECHECK_TIMER, Timer.fired_at.is_(None))))
        row = s.get(SubjectRiskRow, ("shop-a", "repeat"))
        assert row is not None and row.recheck_at is not None
        assert len(pending) == 1
        assert pending[0].payload["due"] == row.recheck_at.isoformat()
