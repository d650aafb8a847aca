"""One alert from draft to closed: publish, widen on schedule, revise, close with an outcome, and count.

    draft ──publish──► published ──widen / revise──► updated ◄─┐
      │                    │                            │  └──┘ widen / revise
      └──discard──►  closed ◄──────── close ────────────┘

Values are immutable: every step returns the new alert and the CAP message to send, so the caller stores both in
one transaction (the outbox pattern) and a crash between "decided" and "sent" resends the same message (CAP
identifiers are stable). Closing withdraws the photos and seals the tips (flags the storage edge acts on) and
produces one Cancel for every partner that was sent anything about the alert.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum

from lifeguard.alerts.cap import CapMessage, Issuer, build_alert, build_cancel, build_update, format_radius
from lifeguard.alerts.criteria import Criteria, FactValue, check_criteria
from lifeguard.alerts.errors import CriteriaNotMet, InvalidAlertInput, InvalidAlertTransition, UnknownAlert
from lifeguard.alerts.model import AlertContent, require_aware
from lifeguard.alerts.schedule import DEFAULT_SCHEDULE, WideningSchedule
from lifeguard.alerts.targeting import TargetIndex


class AlertState(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    UPDATED = "updated"
    CLOSED = "closed"


class Outcome(StrEnum):
    FOUND_ALIVE = "found_alive"
    FOUND_DECEASED = "found_deceased"
    OTHER = "other"  # withdrawn: false report, returned home on their own before anyone looked, duplicate alert


FOUND: frozenset[Outcome] = frozenset({Outcome.FOUND_ALIVE, Outcome.FOUND_DECEASED})

TRANSITIONS: Mapping[AlertState, frozenset[AlertState]] = {
    AlertState.DRAFT: frozenset({AlertState.PUBLISHED, AlertState.CLOSED}),  # closing a draft sends nothing
    AlertState.PUBLISHED: frozenset({AlertState.UPDATED, AlertState.CLOSED}),
    AlertState.UPDATED: frozenset({AlertState.UPDATED, AlertState.CLOSED}),
    AlertState.CLOSED: frozenset(),  # a person missing again gets a new alert, with today's facts
}


def _move(current: AlertState, target: AlertState, alert_id: str) -> AlertState:
    if target not in TRANSITIONS[current]:
        raise InvalidAlertTransition(f"alert {alert_id!r} cannot go from {current.value} to {target.value}")
    return target


@dataclass(frozen=True)
class SentCircle:
    lat: float
    lon: float
    radius_km: float


@dataclass(frozen=True)
class MissingPersonAlert:
    content: AlertContent
    state: AlertState
    created_at: datetime
    schedule: WideningSchedule = DEFAULT_SCHEDULE
    published_at: datetime | None = None
    closed_at: datetime | None = None
    outcome: Outcome | None = None
    radius_km: float | None = None
    done_steps: frozenset[int] = frozenset()
    messages: tuple[CapMessage, ...] = ()
    circles: tuple[SentCircle, ...] = ()  # every area a message went out with, for the Cancel's reach
    recipients: frozenset[str] = frozenset()  # partners sent at least one message of this alert
    photos_withdrawn: bool = False
    tips_sealed: bool = False

    @property
    def alert_id(self) -> str:
        return self.content.alert_id

    @property
    def is_open(self) -> bool:
        return self.state in (AlertState.PUBLISHED, AlertState.UPDATED)

    @property
    def next_sequence(self) -> int:
        return len(self.messages) + 1

    def time_to_close(self) -> timedelta | None:
        if self.published_at is None or self.closed_at is None:
            return None
        return self.closed_at - self.published_at


def new_alert(
    content: AlertContent, *, now: datetime, schedule: WideningSchedule = DEFAULT_SCHEDULE
) -> MissingPersonAlert:
    return MissingPersonAlert(
        content=content, state=AlertState.DRAFT, created_at=require_aware(now, "now"), schedule=schedule
    )


def _check_clock(alert: MissingPersonAlert, now: datetime) -> None:
    require_aware(now, "now")
    if alert.messages and now < alert.messages[-1].sent:
        # CAP references must point back in time; a clock that went backwards would produce a message
        # "sent" before the one it updates.
        raise InvalidAlertInput(f"now ({now.isoformat()}) is before the last message of alert {alert.alert_id!r}")


def _with_message(alert: MissingPersonAlert, message: CapMessage, radius_km: float) -> MissingPersonAlert:
    last_seen = alert.content.last_seen
    circle = SentCircle(last_seen.lat, last_seen.lon, radius_km)
    circles = alert.circles if circle in alert.circles else (*alert.circles, circle)
    return replace(alert, messages=(*alert.messages, message), circles=circles, radius_km=radius_km)


def publish(
    alert: MissingPersonAlert,
    *,
    issuer: Issuer,
    facts: Mapping[str, FactValue],
    now: datetime,
    criteria: Criteria | None = None,
) -> tuple[MissingPersonAlert, CapMessage]:
    """Check the category's criteria, then issue the CAP Alert at the schedule's first radius."""
    state = _move(alert.state, AlertState.PUBLISHED, alert.alert_id)
    _check_clock(alert, now)
    unmet = check_criteria(alert.content.category, facts, criteria)
    if unmet:
        raise CriteriaNotMet(alert.content.category.value, unmet)
    first = alert.schedule.steps[0]
    message = build_alert(alert.content, issuer=issuer, radius_km=first.radius_km, sent=now)
    published = replace(alert, state=state, published_at=message.sent, done_steps=frozenset({first.index}))
    return _with_message(published, message, first.radius_km), message


def _update(
    alert: MissingPersonAlert, *, issuer: Issuer, now: datetime, radius_km: float, content: AlertContent, note: str
) -> tuple[MissingPersonAlert, CapMessage]:
    state = _move(alert.state, AlertState.UPDATED, alert.alert_id)
    _check_clock(alert, now)
    message = build_update(
        content,
        issuer=issuer,
        radius_km=radius_km,
        sent=now,
        sequence=alert.next_sequence,
        previous=alert.messages,
        note=note,
    )
    return _with_message(replace(alert, state=state, content=content), message, radius_km), message


def widen(alert: MissingPersonAlert, *, issuer: Issuer, now: datetime) -> tuple[MissingPersonAlert, CapMessage | None]:
    """If widening steps are due, one Update at the widest of them (intermediate circles lie inside it)."""
    if not alert.is_open or alert.published_at is None:
        raise InvalidAlertTransition(f"alert {alert.alert_id!r} is {alert.state.value}; only open alerts widen")
    due = alert.schedule.steps_due(alert.published_at, now, alert.done_steps)
    if not due:
        return alert, None
    widest = due[-1]
    updated, message = _update(
        alert,
        issuer=issuer,
        now=now,
        radius_km=widest.radius_km,
        content=alert.content,
        note=f"Alert area widened to {format_radius(widest.radius_km)} km.",
    )
    return replace(updated, done_steps=alert.done_steps | {s.index for s in due}), message


def revise(
    alert: MissingPersonAlert, *, issuer: Issuer, now: datetime, content: AlertContent, note: str
) -> tuple[MissingPersonAlert, CapMessage]:
    """New facts (a confirmed sighting, clothing, a better photo), or a refresh before the alert expires.

    The radius stays: an alert does not shrink while open, even when the last known place moves.
    """
    if content.alert_id != alert.alert_id or content.category is not alert.content.category:
        raise InvalidAlertInput("a revision keeps the alert id and category; open a new alert to change them")
    if alert.radius_km is None:
        raise InvalidAlertTransition(f"alert {alert.alert_id!r} is {alert.state.value}; publish it first")
    return _update(alert, issuer=issuer, now=now, radius_km=alert.radius_km, content=content, note=note)


def refresh_due(alert: MissingPersonAlert, *, issuer: Issuer, now: datetime, margin: timedelta) -> bool:
    """True when the last message expires at partners within ``margin``: time to ``revise`` with the same facts."""
    require_aware(now, "now")
    if not alert.is_open or not alert.messages:
        return False
    return alert.messages[-1].sent + issuer.validity - margin <= now


def record_recipients(alert: MissingPersonAlert, partner_ids: Iterable[str]) -> MissingPersonAlert:
    if alert.state is AlertState.CLOSED:
        raise InvalidAlertTransition(f"alert {alert.alert_id!r} is closed; nothing more is delivered")
    return replace(alert, recipients=alert.recipients | frozenset(partner_ids))


@dataclass(frozen=True)
class Closure:
    alert: MissingPersonAlert
    cancel: CapMessage | None  # None when a draft is discarded: nothing went out, nothing to withdraw
    cancel_partners: frozenset[str]


def close(alert: MissingPersonAlert, *, issuer: Issuer, outcome: Outcome, now: datetime) -> Closure:
    state = _move(alert.state, AlertState.CLOSED, alert.alert_id)
    _check_clock(alert, now)
    outcome = Outcome(outcome)
    if alert.state is AlertState.DRAFT:
        closed = replace(alert, state=state, outcome=outcome, closed_at=now, photos_withdrawn=True, tips_sealed=True)
        return Closure(closed, None, frozenset())
    assert alert.radius_km is not None  # an open alert always has one
    cancel = build_cancel(
        alert.content,
        issuer=issuer,
        radius_km=alert.radius_km,
        sent=now,
        sequence=alert.next_sequence,
        previous=alert.messages,
    )
    closed = replace(
        alert,
        state=state,
        outcome=outcome,
        closed_at=cancel.sent,
        messages=(*alert.messages, cancel),
        photos_withdrawn=True,  # the public page and partners must stop showing the person
        tips_sealed=True,  # no new tips; the ones received stay for the police record
    )
    return Closure(closed, cancel, alert.recipients)


@dataclass(frozen=True)
class DeliveryPlan:
    partner_ids: frozenset[str]
    subscriber_ids: frozenset[str]


def plan_delivery(alert: MissingPersonAlert, index: TargetIndex) -> DeliveryPlan:
    """Who gets the alert's latest message.

    Partners: those covering the current circle, plus every partner sent an earlier message (an Update or the
    Cancel must reach whoever shows the old one, even if the last known place moved away from them).
    Subscribers: everyone inside any circle the alert has gone out with.
    """
    if not alert.messages:
        return DeliveryPlan(frozenset(), frozenset())
    partners: set[str] = set(alert.recipients)
    subscribers: set[str] = set()
    for i, circle in enumerate(alert.circles):
        targets = index.select(circle.lat, circle.lon, circle.radius_km)
        subscribers |= targets.subscriber_ids
        if i == len(alert.circles) - 1 and alert.state is not AlertState.CLOSED:
            partners |= targets.partner_ids
    return DeliveryPlan(frozenset(partners), frozenset(subscribers))


class AlertBook:
    """The open and closed alerts by id: the in-memory stand-in for the table the storage edge keeps."""

    def __init__(self) -> None:
        self._alerts: dict[str, MissingPersonAlert] = {}

    def add(self, alert: MissingPersonAlert) -> None:
        if alert.alert_id in self._alerts:
            raise InvalidAlertInput(f"alert {alert.alert_id!r} exists already")
        self._alerts[alert.alert_id] = alert

    def get(self, alert_id: str) -> MissingPersonAlert:
        alert = self._alerts.get(alert_id)
        if alert is None:
            raise UnknownAlert(f"no alert {alert_id!r}: nothing to cancel or update")
        return alert

    def put(self, alert: MissingPersonAlert) -> None:
        self.get(alert.alert_id)
        self._alerts[alert.alert_id] = alert

    def cancel(self, alert_id: str, *, issuer: Issuer, outcome: Outcome, now: datetime) -> Closure:
        closure = close(self.get(alert_id), issuer=issuer, outcome=outcome, now=now)
        self._alerts[alert_id] = closure.alert
        return closure

    def __iter__(self) -> Iterator[MissingPersonAlert]:
        return iter(list(self._alerts.values()))


# --- statistics -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthStats:
    """Alerts published in one month, and what became of them (so far)."""

    month: str  # "2026-11"
    published: int
    found_alive: int
    found_deceased: int
    closed_other: int
    still_open: int
    median_time_to_found: timedelta | None  # publication to close, over found alive and found deceased

    @property
    def found(self) -> int:
        return self.found_alive + self.found_deceased


def monthly_stats(alerts: Iterable[MissingPersonAlert], *, tz: tzinfo = UTC) -> list[MonthStats]:
    """Per month of publication (in ``tz``), oldest first. Drafts never published are not counted.

    Reports must tell found alive from found: the first year's public figure ("1,274 of 1,317 found") hid
    that some were found dead.
    """
    cohorts: dict[str, list[MissingPersonAlert]] = {}
    for alert in alerts:
        if alert.published_at is None:
            continue
        cohorts.setdefault(alert.published_at.astimezone(tz).strftime("%Y-%m"), []).append(alert)
    result = []
    for month in sorted(cohorts):
        group = cohorts[month]
        found_seconds = [
            t.total_seconds() for a in group if a.outcome in FOUND and (t := a.time_to_close()) is not None
        ]
        median = timedelta(seconds=statistics.median(found_seconds)) if found_seconds else None
        result.append(
            MonthStats(
                month=month,
                published=len(group),
                found_alive=sum(a.outcome is Outcome.FOUND_ALIVE for a in group),
                found_deceased=sum(a.outcome is Outcome.FOUND_DECEASED for a in group),
                closed_other=sum(a.outcome is Outcome.OTHER for a in group),
                still_open=sum(a.is_open for a in group),
                median_time_to_found=median,
            )
        )
    return result
