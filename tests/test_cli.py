"""The `lifeguard` command as an operator uses it: migrate, add users and keys, load the demo, verify."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from lifeguard.alerts.models import AlertRow
from lifeguard.auth.models import ApiKey, User
from lifeguard.cases.models import Case
from lifeguard.cli import app
from lifeguard.db.engine import make_engine, make_session_factory

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("LIFEGUARD_DATABASE_URL", url)
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return url


def _count(url: str, model: type) -> int:
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        n = s.scalar(select(func.count()).select_from(model)) or 0
    engine.dispose()
    return n


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["db"],
        ["demo"],
        ["user"],
        ["apikey"],
        ["audit"],
        ["serve"],
        ["worker"],
        ["user", "add"],
        ["apikey", "create"],
        ["audit", "verify"],
    ],
)
def test_help_is_useful_everywhere(args: list[str]) -> None:
    result = runner.invoke(app, [*args, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output and len(result.output) > 200


def test_user_add_and_refusals(db: str) -> None:
    ok = runner.invoke(
        app, ["user", "add", "alice", "--role", "interventionist", "--password-stdin"], input="long enough password\n"
    )
    assert ok.exit_code == 0 and "alice added" in ok.output
    dup = runner.invoke(
        app, ["user", "add", "alice", "--role", "interventionist", "--password-stdin"], input="long enough password\n"
    )
    assert dup.exit_code == 1 and "exists" in dup.output
    bad_role = runner.invoke(
        app, ["user", "add", "bob", "--role", "superhero", "--password-stdin"], input="long enough password\n"
    )
    assert bad_role.exit_code == 1 and "unknown role" in bad_role.output
    short = runner.invoke(app, ["user", "add", "carol", "--role", "auditor", "--password-stdin"], input="short\n")
    assert short.exit_code == 1 and "at least 10" in short.output
    assert _count(db, User) == 1
    liaison = runner.invoke(
        app,
        ["user", "add", "wang", "--role", "police_liaison", "--unit", "zz-police", "--password-stdin"],
        input="long enough password\n",
    )
    assert liaison.exit_code == 0 and "unit zz-police" in liaison.output
    not_police = runner.invoke(
        app, ["user", "add", "dan", "--role", "supervisor", "--unit", "zz-police", "--password-stdin"], input="x" * 12
    )
    assert not_police.exit_code == 1 and "police liaisons" in not_police.output
    engine = make_engine(db)
    with make_session_factory(engine)() as s:
        units = dict(s.execute(select(User.username, User.unit)).all())
    engine.dispose()
    assert units == {"alice": None, "wang": "zz-police"}  # the refused supervisor was not added at all


def test_apikey_create_prints_the_key_once_and_stores_a_hash(db: str) -> None:
    result = runner.invoke(
        app, ["apikey", "create", "--partner", "shop-x", "--scope", "signals:write", "--scope", "cases:read"]
    )
    assert result.exit_code == 0
    key = result.stdout.strip()
    assert key.startswith("lg_")
    engine = make_engine(db)
    with make_session_factory(engine)() as s:
        row = s.scalars(select(ApiKey)).one()
        assert key not in row.secret_hash and row.secret_hash.startswith("$argon2")
        assert row.scopes == ["cases:read", "signals:write"]
    engine.dispose()
    bad = runner.invoke(app, ["apikey", "create", "--partner", "shop-x", "--scope", "everything"])
    assert bad.exit_code == 1 and "scopes must be" in bad.output


def test_demo_load_opens_the_story_cases_and_is_idempotent(db: str) -> None:
    first = runner.invoke(app, ["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "demo / lifeguard-demo" in first.output and "API key" in first.output
    opened = _count(db, Case)
    assert opened >= 6
    second = runner.invoke(app, ["demo", "load"])
    assert second.exit_code == 0 and " 0 events accepted" in second.output
    assert _count(db, Case) == opened
    # the demo police liaison has a unit and one open alert of that unit to show in the console
    assert "police / lifeguard-police" in first.output
    engine = make_engine(db)
    with make_session_factory(engine)() as s:
        alerts = s.execute(select(AlertRow.public_id, AlertRow.unit_id, AlertRow.status)).all()
        unit = s.scalar(select(User.unit).where(User.username == "police"))
    engine.dispose()
    assert [tuple(row) for row in alerts] == [("DEMO-2026-0001", "demo-police", "published")]
    assert unit == "demo-police"
    verify = runner.invoke(app, ["audit", "verify"])
    assert verify.exit_code == 0 and "intact" in verify.output


def test_default_secret_is_refused_in_production(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIFEGUARD_ENVIRONMENT", "production")
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 2 and "LIFEGUARD_SECRET_KEY must be set" in result.output


def test_teams_shifts_and_channels_from_the_command_line(db: str) -> None:
    add = ["user", "add", "wang", "--role", "interventionist", "--languages", "zh", "--password-stdin"]
    assert runner.invoke(app, add, input="long enough password\n").exit_code == 0
    team = ["team", "add", "zh-night", "--languages", "zh", "--timezone", "Asia/Shanghai", "--hours", "20:00-08:00"]
    ok = runner.invoke(app, [*team, "--default"])
    assert ok.exit_code == 0, ok.output
    assert runner.invoke(app, ["team", "member", "zh-night", "wang"]).exit_code == 0
    night = ["--from", "2026-12-03T20:00:00+08:00", "--to", "2026-12-04T08:00:00+08:00"]
    shift = runner.invoke(app, ["team", "shift", "zh-night", "wang", *night])
    assert shift.exit_code == 0, shift.output
    hook = runner.invoke(app, ["team", "channel", "wang", "--webhook", "https://sms.example/hook"])
    assert hook.exit_code == 0 and "whsec_" in hook.output
    bad_zone = runner.invoke(app, ["team", "add", "x", "--timezone", "Mars/Olympus"])
    assert bad_zone.exit_code == 1 and "unknown time zone" in bad_zone.output
    backwards = runner.invoke(app, ["team", "shift", "zh-night", "wang", "--from", night[3], "--to", night[1]])
    assert backwards.exit_code == 1 and "end after it starts" in backwards.output
    nobody = runner.invoke(app, ["team", "member", "zh-night", "ghost"])
    assert nobody.exit_code == 1 and "no user 'ghost'" in nobody.output
    assert runner.invoke(app, ["team", "channel", "wang"]).exit_code == 2


def test_partner_webhook_is_set_with_a_secret_shown_once(db: str) -> None:
    result = runner.invoke(
        app, ["partner", "webhook", "cn-gd-shenzhen-nanshan-police", "https://psb.example/lg", "--kind", "police_unit"]
    )
    assert result.exit_code == 0 and "whsec_" in result.output
    assert runner.invoke(app, ["partner", "webhook", "x", "ftp://nope"]).exit_code == 2


def test_the_model_commands_are_mounted() -> None:
    result = runner.invoke(app, ["model", "--help"])
    assert result.exit_code == 0 and all(command in result.output for command in ("train", "eval", "cv"))


def test_a_platform_can_choose_the_hybrid_detector(tmp_path: Path) -> None:
    from lifeguard.config import Settings
    from lifeguard.detection.assessment import TextInput
    from lifeguard.runtime import build_runtime

    rt = build_runtime(Settings(database_url=f"sqlite:///{tmp_path / 'h.db'}", environment="test", detector="hybrid"))
    assessment = rt.detector.assess(TextInput("I can't go on anymore, I want to end my life tonight"))
    rt.close()
    assert assessment.detector.startswith("hybrid/") and "model:" in assessment.reasons[0]
    assert assessment.level >= assessment.level.IDEATION
    with pytest.raises(ValueError, match="rules or hybrid"):
        Settings(detector="oracle")


def test_outbox_retry_puts_escalated_messages_back(db: str) -> None:
    from lifeguard.delivery.models import OutboxMessage

    engine = make_engine(db)
    with make_session_factory(engine)() as s:
        now = datetime.now(UTC)
        for key, target in (("a", "https://unit.example.invalid/hook"), ("b", "https://shop.example.invalid/x")):
            s.add(
                OutboxMessage(
                    idempotency_key=key, channel="webhook", target=target, payload={}, status="escalated",
                    attempts=8, next_attempt_at=now, created_at=now, last_error="HTTP 503\ndown",
                )
            )  # fmt: skip
        s.commit()
    listed = runner.invoke(app, ["outbox", "escalated"])
    assert listed.exit_code == 0 and "unit.example.invalid" in listed.output and "HTTP 503" in listed.output
    refused = runner.invoke(app, ["outbox", "retry"])
    assert refused.exit_code == 2 and "--id or --target" in refused.output
    done = runner.invoke(app, ["outbox", "retry", "--target", "https://unit.example.invalid"])
    assert done.exit_code == 0 and "requeued 1 message" in done.output
    with make_session_factory(engine)() as s:
        statuses = dict(s.execute(select(OutboxMessage.idempotency_key, OutboxMessage.status)).all())
    engine.dispose()
    assert statuses == {"a": "pending", "b": "escalated"}


def test_retention_run_never_forgets_risk_sooner_than_the_fusion_policy_remembers(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lifeguard.privacy import retention

    seen: list[retention.RetentionPolicy] = []
    real_run = retention.run

    def spy(session: object, *, now: object, policy: retention.RetentionPolicy) -> retention.RetentionReport:
        seen.append(policy)
        return real_run(session, now=now, policy=policy)  # type: ignore[arg-type]

    monkeypatch.setattr(retention, "run", spy)
    monkeypatch.setenv("LIFEGUARD_RETENTION_IDLE_RISK_STATE_DAYS", "1")
    result = runner.invoke(app, ["retention", "run"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["idle_risk_states_deleted"] == 0
    assert seen[0].idle_risk_state_days == 12  # the shipped policy's longest memory, not the 1 asked for
