"""The police officer's side of alerts, at the storage edge: the unit's alerts at a glance, what was sent to whom,
the tip queue (ranked, clustered, duplicates folded), the officer's triage of tips, and the monthly figures.

The pure domain decides the order (``tips.rank_tips``), the groups (``tips.cluster_tips``), the duplicates
(``tips.dedupe``) and the figures (``lifecycle.monthly_stats``); this module reads the rows they need and writes
the triage with its audit record, in the caller's transaction (the request is the unit of work).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from enum import StrEnum

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from lifeguard.alerts import store
from lifeguard.alerts.cap import MsgType
from lifeguard.alerts.criteria import AnyRule, Criteria, FactValue, check_criteria, default_criteria
from lifeguard.alerts.geo import haversine_km
from lifeguard.alerts.lifecycle import AlertState, MissingPersonAlert, MonthStats, Outcome, monthly_stats
from lifeguard.alerts.model import Category, LastSeen
from lifeguard.alerts.models import AlertDelivery, AlertRow, CapMessageRow, TipPhoto, TipRow
from lifeguard.alerts.tips import Tip, cluster_tips, dedupe, rank_tips
from lifeguard.audit import service as audit
from lifeguard.delivery.models import OutboxMessage
from lifeguard.errors import Conflict, Forbidden, NotFound
from lifeguard.partners.models import Partner


class Triage(StrEnum):
    NEW = "new"
    USEFUL = "useful"
    NOT_USEFUL = "not_useful"


class UnknownTip(NotFound):
    code = "unknown_tip"


# --- who may see what -------------------------------------------------------------------------------------------


def check_own_unit(row: AlertRow, unit_id: str | None) -> None:
    """An officer acts on, and reads the tips of, their own unit's alerts only (403 otherwise).

    Stricter than ``store.check_unit`` on two points: an officer without a unit owns nothing, and an alert with
    no publishing unit on record belongs to no officer (the API's police keys still close those)."""
    if not unit_id:
        raise Forbidden("you are not assigned to a police unit; an administrator sets your unit")
    if row.unit_id is None:
        raise Forbidden(f"alert {row.public_id!r} has no publishing unit on record")
    store.check_unit(row, unit_id)


# --- criteria, as the officer reads them --------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    reason: str  # the sentence from criteria.yaml (or the rule itself when it has none)
    detail: str  # what the rule checks, or why it failed


def criteria_by_category(criteria: Criteria | None = None) -> dict[Category, list[Criterion]]:
    """Every category's rules, for the publish form."""
    chosen = criteria or default_criteria()
    shown: dict[Category, list[Criterion]] = {}
    for category, rules in chosen.rules.items():
        items = []
        for rule in rules:
            if isinstance(rule, AnyRule):
                detail = "one of: " + ", ".join(option.describe() for option in rule.options)
            else:
                detail = rule.describe()
            items.append(Criterion(reason=rule.reason or detail, detail=detail))
        shown[category] = items
    return shown


def unmet_criteria(
    category: Category, facts: Mapping[str, FactValue], criteria: Criteria | None = None
) -> list[Criterion]:
    """What keeps the alert from going out, one sentence per unmet rule; empty when it may be published.

    ``check_criteria`` decides; the rules are walked again only to split each reason from its detail, so that the
    console can show the reason in the officer's language."""
    chosen = criteria or default_criteria()
    if not check_criteria(category, facts, chosen):
        return []
    unmet = []
    for rule in chosen.rules[Category(category)]:
        why = rule.unmet(facts)
        if why is None:
            continue
        detail = why[len(rule.reason) :].strip().removeprefix("(").removesuffix(")") if rule.reason else why
        unmet.append(Criterion(reason=rule.reason or why, detail=detail))
    return unmet


# --- the list -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertSummary:
    row: AlertRow
    radius_km: float | None  # of the last Alert or Update
    tips_total: int
    tips_new: int
    partners_sent: int  # partners sent at least one message
    partners_acknowledged: int  # of those, how many acknowledged one
    people_reached: int  # as the partners reported with their latest acknowledgement


def summaries(session: Session, *, unit_id: str | None, limit: int = 500) -> list[AlertSummary]:
    """Open alerts first, then the newest. ``unit_id`` None: every unit's. Four queries, whatever the count."""
    stmt = select(AlertRow)
    if unit_id is not None:
        stmt = stmt.where(AlertRow.unit_id == unit_id)
    closed_last = case((AlertRow.status == AlertState.CLOSED.value, 1), else_=0)
    rows = list(
        session.scalars(stmt.order_by(closed_last, AlertRow.created_at.desc(), AlertRow.id.desc()).limit(limit))
    )
    ids = [r.id for r in rows]
    if not ids:
        return []
    tips_total: dict[int, int] = defaultdict(int)
    tips_new: dict[int, int] = defaultdict(int)
    for alert_id, triage in session.execute(
        select(TipRow.alert_id, TipRow.triage).where(TipRow.alert_id.in_(ids), TipRow.duplicate_of.is_(None))
    ):
        tips_total[alert_id] += 1
        tips_new[alert_id] += triage == Triage.NEW.value
    radius: dict[int, tuple[int, float]] = {}
    for alert_id, sequence, msg_type, radius_km in session.execute(
        select(CapMessageRow.alert_id, CapMessageRow.sequence, CapMessageRow.msg_type, CapMessageRow.radius_km).where(
            CapMessageRow.alert_id.in_(ids)
        )
    ):
        if msg_type != MsgType.CANCEL.value and sequence > radius.get(alert_id, (0, 0.0))[0]:
            radius[alert_id] = (sequence, radius_km)
    sent: dict[int, set[str]] = defaultdict(set)
    acked: dict[int, set[str]] = defaultdict(set)
    reached: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    for alert_id, sequence, partner_id, acknowledged_at, count in session.execute(
        select(
            CapMessageRow.alert_id,
            CapMessageRow.sequence,
            AlertDelivery.partner_id,
            AlertDelivery.acknowledged_at,
            AlertDelivery.reached,
        )
        .join(CapMessageRow, CapMessageRow.id == AlertDelivery.cap_message_id)
        .where(CapMessageRow.alert_id.in_(ids))
    ):
        sent[alert_id].add(partner_id)
        if acknowledged_at is not None:
            acked[alert_id].add(partner_id)
            if count is not None and sequence > reached[alert_id].get(partner_id, (0, 0))[0]:
                reached[alert_id][partner_id] = (sequence, count)
    return [
        AlertSummary(
            row=r,
            radius_km=radius[r.id][1] if r.id in radius else None,
            tips_total=tips_total[r.id],
            tips_new=tips_new[r.id],
            partners_sent=len(sent[r.id]),
            partners_acknowledged=len(acked[r.id]),
            people_reached=sum(c for _, c in reached[r.id].values()),
        )
        for r in rows
    ]


# --- what was sent to whom ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerDelivery:
    partner_id: str
    partner_name: str
    status: str  # the outbox's: pending, delivered, escalated
    delivered_at: datetime | None
    acknowledged_at: datetime | None
    reached: int | None


@dataclass(frozen=True)
class SentMessage:
    sequence: int
    msg_type: str
    identifier: str
    radius_km: float
    sent_at: datetime
    deliveries: list[PartnerDelivery] = field(default_factory=list)


def sent_messages(session: Session, row: AlertRow) -> list[SentMessage]:
    """Every CAP message of the alert, oldest first, each with the partners it went to and what they answered."""
    messages = store.messages_of(session, row)
    by_message: dict[int, list[PartnerDelivery]] = defaultdict(list)
    for delivery, outbox_row, partner in session.execute(
        select(AlertDelivery, OutboxMessage, Partner)
        .join(CapMessageRow, CapMessageRow.id == AlertDelivery.cap_message_id)
        .outerjoin(OutboxMessage, OutboxMessage.idempotency_key == AlertDelivery.idempotency_key)
        .outerjoin(Partner, Partner.id == AlertDelivery.partner_id)
        .where(CapMessageRow.alert_id == row.id)
        .order_by(AlertDelivery.partner_id)
    ):
        by_message[delivery.cap_message_id].append(
            PartnerDelivery(
                partner_id=delivery.partner_id,
                partner_name=partner.name if partner is not None else delivery.partner_id,
                status=outbox_row.status if outbox_row is not None else "unknown",
                delivered_at=outbox_row.delivered_at if outbox_row is not None else None,
                acknowledged_at=delivery.acknowledged_at,
                reached=delivery.reached,
            )
        )
    return [
        SentMessage(
            sequence=m.sequence,
            msg_type=m.msg_type,
            identifier=m.identifier,
            radius_km=m.radius_km,
            sent_at=m.sent_at,
            deliveries=by_message[m.id],
        )
        for m in messages
    ]


def recipients(messages: Sequence[SentMessage]) -> list[PartnerDelivery]:
    """Each partner sent anything about the alert, once (its latest delivery): whom a Cancel goes to."""
    latest: dict[str, PartnerDelivery] = {}
    for message in messages:
        for delivery in message.deliveries:
            latest[delivery.partner_id] = delivery
    return [latest[k] for k in sorted(latest)]


# --- the tip queue ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueuedTip:
    row: TipRow
    rank: int  # 1 = the newest sighting nearest the last known place
    score: float
    distance_km: float | None  # from the last known place
    duplicates: list[TipRow]  # the same words about the same place and time, folded under this one
    has_photo: bool  # served to the unit's officers by the console (``store.tip_photo``)


@dataclass(frozen=True)
class QueuedCluster:
    number: int  # 1-based, as the officer refers to it
    size: int  # sightings, duplicates not counted
    lat: float | None
    lon: float | None
    first_seen: datetime
    last_seen: datetime
    distance_km: float | None
    tips: list[QueuedTip]


@dataclass(frozen=True)
class TipQueue:
    clusters: list[QueuedCluster]  # ordered by their best-ranked tip, so the top is what to look at first
    total: int  # tips, duplicates not counted
    new: int  # of those, not yet triaged
    duplicates: int
    sealed: bool


def _tip_key(row: TipRow) -> str:
    return f"{row.id:012d}"  # zero-padded: the domain breaks ties by id as text


def _as_tip(row: TipRow, public_id: str) -> Tip:
    return store.as_tip(row, public_id, tip_id=_tip_key(row))


def _fold(rows: Sequence[TipRow], public_id: str) -> tuple[list[Tip], dict[str, list[TipRow]]]:
    """The original tips, and for each the copies folded under it: rows the store marked (``duplicate_of``), and
    any more that ``tips.dedupe`` finds (the same words about the same place and time)."""
    by_key = {_tip_key(r): r for r in rows}
    original_of = {
        _tip_key(r): f"{r.duplicate_of:012d}"
        for r in rows
        if r.duplicate_of is not None and f"{r.duplicate_of:012d}" in by_key
    }
    found = dedupe(_as_tip(r, public_id) for r in rows if _tip_key(r) not in original_of)
    original_of.update(found.duplicate_of)
    folded: dict[str, list[TipRow]] = defaultdict(list)
    for duplicate, first in original_of.items():
        seen = {duplicate}
        while first in original_of and first not in seen:  # a copy of a copy belongs to the first
            seen.add(first)
            first = original_of[first]
        folded[first].append(by_key[duplicate])
    return found.unique, folded


def tip_queue(session: Session, row: AlertRow, *, now: datetime, only_new: bool = False) -> TipQueue:
    """The tips for the officer in charge: duplicates folded under their original (those the store marked, and
    any ``tips.dedupe`` finds), originals ranked by ``tips.rank_tips`` and grouped by ``tips.cluster_tips``.

    ``only_new`` leaves out what was triaged already; ranks and clusters stay those of the whole queue, so a
    tip keeps its number when the filter changes."""
    rows = list(session.scalars(select(TipRow).where(TipRow.alert_id == row.id).order_by(TipRow.id)))
    by_key = {_tip_key(r): r for r in rows}
    with_photo = set(
        session.scalars(
            select(TipPhoto.tip_id).join(TipRow, TipRow.id == TipPhoto.tip_id).where(TipRow.alert_id == row.id)
        )
    )
    originals, folded = _fold(rows, row.public_id)
    last_seen: LastSeen = store.content_from_json(row.content).last_seen
    ranked = {r.tip.tip_id: (i, r) for i, r in enumerate(rank_tips(originals, last_seen=last_seen, now=now), 1)}
    clusters = []
    for cluster in cluster_tips(originals):
        members = sorted(cluster.tip_ids, key=lambda k: ranked[k][0])
        centre = (cluster.lat, cluster.lon) if cluster.lat is not None and cluster.lon is not None else None
        clusters.append(
            QueuedCluster(
                number=ranked[members[0]][0],  # renumbered below
                size=cluster.size,
                lat=cluster.lat,
                lon=cluster.lon,
                first_seen=cluster.first_seen,
                last_seen=cluster.last_seen,
                distance_km=haversine_km(last_seen.lat, last_seen.lon, *centre) if centre else None,
                tips=[
                    QueuedTip(
                        row=by_key[k],
                        rank=ranked[k][0],
                        score=ranked[k][1].score,
                        distance_km=ranked[k][1].distance_km,
                        duplicates=sorted(folded.get(k, []), key=lambda r: r.id),
                        has_photo=by_key[k].id in with_photo,
                    )
                    for k in members
                    if not only_new or by_key[k].triage == Triage.NEW.value
                ],
            )
        )
    clusters.sort(key=lambda c: c.number)  # by the best-ranked sighting in each
    numbered = [replace(c, number=n) for n, c in enumerate(clusters, start=1)]
    return TipQueue(
        clusters=[c for c in numbered if c.tips],
        total=len(originals),
        new=sum(by_key[t.tip_id].triage == Triage.NEW.value for t in originals),
        duplicates=sum(len(copies) for copies in folded.values()),
        sealed=row.status == AlertState.CLOSED.value or any(r.sealed for r in rows),
    )


def tip_of(session: Session, row: AlertRow, tip_id: int) -> TipRow:
    """One tip of this alert (404 for a tip of another alert: the unit check was on this one)."""
    tip = session.get(TipRow, tip_id)
    if tip is None or tip.alert_id != row.id:
        raise UnknownTip(f"alert {row.public_id!r} has no tip {tip_id}")
    return tip


def triage_tip(
    session: Session,
    *,
    row: AlertRow,
    tip_id: int,
    verdict: Triage,
    actor: str,
    now: datetime,
    request_id: str | None = None,
) -> TipRow:
    """The officer's reading of one tip (and of the copies folded under it), on the record.

    The caller has checked the unit (``check_own_unit``). Tips of a closed alert are sealed: kept as they were."""
    verdict = Triage(verdict)
    tip = tip_of(session, row, tip_id)
    if tip.sealed or row.status == AlertState.CLOSED.value:
        raise Conflict(f"alert {row.public_id!r} has ended; its tips are sealed for the police record")
    before = tip.triage
    rows = list(session.scalars(select(TipRow).where(TipRow.alert_id == row.id).order_by(TipRow.id)))
    copies = sorted(_fold(rows, row.public_id)[1].get(_tip_key(tip), []), key=lambda r: r.id)
    for target in (tip, *copies):
        target.triage, target.triaged_by, target.triaged_at = verdict.value, actor, now
    audit.record(
        session,
        at=now,
        actor=actor,
        action="alert.tip_triaged",
        object_type="alert",
        object_id=row.public_id,
        data={"tip": tip.id, "before": before, "after": verdict.value, "copies": [c.id for c in copies]},
        request_id=request_id,
    )
    session.flush()
    return tip


# --- figures --------------------------------------------------------------------------------------------------------


def stats(session: Session, *, unit_id: str | None, tz: tzinfo) -> list[MonthStats]:
    """``lifecycle.monthly_stats`` over the unit's alerts (``unit_id`` None: every unit's), months in ``tz``."""
    stmt = select(AlertRow).where(AlertRow.published_at.is_not(None))
    if unit_id is not None:
        stmt = stmt.where(AlertRow.unit_id == unit_id)
    alerts = [
        MissingPersonAlert(
            content=store.content_from_json(r.content),
            state=AlertState(r.status),
            created_at=r.created_at,
            published_at=r.published_at,
            closed_at=r.closed_at,
            outcome=Outcome(r.outcome) if r.outcome else None,
        )
        for r in session.scalars(stmt.order_by(AlertRow.id))
    ]
    return monthly_stats(alerts, tz=tz)
