"""The scheduler loop: holds the lease, fires due timers one transaction each, publishes after commit."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from lifeguard.bus.base import Bus
from lifeguard.bus.loop import BackgroundLoop
from lifeguard.clock import Clock
from lifeguard.db.engine import unit_of_work
from lifeguard.scheduling import service
from lifeguard.scheduling.models import Timer

log = logging.getLogger(__name__)

Event = tuple[str, dict[str, Any]]
TimerHandler = Callable[[Session, Timer, datetime], list[Event]]
LEASE = "scheduler"


class Scheduler:
    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        clock: Clock,
        bus: Bus,
        handlers: dict[str, TimerHandler],
        poll_seconds: float = 1.0,
        lease_ttl: timedelta = timedelta(seconds=15),
        holder: str | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._bus = bus
        self._handlers = handlers
        self._ttl = lease_ttl
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._tick_lock = threading.Lock()
        self._loop = BackgroundLoop(name="scheduler", work=self.tick, poll_seconds=poll_seconds)

    def tick(self) -> int:
        """Fire every timer due now, if this process holds the lease. Returns how many fired."""
        with self._tick_lock:
            now = self._clock.now()
            with unit_of_work(self._sessions) as session:
                if not service.take_lease(session, name=LEASE, holder=self.holder, now=now, ttl=self._ttl):
                    return 0
            with unit_of_work(self._sessions) as session:
                ids = [timer.id for timer in service.due(session, now=now)]
            fired = 0
            for timer_id in ids:
                fired += self._fire(timer_id, now)
            return fired

    def _fire(self, timer_id: int, now: datetime) -> int:
        events: list[Event] = []
        with unit_of_work(self._sessions) as session:
            timer = session.get(Timer, timer_id, with_for_update=session.get_bind().dialect.name == "postgresql")
            if timer is None or timer.fired_at is not None:
                return 0  # another pass fired it: nothing twice
            handler = self._handlers.get(timer.kind)
            if handler is None:
                timer.fired_at = now
                timer.last_error = f"no handler for timer kind {timer.kind!r}"
                log.error("timer %d: %s", timer.id, timer.last_error)
                return 0
            try:
                with session.begin_nested():
                    events = handler(session, timer, now)
                timer.fired_at = now
            except Exception as exc:  # noqa: BLE001 - recorded on the timer, retried on the next tick
                log.exception("timer %d (%s) failed", timer.id, timer.kind)
                timer.attempts += 1
                timer.last_error = repr(exc)[:2000]
                return 0
        for topic, message in events:  # after commit: nobody hears of a change that did not happen
            self._bus.publish(topic, message)
        return 1

    def start(self) -> None:
        self._loop.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._loop.stop(timeout)
