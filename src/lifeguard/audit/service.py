"""Append to and verify the hash-chained audit log.

Each record's hash covers its own fields and the previous record's hash, so changing, removing or reordering
any record breaks every hash after it. ``verify`` walks the chain and names the first record that fails.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from lifeguard.audit.models import AuditRecord

GENESIS = "0" * 64


def _canonical(record: AuditRecord) -> bytes:
    body = {
        "seq": record.seq,
        "at": record.at.isoformat(timespec="microseconds"),
        "actor": record.actor,
        "action": record.action,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "data": record.data,
        "request_id": record.request_id,
        "prev_hash": record.prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _digest(record: AuditRecord) -> str:
    return hashlib.sha256(_canonical(record)).hexdigest()


def _lock_chain_head(session: Session) -> None:
    # SQLite transactions here begin IMMEDIATE, which already serialises writers. PostgreSQL needs a lock so
    # that two transactions never extend the chain from the same head.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(7355608001)"))


def record(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | int,
    data: dict[str, Any] | None = None,
    request_id: str | None = None,
) -> AuditRecord:
    """Append one record in the caller's transaction: it commits or rolls back with the action it records."""
    _lock_chain_head(session)
    head = session.execute(select(AuditRecord.seq, AuditRecord.hash).order_by(AuditRecord.seq.desc()).limit(1)).first()
    seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS)
    # Round-trip the data through JSON now so the hash covers exactly what the database will hold.
    clean = json.loads(json.dumps(data or {}, ensure_ascii=False, default=str))
    entry = AuditRecord(
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        data=clean,
        request_id=request_id,
        prev_hash=prev_hash,
        hash="",
    )
    entry.hash = _digest(entry)
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    records: int
    first_bad_seq: int | None = None
    problem: str | None = None


def verify(session: Session, *, batch: int = 5000) -> VerifyResult:
    expected_prev = GENESIS
    expected_seq = 1
    count = 0
    last_seq = 0
    while True:
        rows = session.scalars(
            select(AuditRecord).where(AuditRecord.seq > last_seq).order_by(AuditRecord.seq).limit(batch)
        ).all()
        if not rows:
            return VerifyResult(ok=True, records=count)
        for row in rows:
            if row.seq != expected_seq:
                return VerifyResult(False, count, expected_seq, f"record {expected_seq} is missing")
            if row.prev_hash != expected_prev:
                return VerifyResult(False, count, row.seq, "previous-hash link broken")
            if _digest(row) != row.hash:
                return VerifyResult(False, count, row.seq, "record content does not match its hash")
            expected_prev = row.hash
            expected_seq += 1
            last_seq = row.seq
            count += 1
        session.expunge_all()


def recent(session: Session, *, object_type: str, object_id: str | int, limit: int = 100) -> list[AuditRecord]:
    return list(
        session.scalars(
            select(AuditRecord)
            .where(AuditRecord.object_type == object_type, AuditRecord.object_id == str(object_id))
            .order_by(AuditRecord.seq.desc())
            .limit(limit)
        )
    )
