"""The signal worker: drains the inbox through detection. Runs as a thread in `lifeguard serve` or on its own
as `lifeguard worker`. Wakes on the bus, and polls anyway so that entries left by a crash are picked up."""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from lifeguard.bus.base import CASES_CHANGED, SIGNALS_ACCEPTED, Bus
from lifeguard.bus.loop import BackgroundLoop
from lifeguard.cases.service import DEFAULT_SLA
from lifeguard.cases.sla import SlaPolicy
from lifeguard.clock import Clock
from lifeguard.db.engine import unit_of_work
from lifeguard.detection.assessment import Detector
from lifeguard.detection.levels import Level
from lifeguard.risk.service import RiskEngine
from lifeguard.signals import service

log = logging.getLogger(__name__)


class SignalWorker:
    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        detector: Detector,
        bus: Bus,
        clock: Clock,
        store_floor: Level,
        case_floor: Level,
        risk: RiskEngine,
        sla: SlaPolicy = DEFAULT_SLA,
        case_priority_floor: int = 2,
        auto_hold_at: int | None = None,
        batch_size: int = 200,
        poll_seconds: float = 2.0,
    ) -> None:
        self._sessions = sessions
        self._detector = detector
        self._bus = bus
        self._clock = clock
        self._store_floor = store_floor
        self._case_floor = case_floor
        self._sla = sla
        self._risk = risk
        self._case_priority_floor = case_priority_floor
        self._auto_hold_at = auto_hold_at
        self._batch_size = batch_size
        self._drain_lock = threading.Lock()
        self._loop = BackgroundLoop(
            name="signal-worker", work=self.drain, poll_seconds=poll_seconds, bus=bus, topic=SIGNALS_ACCEPTED
        )

    def drain(self) -> service.ProcessReport:
        """Process until nothing is pending. Safe to call from any thread; calls do not overlap. An entry that
        fails is recorded and left pending for the next pass, not retried within this one."""
        total = service.ProcessReport()
        failed: set[int] = set()
        with self._drain_lock:
            while True:
                with unit_of_work(self._sessions) as session:
                    ids = service.pending_ids(session, limit=self._batch_size, exclude=failed)
                    if not ids:
                        break
                    try:
                        report = self._process(session, ids)
                    except Exception:  # noqa: BLE001 - isolate the poison entry, keep the rest flowing
                        log.exception("batch of %d inbox entries failed; retrying one by one", len(ids))
                        report = self._one_by_one(session, ids, failed)
                # Published only after the commit, so a reader never looks for a case that is not there yet.
                if report.changed_cases:
                    self._bus.publish(CASES_CHANGED, {"case_ids": sorted(report.changed_cases)})
                total.add(report)
        return total

    def _process(self, session: Session, ids: list[int]) -> service.ProcessReport:
        with session.begin_nested():
            return service.process_entries(
                session,
                entry_ids=ids,
                detector=self._detector,
                store_floor=self._store_floor,
                case_floor=self._case_floor,
                now=self._clock.now(),
                risk=self._risk,
                sla=self._sla,
                case_priority_floor=self._case_priority_floor,
                auto_hold_at=self._auto_hold_at,
            )

    def _one_by_one(self, session: Session, ids: list[int], failed: set[int]) -> service.ProcessReport:
        total = service.ProcessReport()
        for entry_id in ids:
            try:
                total.add(self._process(session, [entry_id]))
            except Exception as exc:  # noqa: BLE001 - recorded on the entry, which stays pending
                log.warning("inbox entry %d failed: %r", entry_id, exc)
                service.record_failure(session, entry_id=entry_id, error=repr(exc))
                failed.add(entry_id)
        return total

    def notify(self, _topic: str = SIGNALS_ACCEPTED, _message: dict[str, Any] | None = None) -> None:
        self._loop.wake()

    def start(self) -> None:
        self._loop.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._loop.stop(timeout)

    def run_forever(self) -> None:
        self._loop.run_forever()
