"""Everything a running Lifeguard holds: built once at start-up from Settings, never at import."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from lifeguard.alerts import store as alerts
from lifeguard.alerts import subscribers
from lifeguard.audit import service as audit
from lifeguard.auth.models import User
from lifeguard.auth.service import ApiKeyVerifier
from lifeguard.bus.base import Bus
from lifeguard.bus.inprocess import InProcessBus
from lifeguard.cases import escalation
from lifeguard.cases.sla import SlaPolicy
from lifeguard.clock import Clock, SystemClock
from lifeguard.config import Settings
from lifeguard.db.engine import make_engine, make_session_factory, unit_of_work
from lifeguard.delivery.models import OutboxMessage
from lifeguard.delivery.transports import SmtpTransport, Transport, WebhookTransport
from lifeguard.delivery.worker import DeliveryWorker
from lifeguard.detection.assessment import Detector
from lifeguard.detection.fusion import load_policy
from lifeguard.detection.products.catalogue import load_catalogue
from lifeguard.interventions import service as interventions
from lifeguard.oncall.models import Notification
from lifeguard.privacy import keyring, retention
from lifeguard.risk import recheck
from lifeguard.risk.service import RiskEngine
from lifeguard.scheduling.runner import Scheduler
from lifeguard.signals.worker import SignalWorker

RETENTION_FIRST_RUN = timedelta(minutes=10)


def retention_policy(settings: Settings, fusion_memory_seconds: float) -> retention.RetentionPolicy:
    """The retention settings, never forgetting a person's risk state sooner than fusion still uses it."""
    return retention.RetentionPolicy(
        closed_case_days=settings.retention_closed_case_days,
        unattached_signal_days=settings.retention_unattached_signal_days,
        inbox_days=settings.retention_inbox_days,
        delivered_outbox_days=settings.retention_delivered_outbox_days,
        fired_timer_days=settings.retention_fired_timer_days,
        idle_risk_state_days=settings.retention_idle_risk_state_days,
    ).remembering(fusion_memory_seconds)


def retention_interval(settings: Settings) -> timedelta | None:
    """How often the scheduler runs retention; None when ``retention_every_hours`` is 0 (the platform runs it)."""
    hours = settings.retention_every_hours
    return timedelta(hours=hours) if hours > 0 else None


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    bus: Bus
    clock: Clock
    detector: Detector
    sla: SlaPolicy
    risk: RiskEngine
    worker: SignalWorker
    scheduler: Scheduler
    delivery: DeliveryWorker
    keys: ApiKeyVerifier

    def schedule_retention(self) -> bool:
        """Delete on schedule: make sure a retention run is pending (one at a time, whichever process starts
        first sets it), unless ``retention_every_hours`` is 0. True if this call scheduled it."""
        every = retention_interval(self.settings)
        if every is None:
            return False
        with unit_of_work(self.sessions) as session:
            first_in = min(RETENTION_FIRST_RUN, every)
            return retention.schedule_runs(session, now=self.clock.now(), first_in=first_in)

    def start_background(self) -> None:
        self.schedule_retention()
        self.worker.start()
        self.scheduler.start()
        self.delivery.start()

    def close(self) -> None:
        self.worker.stop()
        self.scheduler.stop()
        self.delivery.stop()
        self.engine.dispose()


def _tell_seniors(session: Session, message: OutboxMessage, now: datetime) -> None:
    """A delivery that cannot get through is a human's problem now: say so where supervisors look."""
    text = f"Delivery to {message.target} failed {message.attempts} times: {message.last_error or 'unknown error'}"
    for user in session.scalars(select(User).where(User.role.in_(["supervisor", "admin"]), User.active)):
        session.add(Notification(user_id=user.id, case_id=message.case_id, at=now, text=text[:1000]))
    audit.record(
        session,
        at=now,
        actor="system:delivery",
        action="delivery.escalated",
        object_type="outbox",
        object_id=message.id,
        data={"target": message.target, "attempts": message.attempts, "error": message.last_error},
    )


def _mail_address(sessions: sessionmaker[Session], target: str) -> str | None:
    """Outbox rows for alert subscribers name them by reference; the address is read (decrypted) at send time."""
    if not target.startswith(subscribers.MAIL_TARGET):
        return target
    with unit_of_work(sessions) as session:
        return subscribers.mail_address(session, target)


def build_runtime(
    settings: Settings,
    *,
    detector: Detector | None = None,
    clock: Clock | None = None,
    bus: Bus | None = None,
    transports: dict[str, Transport] | None = None,
) -> Runtime:
    if detector is None:
        from lifeguard.detection.registry import detector_named

        detector = detector_named(
            settings.detector, settings.second_stage, settings.minilm_dir, settings.zh_stage_dir, settings.short_chat
        )
    keyring.install(settings.key_ring())
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    bus = bus or InProcessBus()
    clock = clock or SystemClock()
    sla = SlaPolicy(ack_seconds=dict(settings.sla_ack_seconds), claim_idle_seconds=settings.claim_idle_seconds)
    fusion_policy = load_policy(settings.risk_policy_path)
    risk = RiskEngine(catalogue=load_catalogue(settings.catalogue_path), policy=fusion_policy)
    worker = SignalWorker(
        sessions=sessions,
        detector=detector,
        bus=bus,
        clock=clock,
        store_floor=settings.store_floor,
        case_floor=settings.case_floor,
        sla=sla,
        risk=risk,
        case_priority_floor=settings.case_priority_floor,
        auto_hold_at=settings.auto_hold_orders_at,
    )
    scheduler = Scheduler(
        sessions=sessions,
        clock=clock,
        bus=bus,
        handlers={
            escalation.SLA_TIMER: functools.partial(escalation.on_sla_timer, policy=sla),
            escalation.STEP_TIMER: escalation.on_step_timer,
            interventions.ACK_TIMER: functools.partial(
                interventions.on_ack_timer, ack_within=timedelta(seconds=settings.referral_ack_seconds)
            ),
            alerts.WIDEN_TIMER: alerts.on_widen_timer,
            alerts.REFRESH_TIMER: alerts.on_refresh_timer,
            recheck.RECHECK_TIMER: functools.partial(recheck.on_recheck_timer, engine=risk, sla=sla),
            retention.RETENTION_TIMER: functools.partial(
                retention.on_retention_timer,
                policy=retention_policy(settings, fusion_policy.longest_memory_seconds),
                every=retention_interval(settings),
            ),
        },
    )
    if transports is None:
        transports = {"webhook": WebhookTransport()}
        if settings.smtp_host:
            transports["email"] = SmtpTransport(
                host=settings.smtp_host,
                port=settings.smtp_port,
                sender=settings.smtp_from,
                resolve=functools.partial(_mail_address, sessions),
            )
    delivery = DeliveryWorker(
        sessions=sessions, clock=clock, bus=bus, transports=transports, on_exhausted=_tell_seniors
    )
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=sessions,
        bus=bus,
        clock=clock,
        detector=detector,
        sla=sla,
        risk=risk,
        worker=worker,
        scheduler=scheduler,
        delivery=delivery,
        keys=ApiKeyVerifier(),
    )
