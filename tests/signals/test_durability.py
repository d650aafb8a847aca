"""Nothing accepted is lost: a crash between acceptance and processing leaves the events pending, and the
next worker processes them exactly once; one poisonous event does not hold up the rest."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient
from sqlalchemy import select

from lifeguard.app import create_app
from lifeguard.db.engine import unit_of_work
from lifeguard.detection.assessment import Assessment, Detector, DetectorInfo, TextInput
from lifeguard.runtime import build_runtime
from lifeguard.signals.models import InboxEntry, Signal
from lifeguard.signals.worker import SignalWorker
from tests import factories as f
from tests.conftest import issue_key, make_settings


def test_events_accepted_before_a_crash_are_processed_after_restart(db_url: str, detector: Detector) -> None:
    # Process one: accepts, but never processes (as if it died right after replying).
    first = build_runtime(make_settings(db_url, workers="none"), detector=detector)
    key = issue_key(first)
    with TestClient(create_app(runtime=first)) as client:
        body = client.post(
            "/v1/signals",
            headers={"Authorization": f"Bearer {key}"},
            json={"events": [f.message("I want to die", subject="s-1"), f.message("nice shoes", subject="s-2")]},
        ).json()
    assert body["accepted"] == 2
    first.engine.dispose()  # the process is gone; only the database remains

    # Process two: a fresh worker finds the pending entries.
    second = build_runtime(make_settings(db_url, workers="none"), detector=detector)
    with unit_of_work(second.sessions) as s:
        assert len(s.scalars(select(InboxEntry).where(InboxEntry.processed_at.is_(None))).all()) == 2
    report = second.worker.drain()
    assert report.processed == 2 and report.stored == 1 and len(report.changed_cases) == 1
    assert second.worker.drain().processed == 0  # nothing processed twice
    with unit_of_work(second.sessions) as s:
        assert [sig.subject for sig in s.scalars(select(Signal))] == ["s-1"]
    second.close()


class _Poisoned:
    """The real detector, except that it fails on one text: stands for any bug that hits one event."""

    def __init__(self, inner: Detector, poison: str) -> None:
        self.inner, self.poison = inner, poison
        self.info = DetectorInfo("poisoned", "0")

    def assess(self, item: TextInput) -> Assessment:
        if item.text == self.poison:
            raise RuntimeError("detector bug")
        return self.inner.assess(item)

    def assess_many(self, items: list[TextInput]) -> list[Assessment]:
        return [self.assess(item) for item in items]


def test_a_poison_event_is_isolated_and_kept_pending(db_url: str, detector: Detector) -> None:
    rt = build_runtime(make_settings(db_url, workers="none"), detector=_Poisoned(detector, "boom"))
    key = issue_key(rt)
    with TestClient(create_app(runtime=rt)) as client:
        client.post(
            "/v1/signals",
            headers={"Authorization": f"Bearer {key}"},
            json={
                "events": [
                    f.message("I want to die", subject="a"),
                    f.message("boom", subject="b"),
                    f.message("I want to die", subject="c"),
                ]
            },
        )
    report = rt.worker.drain()
    assert report.processed == 2
    with unit_of_work(rt.sessions) as s:
        stuck = s.scalars(select(InboxEntry).where(InboxEntry.processed_at.is_(None))).one()
        assert stuck.subject == "b" and stuck.attempts == 1 and "detector bug" in (stuck.last_error or "")
        assert stuck.payload is not None  # kept for the retry, not lost
    # Once the bug is fixed, the next pass picks it up.
    healthy = SignalWorker(
        sessions=rt.sessions,
        detector=detector,
        bus=rt.bus,
        clock=rt.clock,
        store_floor=rt.settings.store_floor,
        case_floor=rt.settings.case_floor,
        risk=rt.risk,
    )
    assert healthy.drain().processed == 1
    rt.close()


def test_the_thread_worker_processes_what_the_api_accepts(db_url: str, detector: Detector) -> None:
    rt = build_runtime(make_settings(db_url, workers="thread"), detector=detector)
    key = issue_key(rt)
    changed = []
    done = threading.Event()

    def on_change(_topic: str, message: dict) -> None:
        changed.append(message)
        done.set()

    rt.bus.subscribe("cases.changed", on_change)
    with TestClient(create_app(runtime=rt)) as client:
        client.post(
            "/v1/signals", headers={"Authorization": f"Bearer {key}"}, json={"events": [f.message("I want to die")]}
        )
        assert done.wait(10), "the worker did not announce the new case"
    assert changed[0]["case_ids"]
    rt.close()
