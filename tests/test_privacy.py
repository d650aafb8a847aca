"""Special-category fields are encrypted at rest, keys rotate, reveals are audited, retention erases."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from lifeguard.audit.models import AuditRecord
from lifeguard.cases import service as cases
from lifeguard.cases.models import Case, CaseEvent
from lifeguard.clock import FixedClock
from lifeguard.db.engine import unit_of_work
from lifeguard.delivery.models import OutboxMessage
from lifeguard.detection.assessment import Detector
from lifeguard.privacy import keyring
from lifeguard.privacy.keyring import KeyError_, KeyRing
from lifeguard.privacy.retention import (
    CATCH_UP,
    ERASED,
    RETENTION_TIMER,
    RetentionPolicy,
    on_retention_timer,
    run,
)
from lifeguard.privacy.rotation import encrypted_columns, rotate
from lifeguard.risk.models import RiskObservation, SubjectRiskRow
from lifeguard.runtime import RETENTION_FIRST_RUN, Runtime, build_runtime
from lifeguard.scheduling.models import Timer
from lifeguard.scheduling.service import MAX_TIMER_ATTEMPTS
from lifeguard.signals.models import InboxEntry, Signal
from tests import factories as f
from tests.conftest import add_user, login, make_settings

SECRET_WORDS = "我不想活了，今晚就从楼上跳下去"


def _post(client: TestClient, key: str, subject: str = "u-1", **fields: object) -> None:
    event = f.message(
        SECRET_WORDS, subject=subject, location={"admin_code": "440305", "lat": 22.53, "lon": 113.93}, **fields
    )
    assert (
        client.post("/v1/signals", headers={"Authorization": f"Bearer {key}"}, json={"events": [event]}).status_code
        == 200
    )


def test_words_and_places_are_encrypted_at_rest(client: TestClient, api_key: str, runtime: Runtime) -> None:
    _post(client, api_key)
    with runtime.engine.connect() as conn:
        raw_text, raw_location, raw_reasons, raw_spans = conn.execute(
            text("SELECT text, location, reasons, spans FROM signals")
        ).one()
        raw_events = " ".join(str(row[0]) for row in conn.execute(text("SELECT body FROM case_events")))
    assert raw_text.startswith("enc1:") and "跳下去" not in raw_text
    # reasons and spans can quote the words (the model's n-grams, idioms set aside): encrypted too
    assert raw_reasons.startswith("enc1:") and raw_spans.startswith("enc1:") and "不想活" not in raw_reasons
    assert "440305" not in raw_location and "22.53" not in raw_location
    assert "跳下去" not in raw_events
    with unit_of_work(runtime.sessions) as s:
        signal = s.scalars(select(Signal)).one()
        assert signal.text == SECRET_WORDS and signal.location["admin_code"] == "440305"
        assert signal.reasons and signal.spans  # and read back


def test_a_value_moved_to_another_column_does_not_decrypt() -> None:
    ring = KeyRing.derived("x" * 32)
    token = ring.encrypt(b"secret", context="signals.text")
    with pytest.raises(Exception):  # noqa: B017 - cryptography's InvalidTag
        ring.decrypt(token, context="signals.location")


def test_key_ring_parsing_refuses_bad_keys() -> None:
    with pytest.raises(KeyError_, match="32 bytes"):
        KeyRing.parse("k1:" + base64.b64encode(b"short").decode())
    with pytest.raises(KeyError_, match="no encryption keys"):
        KeyRing.parse(" , ")


@contextmanager
def _rotating_to_a_new_key() -> Iterator[KeyRing]:
    """Installs a ring whose active key is new and which still holds the old one; yields the ring of the new key
    alone (install it to retire the old key); puts the old ring back at the end."""
    old = keyring.current()
    rotated = KeyRing.parse(f"k2:{base64.b64encode(bytes(range(32))).decode()}")
    keyring.install(KeyRing(active="k2", keys={**rotated.keys, **old.keys}))
    try:
        yield rotated
    finally:
        keyring.install(old)


def test_rotation_rewrites_every_value_with_the_new_key(client: TestClient, api_key: str, runtime: Runtime) -> None:
    _post(client, api_key)
    with _rotating_to_a_new_key() as rotated:
        with unit_of_work(runtime.sessions) as s:
            assert rotate(s).rows >= 3
        with runtime.engine.connect() as conn:
            values = [v for (v,) in conn.execute(text("SELECT text FROM signals"))]
            values += [v for (v,) in conn.execute(text("SELECT body FROM case_events"))]
        assert values and all(keyring.current().key_id_of(v) == "k2" for v in values)
        keyring.install(rotated)  # the old key is retired: everything still reads
        with unit_of_work(runtime.sessions) as s:
            assert s.scalars(select(Signal)).one().text == SECRET_WORDS
            read = 0
            for model, columns in encrypted_columns():
                for row in s.scalars(select(model)):
                    for column in columns:
                        getattr(row, column)  # decrypts: raises if a value was left under the retired key
                        read += 1
            assert s.scalars(select(Case)).one().risk_reasons["level"]  # a case's risk reasons, once left behind
            assert s.scalars(select(SubjectRiskRow)).one().state  # the fusion state (keyed by platform, subject)
        assert read >= 8


def test_rotation_finds_every_encrypted_column_of_every_table() -> None:
    """The columns are found from the tables' types, so a new encrypted column cannot be forgotten; these are
    the ones a hand-kept list had missed."""
    found = {f"{model.__tablename__}.{column}" for model, columns in encrypted_columns() for column in columns}
    assert {
        "cases.risk_reasons",
        "subject_risk.state",
        "risk_observations.observation",
        "referrals.package",
        "referrals.fallbacks",
        "referrals.outcome_note",
        "partners.webhook_secret",
        "signals.text",
        "signal_inbox.payload",
        "tip_photos.data",
    } <= found


def test_rotation_pages_through_a_composite_primary_key(runtime: Runtime) -> None:
    """Batches smaller than the table: the fusion state's (platform, subject) key pages without repeats."""
    now = datetime(2026, 11, 23, tzinfo=UTC)
    with unit_of_work(runtime.sessions) as s:
        for index in range(5):
            s.add(
                SubjectRiskRow(
                    platform="p", subject=f"u-{index}", state={"i": index}, level="ideation", priority=2, updated_at=now
                )
            )
    with _rotating_to_a_new_key() as rotated:
        with unit_of_work(runtime.sessions) as s:
            assert rotate(s, batch=2).rows == 5
        keyring.install(rotated)
        with unit_of_work(runtime.sessions) as s:
            states = sorted(row.state["i"] for row in s.scalars(select(SubjectRiskRow)))
        assert states == [0, 1, 2, 3, 4]


def test_every_look_at_a_case_is_audited(client: TestClient, api_key: str, runtime: Runtime) -> None:
    _post(client, api_key)
    add_user(runtime, "alice", "interventionist")
    login(client, "alice")
    case_id = client.get("/v1/cases", headers={"Authorization": f"Bearer {api_key}"}).json()["cases"][0]["id"]
    page = client.get(f"/cases/{case_id}")
    assert "area 440305" in page.text and SECRET_WORDS in re.sub(r"<[^>]+>", "", page.text)  # shown, highlighted
    assert "440305" not in client.get("/queue").text  # the queue shows pseudonymous ids only
    with unit_of_work(runtime.sessions) as s:
        views = s.scalars(select(AuditRecord).where(AuditRecord.action == "case.viewed")).all()
    assert [(v.actor, v.object_id) for v in views] == [("user:alice", str(case_id))]


def test_retention_erases_closed_cases_and_old_keys(client: TestClient, api_key: str, runtime: Runtime) -> None:
    _post(client, api_key, subject="closed-long-ago")
    _post(client, api_key, subject="still-open")
    now = datetime.now(UTC)
    with unit_of_work(runtime.sessions) as s:
        closed = s.scalars(select(Case).where(Case.subject == "closed-long-ago")).one()
        cases.add_note(s, case_id=closed.id, text="Her mother's phone is 138-0000-0000", actor="user:a", now=now)
        cases.change_status(
            s, case_id=closed.id, status="resolved", outcome="rescued", actor="user:a", now=now - timedelta(days=200)
        )
        closed_id = closed.id
        signal = s.scalars(select(Signal).where(Signal.case_id == closed_id)).one()
        signal.reasons = [*signal.reasons, "ngram:从楼上", "idiom:zh:笑死我了", "third_party:negated:zh:不想活"]
        closed.risk_reasons = {**closed.risk_reasons, "reasons": ["rule:attempt.imminent_time", "ngram:从楼上"]}
    with unit_of_work(runtime.sessions) as s:
        report = run(s, now=now + timedelta(days=1), policy=RetentionPolicy(closed_case_days=180, inbox_days=0))
    assert report.cases_anonymised == 1 and report.signals_erased == 1 and report.notes_erased == 1
    assert report.inbox_keys_deleted == 2
    with unit_of_work(runtime.sessions) as s:
        case = s.get(Case, closed_id)
        assert case is not None and case.outcome == "rescued" and case.subject.startswith("erased-")
        signal = s.scalars(select(Signal).where(Signal.case_id == closed_id)).one()
        assert signal.text == "" and signal.location is None
        # reasons stay for the reports, but not those that quote the words
        assert not {"ngram:从楼上", "idiom:zh:笑死我了", "third_party:negated:zh:不想活"} & set(signal.reasons)
        assert "rule:attempt.imminent_time" in signal.reasons
        assert case.risk_reasons["reasons"] == ["rule:attempt.imminent_time"]
        note = s.scalars(select(CaseEvent).where(CaseEvent.case_id == closed_id, CaseEvent.kind == "note")).one()
        assert note.body == {"text": ERASED}
        open_signal = s.scalars(select(Signal).where(Signal.subject == "still-open")).one()
        assert open_signal.text == SECRET_WORDS  # open cases are untouched
        assert s.scalars(select(InboxEntry)).all() == []
    with unit_of_work(runtime.sessions) as s:
        again = run(s, now=now + timedelta(days=2), policy=RetentionPolicy())
    assert again.cases_anonymised == 0  # idempotent


def test_retention_forgets_the_risk_state_of_people_idle_past_its_memory(
    client: TestClient, api_key: str, runtime: Runtime
) -> None:
    _post(client, api_key, subject="idle-person")
    _post(client, api_key, subject="active-person")
    now = datetime.now(UTC)
    with unit_of_work(runtime.sessions) as s:
        idle = s.scalars(select(SubjectRiskRow).where(SubjectRiskRow.subject == "idle-person")).one()
        idle.updated_at = now - timedelta(days=31)
        assert s.scalars(select(RiskObservation).where(RiskObservation.subject == "idle-person")).all()
    with unit_of_work(runtime.sessions) as s:
        report = run(s, now=now, policy=RetentionPolicy(idle_risk_state_days=30))
    assert report.idle_risk_states_deleted == 1
    with unit_of_work(runtime.sessions) as s:
        assert {row.subject for row in s.scalars(select(SubjectRiskRow))} == {"active-person"}
        assert {o.subject for o in s.scalars(select(RiskObservation))} == {"active-person"}
        assert s.scalars(select(Case).where(Case.subject == "idle-person")).one()  # the case is not retention's yet
    with unit_of_work(runtime.sessions) as s:
        assert run(s, now=now, policy=RetentionPolicy(idle_risk_state_days=30)).idle_risk_states_deleted == 0


def test_retention_deletes_old_deliveries_and_fired_timers_only(runtime: Runtime) -> None:
    now = datetime.now(UTC)
    old, recent = now - timedelta(days=100), now - timedelta(days=5)
    with unit_of_work(runtime.sessions) as s:
        for key, status, delivered_at in (
            ("old-delivered", "delivered", old),
            ("recent-delivered", "delivered", recent),
            ("old-escalated", "escalated", None),
            ("old-pending", "pending", None),
        ):
            s.add(
                OutboxMessage(
                    idempotency_key=key, channel="webhook", target="https://unit.example.invalid/hook",
                    payload={"referral": "package"}, status=status, attempts=1, next_attempt_at=old,
                    created_at=old, delivered_at=delivered_at,
                )
            )  # fmt: skip
        for fired_at, due in ((old, old), (recent, recent), (None, old)):
            s.add(Timer(kind="case.sla", due_at=due, payload={}, created_at=old, fired_at=fired_at, attempts=0))
    with unit_of_work(runtime.sessions) as s:
        report = run(s, now=now, policy=RetentionPolicy(delivered_outbox_days=90, fired_timer_days=30))
    assert (report.delivered_outbox_deleted, report.fired_timers_deleted) == (1, 1)
    with unit_of_work(runtime.sessions) as s:
        keys = set(s.scalars(select(OutboxMessage.idempotency_key)))
        assert keys == {"recent-delivered", "old-escalated", "old-pending"}  # nobody's undelivered work is lost
        left = s.scalars(select(Timer.fired_at)).all()
        assert len(left) == 2 and None in left  # the pending timer stays


def _old_delivery(s: object, key: str, at: datetime) -> None:
    s.add(  # type: ignore[attr-defined]
        OutboxMessage(
            idempotency_key=key, channel="webhook", target="https://unit.example.invalid/hook",
            payload={"referral": "package"}, status="delivered", attempts=1, next_attempt_at=at,
            created_at=at, delivered_at=at,
        )
    )  # fmt: skip


def _pending_retention_runs(rt: Runtime) -> list[datetime]:
    with unit_of_work(rt.sessions) as s:
        query = select(Timer.due_at).where(Timer.kind == RETENTION_TIMER, Timer.fired_at.is_(None))
        return list(s.scalars(query))


def test_the_scheduler_runs_retention_every_day_without_anyone_asking(db_url: str, detector: Detector) -> None:
    start = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    clock = FixedClock(start)
    rt = build_runtime(make_settings(db_url), detector=detector, clock=clock)
    try:
        with unit_of_work(rt.sessions) as s:
            _old_delivery(s, "old-delivered", start - timedelta(days=100))
        assert rt.schedule_retention() is True
        assert rt.schedule_retention() is False  # a second process finds it pending: one run at a time
        assert _pending_retention_runs(rt) == [start + RETENTION_FIRST_RUN]
        assert rt.scheduler.tick() == 0  # not due yet
        clock.advance(RETENTION_FIRST_RUN)
        assert rt.scheduler.tick() == 1
        with unit_of_work(rt.sessions) as s:
            assert s.scalars(select(OutboxMessage)).all() == []
            runs = s.scalars(select(AuditRecord).where(AuditRecord.action == "retention.run")).all()
            assert len(runs) == 1 and runs[0].actor == "system:retention"
            _old_delivery(s, "delivered-later", clock.now() - timedelta(days=91))
        first_run = clock.now()
        assert _pending_retention_runs(rt) == [first_run + timedelta(hours=24)]
        clock.advance(timedelta(hours=23))
        assert rt.scheduler.tick() == 0
        clock.advance(timedelta(hours=1))
        assert rt.scheduler.tick() == 1  # the next day's run, on its own
        with unit_of_work(rt.sessions) as s:
            assert s.scalars(select(OutboxMessage)).all() == []
        assert _pending_retention_runs(rt) == [first_run + timedelta(hours=48)]
    finally:
        rt.close()


def test_a_retention_run_that_kept_failing_does_not_stop_deletion_for_good(runtime: Runtime) -> None:
    now = datetime.now(UTC)
    with unit_of_work(runtime.sessions) as s:
        s.add(
            Timer(kind=RETENTION_TIMER, due_at=now, payload={}, created_at=now, attempts=MAX_TIMER_ATTEMPTS,
                  last_error="OperationalError('disk full')")
        )  # fmt: skip
    assert runtime.schedule_retention() is True  # the dead timer is not a pending run
    assert len(_pending_retention_runs(runtime)) == 2
    assert runtime.schedule_retention() is False


def test_a_run_that_fills_its_batch_is_followed_within_a_minute(runtime: Runtime) -> None:
    now = datetime.now(UTC)
    with unit_of_work(runtime.sessions) as s:
        for subject in ("idle-1", "idle-2"):
            s.add(
                SubjectRiskRow(
                    platform="shop-a", subject=subject, state={}, level="none", priority=3,
                    updated_at=now - timedelta(days=60),
                )
            )  # fmt: skip
        timer = Timer(kind=RETENTION_TIMER, due_at=now, payload={}, created_at=now, attempts=0)
        s.add(timer)
        s.flush()
        on_retention_timer(s, timer, now, policy=RetentionPolicy(), every=timedelta(hours=24), batch=1)
    assert _pending_retention_runs(runtime) == [now, now + CATCH_UP]  # (the first is the one a scheduler marks)
    with unit_of_work(runtime.sessions) as s:
        assert len(s.scalars(select(SubjectRiskRow)).all()) == 1  # one batch now, the rest a minute later


def test_retention_can_be_left_to_the_platforms_own_scheduler(db_url: str, detector: Detector) -> None:
    rt = build_runtime(make_settings(db_url, retention_every_hours=0), detector=detector)
    try:
        assert rt.schedule_retention() is False
        assert _pending_retention_runs(rt) == []
        now = datetime.now(UTC)
        with unit_of_work(rt.sessions) as s:  # a run set before scheduling was switched off sets no next one
            timer = Timer(kind=RETENTION_TIMER, due_at=now, payload={}, created_at=now, attempts=0)
            s.add(timer)
            s.flush()
            on_retention_timer(s, timer, now, policy=RetentionPolicy(), every=None)
            timer.fired_at = now
        assert _pending_retention_runs(rt) == []
    finally:
        rt.close()


def test_the_retention_policy_never_forgets_risk_sooner_than_fusion_remembers() -> None:
    policy = RetentionPolicy(idle_risk_state_days=1)
    assert policy.remembering(11.5 * 86400).idle_risk_state_days == 12
    assert RetentionPolicy(idle_risk_state_days=40).remembering(12 * 86400).idle_risk_state_days == 40
