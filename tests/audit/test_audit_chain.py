"""The audit log is hash-chained: any edit, deletion or reordering is detected, and the CLI says where."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from lifeguard.audit import service as audit
from lifeguard.audit.models import AuditRecord
from lifeguard.cli import app
from lifeguard.db.engine import unit_of_work
from lifeguard.runtime import Runtime

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _fill(session: Session, n: int = 5) -> None:
    for i in range(n):
        audit.record(
            session,
            at=NOW + timedelta(seconds=i),
            actor="user:alice",
            action="case.note_added",
            object_type="case",
            object_id=i,
            data={"i": i, "text": "打电话 ✓"},
        )


def test_an_untouched_chain_verifies(session: Session) -> None:
    _fill(session)
    result = audit.verify(session)
    assert result.ok and result.records == 5


def test_an_empty_log_verifies(session: Session) -> None:
    assert audit.verify(session).ok


@pytest.mark.parametrize(
    ("tamper", "bad_seq", "problem"),
    [
        (update(AuditRecord).where(AuditRecord.seq == 3).values(actor="user:mallory"), 3, "does not match its hash"),
        (update(AuditRecord).where(AuditRecord.seq == 2).values(data={"i": 99}), 2, "does not match its hash"),
        (delete(AuditRecord).where(AuditRecord.seq == 4), 4, "missing"),
    ],
)
def test_tampering_is_detected_at_the_right_record(
    session: Session, tamper: object, bad_seq: int, problem: str
) -> None:
    _fill(session)
    session.execute(tamper)  # type: ignore[arg-type]
    result = audit.verify(session)
    assert not result.ok
    assert result.first_bad_seq == bad_seq
    assert problem in (result.problem or "")


def test_rewriting_a_record_with_a_fresh_hash_still_breaks_the_next_link(session: Session) -> None:
    _fill(session)
    forged = session.get(AuditRecord, 2)
    assert forged is not None
    forged.actor = "user:mallory"
    forged.hash = audit._digest(forged)  # the forger recomputes this record's own hash...
    session.flush()
    result = audit.verify(session)
    assert not result.ok and result.first_bad_seq == 3  # ...but record 3 still points at the old one


def test_cli_verify_exit_codes(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIFEGUARD_DATABASE_URL", runtime.settings.database_url)
    with unit_of_work(runtime.sessions) as s:
        _fill(s)
    ok = CliRunner().invoke(app, ["audit", "verify", "--json"])
    assert ok.exit_code == 0 and json.loads(ok.stdout) == {
        "ok": True,
        "records": 5,
        "first_bad_seq": None,
        "problem": None,
    }
    with unit_of_work(runtime.sessions) as s:
        s.execute(update(AuditRecord).where(AuditRecord.seq == 2).values(action="case.deleted"))
    bad = CliRunner().invoke(app, ["audit", "verify"])
    assert bad.exit_code == 1
    assert "TAMPERED at record 2" in bad.stderr
