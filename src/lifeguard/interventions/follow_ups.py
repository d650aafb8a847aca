"""Check-ins after a case is resolved (1, 3, 7, 30 and 90 days by default): tasks in the queue, so that the
person is not left alone after the worst night. A new strong signal reopens the case in the meantime."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lifeguard.audit import service as audit
from lifeguard.errors import Conflict, NotFound
from lifeguard.interventions.models import FollowUp

DEFAULT_DAYS = (1, 3, 7, 30, 90)


def schedule(
    session: Session, *, case_id: int, resolved_at: datetime, days: tuple[int, ...] = DEFAULT_DAYS
) -> list[FollowUp]:
    cancel(session, case_id=case_id)  # a case resolved again starts its check-ins afresh
    items = [FollowUp(case_id=case_id, day=d, due_at=resolved_at + timedelta(days=d), status="due") for d in days]
    session.add_all(items)
    session.flush()
    return items


def cancel(session: Session, *, case_id: int) -> None:
    session.execute(
        update(FollowUp).where(FollowUp.case_id == case_id, FollowUp.status == "due").values(status="cancelled")
    )


def due(session: Session, *, now: datetime, limit: int = 100) -> list[FollowUp]:
    return list(
        session.scalars(
            select(FollowUp)
            .where(FollowUp.status == "due", FollowUp.due_at <= now)
            .order_by(FollowUp.due_at)
            .limit(limit)
        )
    )


def complete(session: Session, *, follow_up_id: int, actor: str, now: datetime) -> FollowUp:
    item = session.get(FollowUp, follow_up_id)
    if item is None:
        raise NotFound(f"follow-up {follow_up_id} does not exist")
    if item.status != "due":
        raise Conflict(f"follow-up {follow_up_id} is {item.status}")
    item.status, item.done_at, item.done_by = "done", now, actor
    audit.record(
        session,
        at=now,
        actor=actor,
        action="case.follow_up_done",
        object_type="case",
        object_id=item.case_id,
        data={"day": item.day},
    )
    return item


def for_case(session: Session, case_id: int) -> list[FollowUp]:
    return list(session.scalars(select(FollowUp).where(FollowUp.case_id == case_id).order_by(FollowUp.due_at)))
