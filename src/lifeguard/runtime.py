"""Everything a running Lifeguard holds: built once at start-up from Settings, never at import."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from lifeguard.auth.service import ApiKeyVerifier
from lifeguard.bus.base import Bus
from lifeguard.bus.inprocess import InProcessBus
from lifeguard.clock import Clock, SystemClock
from lifeguard.config import Settings
from lifeguard.db.engine import make_engine, make_session_factory
from lifeguard.detection.assessment import Detector
from lifeguard.signals.worker import SignalWorker


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    bus: Bus
    clock: Clock
    detector: Detector
    worker: SignalWorker
    keys: ApiKeyVerifier

    def close(self) -> None:
        self.worker.stop()
        self.engine.dispose()


def build_runtime(
    settings: Settings, *, detector: Detector | None = None, clock: Clock | None = None, bus: Bus | None = None
) -> Runtime:
    if detector is None:
        from lifeguard.detection.registry import default_detector

        detector = default_detector()
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    bus = bus or InProcessBus()
    clock = clock or SystemClock()
    worker = SignalWorker(
        sessions=sessions,
        detector=detector,
        bus=bus,
        clock=clock,
        store_floor=settings.store_floor,
        case_floor=settings.case_floor,
    )
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=sessions,
        bus=bus,
        clock=clock,
        detector=detector,
        worker=worker,
        keys=ApiKeyVerifier(),
    )
