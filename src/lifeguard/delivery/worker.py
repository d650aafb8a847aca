"""Sends what the outbox holds. Many at once, so that one slow or dead partner never holds up the others."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from lifeguard.bus.base import Bus
from lifeguard.bus.loop import BackgroundLoop
from lifeguard.clock import Clock
from lifeguard.db.engine import unit_of_work
from lifeguard.delivery import service
from lifeguard.delivery.models import OutboxMessage
from lifeguard.delivery.transports import DeliveryError, Transport

log = logging.getLogger(__name__)

OUTBOX_ENQUEUED = "outbox.enqueued"
Exhausted = Callable[[Session, OutboxMessage, datetime], None]


@dataclass
class DeliveryReport:
    delivered: int = 0
    failed: int = 0
    exhausted: int = 0


class DeliveryWorker:
    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        clock: Clock,
        bus: Bus,
        transports: dict[str, Transport],
        on_exhausted: Exhausted | None = None,
        policy: service.RetryPolicy | None = None,
        concurrency: int = 32,
        batch: int = 500,
        poll_seconds: float = 1.0,
        seed: int | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._bus = bus
        self._transports = transports
        self._on_exhausted = on_exhausted
        self.policy = policy or service.RetryPolicy()
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="delivery")
        self._batch = batch
        self._rng = random.Random(seed)  # noqa: S311 - jitter, not secrecy
        self._pass_lock = threading.Lock()
        self._loop = BackgroundLoop(
            name="delivery", work=self.pass_once, poll_seconds=poll_seconds, bus=bus, topic=OUTBOX_ENQUEUED
        )

    def pass_once(self) -> DeliveryReport:
        with self._pass_lock:
            now = self._clock.now()
            with unit_of_work(self._sessions) as session:
                messages = service.claim_due(session, now=now, limit=self._batch, policy=self.policy)
            if not messages:
                return DeliveryReport()
            timestamp = int(now.timestamp())
            errors = list(self._pool.map(lambda m: self._send(m, timestamp), messages))
            report = DeliveryReport()
            finished = self._clock.now()
            with unit_of_work(self._sessions) as session:
                delivered = [m.id for m, error in zip(messages, errors, strict=True) if error is None]
                service.record_successes(session, message_ids=delivered, now=finished)
                report.delivered = len(delivered)
                failures = [(m, error) for m, error in zip(messages, errors, strict=True) if error is not None]
                for message, error in failures:
                    report.failed += 1
                    exhausted = service.record_failure(
                        session, message_id=message.id, error=error, now=finished, policy=self.policy, rng=self._rng
                    )
                    if exhausted is not None:
                        report.exhausted += 1
                        log.warning(
                            "outbox message %d gave up after %d tries: %s", message.id, exhausted.attempts, error
                        )
                        if self._on_exhausted is not None:
                            self._on_exhausted(session, exhausted, finished)
            return report

    def drain(self, max_passes: int = 100) -> DeliveryReport:
        """Run passes until nothing is due now (tests and the CLI); retries wait for their time."""
        total = DeliveryReport()
        for _ in range(max_passes):
            report = self.pass_once()
            if report.delivered + report.failed == 0:
                break
            total.delivered += report.delivered
            total.failed += report.failed
            total.exhausted += report.exhausted
        return total

    def _send(self, message: OutboxMessage, timestamp: int) -> str | None:
        transport = self._transports.get(message.channel)
        if transport is None:
            return f"no transport configured for {message.channel}"
        try:
            transport.send(message, timestamp=timestamp)
        except DeliveryError as exc:
            return str(exc)
        except Exception as exc:  # noqa: BLE001 - a transport bug is a failed delivery, retried, not a dead worker
            log.exception("transport %s crashed", message.channel)
            return f"{type(exc).__name__}: {exc}"
        return None

    def can_send(self, channel: str) -> bool:
        """Whether a transport is configured for ``channel`` (e-mail needs LIFEGUARD_SMTP_HOST)."""
        return channel in self._transports

    def notify(self, _topic: str = OUTBOX_ENQUEUED, _message: dict[str, Any] | None = None) -> None:
        self._loop.wake()

    def start(self) -> None:
        self._loop.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._loop.stop(timeout)
        self._pool.shutdown(wait=False, cancel_futures=True)
