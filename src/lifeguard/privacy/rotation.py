"""Rewrite every encrypted value with the active key, so an old key can be retired."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from lifeguard.alerts.models import AlertSubscriber, TipPhoto, TipRow
from lifeguard.cases.models import CaseEvent
from lifeguard.signals.models import InboxEntry, Signal

ENCRYPTED: tuple[tuple[type, tuple[str, ...]], ...] = (
    (Signal, ("text", "details", "location")),
    (InboxEntry, ("payload",)),
    (CaseEvent, ("body",)),
    (TipRow, ("text", "place_text")),
    (TipPhoto, ("data",)),
    (AlertSubscriber, ("email", "location")),
)
# Rows too large to hold a thousand of at once (a tip photo is up to 5 MB).
BATCH_LIMITS: dict[type, int] = {TipPhoto: 10}


@dataclass
class RotationReport:
    rows: int = 0


def rotate(session: Session, *, batch: int = 1000) -> RotationReport:
    """Decrypt (with whichever key wrote each value) and write back (with the active key), batch by batch."""
    report = RotationReport()
    for model, columns in ENCRYPTED:
        last = 0
        size = min(batch, BATCH_LIMITS.get(model, batch))
        while True:
            rows = list(session.scalars(select(model).where(model.id > last).order_by(model.id).limit(size)))  # type: ignore[attr-defined]
            if not rows:
                break
            for row in rows:
                for column in columns:
                    flag_modified(row, column)
                last = row.id
            session.flush()
            report.rows += len(rows)
            session.expunge_all()
    return report
