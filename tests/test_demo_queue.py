"""`make run`'s demo queue shows what the console is for at any hour of the day.

Most demo stories name a time ("tonight", "after my parents sleep"), so they are P0 only in the evening where
the person lives; the family's report of pills already swallowed is an attempt under way, P0 at every hour.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from lifeguard.cases.models import Case
from lifeguard.clock import FixedClock
from lifeguard.db.engine import unit_of_work
from lifeguard.demo.loader import load
from lifeguard.detection.assessment import Detector
from lifeguard.runtime import build_runtime
from tests.conftest import make_settings


@pytest.mark.parametrize("hour", [2, 8, 14, 20])
def test_the_demo_queue_has_a_p0_at_every_hour(
    hour: int, sqlite_template: Path, tmp_path: Path, detector: Detector
) -> None:
    shutil.copy(sqlite_template, tmp_path / "lifeguard.db")
    clock = FixedClock(datetime(2026, 12, 5, hour, tzinfo=UTC))
    rt = build_runtime(make_settings(f"sqlite:///{tmp_path / 'lifeguard.db'}"), detector=detector, clock=clock)
    try:
        with unit_of_work(rt.sessions) as session:
            load(session, now=clock.now())
        rt.worker.drain()
        with rt.sessions() as session:
            queue = {subject: priority for subject, priority in session.execute(select(Case.subject, Case.priority))}
    finally:
        rt.close()
    assert queue["demo-007-zh-family-report-pills-taken"] == 0
    assert len(queue) >= 8  # every story opens its case
