"""The `lifeguard` command: serve, run workers, migrate, load demo data, manage users and keys, verify audit."""

from __future__ import annotations

import getpass
import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from lifeguard.clock import SystemClock
from lifeguard.config import Settings
from lifeguard.detection.model.cli import model_app
from lifeguard.errors import BadRequest, LifeguardError

app = typer.Typer(
    help="Lifeguard: life-safety operations for online platforms.", no_args_is_help=True, add_completion=False
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data written from public news stories.", no_args_is_help=True)
user_app = typer.Typer(help="Console users.", no_args_is_help=True)
apikey_app = typer.Typer(help="Partner API keys.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(user_app, name="user")
app.add_typer(apikey_app, name="apikey")
app.add_typer(audit_app, name="audit")
app.add_typer(model_app, name="model", help="The trained risk model: train, evaluate, cross-validate.")


def _settings() -> Settings:
    try:
        return Settings()
    except ValueError as exc:
        typer.secho(f"configuration error: {exc}", fg="red", err=True)
        raise typer.Exit(2) from None


@contextmanager
def _unit_of_work() -> Iterator[Session]:
    """A database session for one command, committed at the end, without loading the detector."""
    from lifeguard.db.engine import make_engine, make_session_factory, unit_of_work
    from lifeguard.privacy import keyring

    settings = _settings()
    keyring.install(settings.key_ring())
    engine = make_engine(settings.database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default from LIFEGUARD_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from LIFEGUARD_PORT).")] = None,
    demo_hint: Annotated[bool, typer.Option(help="Print the demo login on start.")] = False,
) -> None:
    """Serve the API and the console, with the signal worker in the same process (embedded mode)."""
    import uvicorn

    from lifeguard.app import create_app

    settings = _settings()
    host = host or settings.host
    port = port or settings.port
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    typer.secho(f"Lifeguard console and API on http://{host}:{port}", fg="green", bold=True)
    if demo_hint:
        typer.echo(
            "Demo login: demo / lifeguard-demo (interventionist); admin / lifeguard-admin; "
            "police / lifeguard-police (police liaison: Alerts)"
        )
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


@app.command()
def worker() -> None:
    """Run the workers on their own (scale-out): the signal worker, the scheduler (one per cluster holds the
    lease; others wait) and the delivery worker, until stopped."""
    from lifeguard.runtime import build_runtime

    logging.basicConfig(level=logging.INFO)
    rt = build_runtime(_settings())
    typer.echo("signal worker, scheduler and delivery running; Ctrl+C stops them")
    rt.schedule_retention()
    rt.scheduler.start()
    rt.delivery.start()
    try:
        rt.worker.run_forever()
    except KeyboardInterrupt:
        rt.close()


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply migrations to the database at LIFEGUARD_DATABASE_URL (SQLite under ./var by default)."""
    from lifeguard.db.migrate import upgrade
    from lifeguard.privacy import keyring

    settings = _settings()
    keyring.install(settings.key_ring())  # a migration that encrypts a column rewrites its rows with the active key
    upgrade(settings.database_url, revision)
    typer.echo(f"database at {_redact(settings.database_url)} is at {revision}")


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}" if ":" in creds else url
    return url


@demo_app.command("load")
def demo_load() -> None:
    """Load the demo platform, users and scenarios, then process them. Loading twice changes nothing."""
    from lifeguard.db.engine import unit_of_work
    from lifeguard.demo.loader import load
    from lifeguard.runtime import build_runtime

    rt = build_runtime(_settings())
    with unit_of_work(rt.sessions) as session:
        result = load(session, now=rt.clock.now(), max_text_chars=rt.settings.max_text_chars)
    report = rt.worker.drain()
    typer.echo(
        f"demo platform {result.platform}: {result.accepted} events accepted, {result.duplicates} already there, "
        f"{result.rejected} rejected; {report.stored} stored, {report.below_floor} below the floor; "
        f"{len(report.changed_cases)} cases touched"
    )
    if result.users_created:
        typer.echo(
            "demo users: " + ", ".join(f"{u} / {p} ({r})" for u, p, r, _ in _demo_users() if u in result.users_created)
        )
    if result.api_key:
        typer.echo(f"demo platform API key (shown once): {result.api_key}")
    rt.close()


def _demo_users() -> tuple[tuple[str, str, str, str], ...]:
    from lifeguard.demo.loader import DEMO_USERS

    return DEMO_USERS


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[str, typer.Option(help="interventionist, supervisor, police_liaison, auditor or admin")],
    display_name: Annotated[str | None, typer.Option(help="Name shown in the console.")] = None,
    locale: Annotated[str, typer.Option(help="Console language: en, zh or hi.")] = "en",
    languages: Annotated[str, typer.Option(help="Languages they counsel in, e.g. zh,en (routes cases).")] = "",
    unit: Annotated[
        str | None,
        typer.Option(help="A police liaison's unit (the police unit's partner id): its referrals and alerts."),
    ] = None,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input.")] = False,
) -> None:
    """Add a console user. Asks for the password (or reads it from stdin with --password-stdin)."""
    from lifeguard.auth.service import add_user

    password = sys.stdin.readline().rstrip("\n") if password_stdin else getpass.getpass("Password: ")
    try:
        with _unit_of_work() as session:
            user = add_user(
                session,
                username=username,
                password=password,
                role=role,
                now=SystemClock().now(),
                actor="cli",
                display_name=display_name,
                locale=locale,
            )
            user.languages = [code.strip() for code in languages.split(",") if code.strip()]
            if unit is not None:
                if user.role != "police_liaison":
                    raise BadRequest("--unit is for police liaisons: it decides which referrals and alerts they see")
                user.unit = unit.strip() or None
            typer.echo(
                f"user {user.username} added with role {user.role}" + (f", unit {user.unit}" if user.unit else "")
            )
    except LifeguardError as exc:
        typer.secho(exc.message, fg="red", err=True)
        raise typer.Exit(1) from None


@apikey_app.command("create")
def apikey_create(
    partner: Annotated[str, typer.Option(help="Partner id (a slug); created if new.")],
    name: Annotated[str | None, typer.Option(help="Partner's display name, when new.")] = None,
    scope: Annotated[
        list[str] | None, typer.Option(help="signals:write (default), cases:read, metrics:read; repeatable.")
    ] = None,
) -> None:
    """Create an API key for a partner. The key is printed once and stored only as a hash."""
    from lifeguard.auth.service import create_api_key, ensure_partner

    now = SystemClock().now()
    try:
        with _unit_of_work() as session:
            ensure_partner(session, partner_id=partner, name=name or partner, now=now)
            issued = create_api_key(
                session, partner_id=partner, scopes=scope or ["signals:write"], now=now, actor="cli"
            )
    except LifeguardError as exc:
        typer.secho(exc.message, fg="red", err=True)
        raise typer.Exit(1) from None
    typer.echo(issued.key)
    typer.echo(
        f"(partner {issued.partner_id}, scopes {', '.join(issued.scopes)}; store it now, it is not shown again)",
        err=True,
    )


@audit_app.command("verify")
def audit_verify(as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False) -> None:
    """Walk the hash chain; exit 1 and name the first bad record if anything was altered or removed."""
    from lifeguard.audit.service import verify

    with _unit_of_work() as session:
        result = verify(session)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "ok": result.ok,
                    "records": result.records,
                    "first_bad_seq": result.first_bad_seq,
                    "problem": result.problem,
                }
            )
        )
    elif result.ok:
        typer.secho(f"audit log intact: {result.records} records", fg="green")
    else:
        typer.secho(
            f"audit log TAMPERED at record {result.first_bad_seq}: {result.problem} "
            f"({result.records} good records before it)",
            fg="red",
            err=True,
        )
    raise typer.Exit(0 if result.ok else 1)


team_app = typer.Typer(help="Teams, members, on-call shifts and how people are paged.", no_args_is_help=True)
app.add_typer(team_app, name="team")


def _admin(action: Callable[[Session, datetime], str]) -> None:
    """Run one administrative change in a unit of work; print its result or its error."""
    try:
        with _unit_of_work() as session:
            message = action(session, SystemClock().now())
    except LifeguardError as exc:
        typer.secho(exc.message, fg="red", err=True)
        raise typer.Exit(1) from None
    typer.echo(message)


@team_app.command("add")
def team_add(
    name: str,
    languages: Annotated[str, typer.Option(help="Comma-separated languages this team counsels in, e.g. zh,en.")] = "",
    timezone: Annotated[str, typer.Option(help="IANA time zone of the team.")] = "UTC",
    hours: Annotated[str, typer.Option(help="Staffed hours, local time.")] = "09:00-21:00",
    default: Annotated[bool, typer.Option("--default", help="Cases in no team's language come here.")] = False,
) -> None:
    """Add a team."""
    from lifeguard.oncall import service as oncall

    langs = [code.strip() for code in languages.split(",") if code.strip()]

    def change(s: Session, now: datetime) -> str:
        team = oncall.add_team(
            s, name=name, languages=langs, timezone=timezone, hours=hours, is_default=default, now=now, actor="cli"
        )
        return f"team {team.name} added"

    _admin(change)


@team_app.command("member")
def team_member(
    team: str,
    username: str,
    supervisor: Annotated[bool, typer.Option("--supervisor", help="Paged when on-call misses.")] = False,
) -> None:
    """Put a user in a team (again, to change whether they supervise it)."""
    from lifeguard.oncall import service as oncall

    def change(s: Session, now: datetime) -> str:
        oncall.add_member(s, team=team, username=username, supervisor=supervisor, now=now, actor="cli")
        return f"{username} is in {team}{' as supervisor' if supervisor else ''}"

    _admin(change)


@team_app.command("shift")
def team_shift(
    team: str,
    username: str,
    starts: Annotated[datetime, typer.Option("--from", help="Start, with offset: 2026-12-03T20:00:00+08:00")],
    ends: Annotated[datetime, typer.Option("--to", help="End, with offset.")],
) -> None:
    """Put a user on call for a team for a while."""
    from lifeguard.oncall import service as oncall

    def change(s: Session, now: datetime) -> str:
        shift = oncall.add_shift(s, team=team, username=username, starts_at=starts, ends_at=ends, now=now, actor="cli")
        return f"shift {shift.id} added"

    _admin(change)


@team_app.command("channel")
def team_channel(
    username: str,
    email: Annotated[str | None, typer.Option(help="Page this address too.")] = None,
    webhook: Annotated[str | None, typer.Option(help="POST pages here (an SMS or phone provider).")] = None,
) -> None:
    """Add a way to page a user, beyond the console. A webhook gets a signing secret, printed once."""
    from lifeguard.delivery.signing import new_secret
    from lifeguard.oncall import service as oncall

    if (email is None) == (webhook is None):
        typer.secho("give exactly one of --email or --webhook", fg="red", err=True)
        raise typer.Exit(2)
    secret = new_secret() if webhook else None

    def change(s: Session, now: datetime) -> str:
        kind, target = ("email", email) if email else ("webhook", webhook)
        oncall.add_channel(s, username=username, kind=kind, target=target or "", secret=secret, now=now, actor="cli")
        return f"{kind} channel added for {username}" + (f"; signing secret (shown once): {secret}" if secret else "")

    _admin(change)


scenarios_app = typer.Typer(help="The scenario suite: realistic timelines with the level and priority expected.")
app.add_typer(scenarios_app, name="scenarios")
risk_app = typer.Typer(help="A person's fused risk.", no_args_is_help=True)
app.add_typer(risk_app, name="risk")


@scenarios_app.command("run")
def scenarios_run(
    path: Annotated[
        Path | None, typer.Argument(help="A scenario YAML file or folder (default: the shipped suite).")
    ] = None,
    detector: Annotated[
        str | None, typer.Option(help="rules or hybrid (default: LIFEGUARD_DETECTOR, else hybrid).")
    ] = None,
) -> None:
    """Run every scenario through the detector and fusion; print a table; exit 1 if any gives another result."""
    from lifeguard.detection.fusion.scenarios import TIMELINES, format_table, run_scenarios
    from lifeguard.detection.registry import detector_named

    settings = Settings()
    chosen = detector_named(
        detector or settings.detector,
        settings.second_stage,
        settings.minilm_dir,
        settings.zh_stage_dir,
        settings.short_chat,
    )
    results = run_scenarios(path or TIMELINES, chosen)
    typer.echo(format_table(results))
    unexpected = [r for r in results if not r.passed and not r.known_gap]
    # Known detector gaps are declared in the scenarios themselves; anything else that differs is a failure.
    raise typer.Exit(1 if unexpected else 0)


@risk_app.command("replay")
def risk_replay(platform: str, subject: str) -> None:
    """Fold the person's logged observations again from nothing and compare with the kept state."""
    from lifeguard.detection.fusion import load_policy
    from lifeguard.detection.products.catalogue import load_catalogue
    from lifeguard.risk.service import RiskEngine

    settings = _settings()
    engine = RiskEngine(
        catalogue=load_catalogue(settings.catalogue_path), policy=load_policy(settings.risk_policy_path)
    )
    now = SystemClock().now()
    with _unit_of_work() as session:
        kept = engine.recheck(session, platform=platform, subject=subject, now=now)
        replayed = engine.replay(session, platform=platform, subject=subject, now=now)
        session.rollback()  # a look, not a change
    same = kept is not None and kept.to_json() == replayed.to_json()
    typer.echo(
        json.dumps(
            {"kept": kept.to_json() if kept else None, "replayed": replayed.to_json(), "same": same}, ensure_ascii=False
        )
    )
    raise typer.Exit(0 if same or kept is None else 1)


partner_app = typer.Typer(
    help="Partners: platforms, merchants, logistics companies, police units.", no_args_is_help=True
)
app.add_typer(partner_app, name="partner")


@partner_app.command("webhook")
def partner_webhook(
    partner: str,
    url: str,
    kind: Annotated[str, typer.Option(help="platform, merchant, logistics or police_unit (when new).")] = "platform",
    name: Annotated[str | None, typer.Option(help="Display name, when new.")] = None,
) -> None:
    """Set where Lifeguard calls a partner (hold requests, outreach, referrals); prints the signing secret once."""
    from lifeguard.audit import service as audit
    from lifeguard.auth.service import ensure_partner
    from lifeguard.delivery.signing import new_secret
    from lifeguard.partners.models import Partner

    if not url.startswith(("https://", "http://")):
        typer.secho("the webhook must be an http(s) URL", fg="red", err=True)
        raise typer.Exit(2)
    secret = new_secret()

    def change(s: Session, now: datetime) -> str:
        ensure_partner(s, partner_id=partner, name=name or partner, now=now, kind=kind)
        row = s.get(Partner, partner)
        assert row is not None
        row.webhook_url, row.webhook_secret = url, secret
        audit.record(
            s,
            at=now,
            actor="cli",
            action="partner.webhook_set",
            object_type="partner",
            object_id=partner,
            data={"url": url},
        )
        return f"{partner} will be called at {url}; signing secret (shown once): {secret}"

    _admin(change)


retention_app = typer.Typer(help="Deletion on schedule.", no_args_is_help=True)
keys_app = typer.Typer(help="Field encryption keys.", no_args_is_help=True)
app.add_typer(retention_app, name="retention")
app.add_typer(keys_app, name="keys")


@retention_app.command("run")
def retention_run() -> None:
    """Anonymise closed cases past their retention, delete stale unattached signals, old dedupe keys and the
    fusion state of people idle longer than the fusion policy can remember."""
    from lifeguard.detection.fusion.policy import load_policy
    from lifeguard.privacy.retention import run
    from lifeguard.runtime import retention_policy

    settings = _settings()
    policy = retention_policy(settings, load_policy(settings.risk_policy_path).longest_memory_seconds)
    with _unit_of_work() as session:
        report = run(session, now=SystemClock().now(), policy=policy)
    typer.echo(json.dumps(report.__dict__))


outbox_app = typer.Typer(help="Deliveries to partners and police units.", no_args_is_help=True)
app.add_typer(outbox_app, name="outbox")


@outbox_app.command("escalated")
def outbox_escalated(
    target: Annotated[str | None, typer.Option(help="Only messages to targets starting with this.")] = None,
) -> None:
    """List the messages that ran out of tries (a person must decide what happens to them)."""
    from lifeguard.delivery.service import escalated

    with _unit_of_work() as session:
        for message in escalated(session, target_prefix=target):
            error = (message.last_error or "").splitlines()[0][:80] if message.last_error else ""
            typer.echo(f"{message.id}\t{message.channel}\t{message.target}\t{message.attempts} tries\t{error}")


@outbox_app.command("retry")
def outbox_retry(
    message_id: Annotated[list[int] | None, typer.Option("--id", help="A message id (repeat for several).")] = None,
    target: Annotated[str | None, typer.Option(help="Every escalated message to targets starting with this.")] = None,
) -> None:
    """Put escalated messages back in the queue once the receiver is back (audited)."""
    from lifeguard.delivery.service import requeue_escalated

    if not message_id and not target:
        raise typer.BadParameter("give --id or --target: which escalated messages to send again")
    with _unit_of_work() as session:
        ids = requeue_escalated(
            session, now=SystemClock().now(), actor="cli", message_ids=message_id or None, target_prefix=target
        )
    typer.echo(f"requeued {len(ids)} message(s)" + (f": {', '.join(map(str, ids))}" if ids else ""))


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Re-encrypt every protected field with the active key (the first in LIFEGUARD_ENCRYPTION_KEYS)."""
    from lifeguard.privacy.rotation import rotate

    with _unit_of_work() as session:
        report = rotate(session)
    typer.echo(f"re-encrypted {report.rows} rows with key {_settings().key_ring().active}")


@keys_app.command("generate")
def keys_generate(key_id: Annotated[str, typer.Argument(help="A short id, letters and digits.")] = "k1") -> None:
    """Print a new random key as kid:base64, to put first in LIFEGUARD_ENCRYPTION_KEYS."""
    import base64
    import secrets

    typer.echo(f"{key_id}:{base64.b64encode(secrets.token_bytes(32)).decode()}")


def main() -> None:
    app()
