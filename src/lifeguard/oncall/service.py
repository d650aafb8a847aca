"""Who answers for a case now, and paging them on every channel they have."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifeguard.audit import service as audit
from lifeguard.auth.models import User
from lifeguard.delivery import service as outbox
from lifeguard.errors import BadRequest, Conflict, NotFound
from lifeguard.oncall.models import ContactChannel, Notification, OnCallShift, Team, TeamMember

NOTIFICATIONS = "notifications.new"


def team_for(session: Session, *, language: str | None, now: datetime | None = None) -> Team | None:
    """The team that covers the person's language (one that is staffed now, when several do), else the default
    team. A follow-the-sun setup has a Shenzhen and a Delhi team both speaking English: whoever is at work."""
    teams = list(session.scalars(select(Team).order_by(Team.id)))
    speaking = [t for t in teams if language and language in (t.languages or [])]
    if speaking:
        staffed = [t for t in speaking if now is not None and in_working_hours(t, now)]
        return (staffed or speaking)[0]
    return next((t for t in teams if t.is_default), teams[0] if teams else None)


def on_call(session: Session, *, team: Team, now: datetime) -> User | None:
    return session.scalar(
        select(User)
        .join(OnCallShift, OnCallShift.user_id == User.id)
        .where(OnCallShift.team_id == team.id, OnCallShift.starts_at <= now, OnCallShift.ends_at > now, User.active)
        .order_by(OnCallShift.starts_at.desc())
        .limit(1)
    )


def supervisors(session: Session, *, team: Team) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(TeamMember, TeamMember.user_id == User.id)
            .where(TeamMember.team_id == team.id, TeamMember.is_supervisor, User.active)
            .order_by(User.id)
        )
    )


def in_working_hours(team: Team, now: datetime) -> bool:
    local = now.astimezone(ZoneInfo(team.timezone)).time()
    start, end = time.fromisoformat(team.work_start), time.fromisoformat(team.work_end)
    return start <= local < end if start <= end else (local >= start or local < end)


@dataclass(frozen=True)
class Page:
    user_id: int
    username: str
    channels: tuple[str, ...]  # console, email:..., webhook:...


def page(session: Session, *, user: User, case_id: int | None, text: str, now: datetime, key: str) -> Page:
    """Write the console notification and queue every other channel through the outbox, in this transaction.
    ``key`` makes a repeated page (a retried step) send nothing twice."""
    session.add(Notification(user_id=user.id, case_id=case_id, at=now, text=text))
    used = ["console"]
    channels = session.scalars(select(ContactChannel).where(ContactChannel.user_id == user.id, ContactChannel.enabled))
    for channel in channels:
        payload = {"type": "page", "text": text, "case_id": case_id, "user": user.username, "at": now.isoformat()}
        outbox.enqueue(
            session,
            channel=channel.kind,
            target=channel.target,
            payload=payload,
            subject=f"[Lifeguard] {text[:120]}",
            secret=channel.secret,
            case_id=case_id,
            idempotency_key=f"page:{key}:{channel.id}",
            now=now,
        )
        used.append(f"{channel.kind}:{channel.target}")
    session.flush()
    return Page(user_id=user.id, username=user.username, channels=tuple(used))


def unread(session: Session, *, user_id: int, limit: int = 20) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .order_by(Notification.at.desc())
            .limit(limit)
        )
    )


# --- administration (the CLI and tests use these) -----------------------------------------------------------


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def _team(session: Session, name: str) -> Team:
    team = session.scalar(select(Team).where(Team.name == name))
    if team is None:
        raise NotFound(f"no team {name!r}")
    return team


def add_team(
    session: Session,
    *,
    name: str,
    languages: list[str],
    timezone: str,
    hours: str,
    is_default: bool,
    now: datetime,
    actor: str,
) -> Team:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadRequest(f"unknown time zone {timezone!r}; use an IANA name such as Asia/Shanghai") from None
    start, sep, end = hours.partition("-")
    try:
        time.fromisoformat(start)
        time.fromisoformat(end)
    except ValueError:
        sep = ""
    if not sep:
        raise BadRequest(f"working hours look like 09:00-21:00, not {hours!r}")
    if session.scalar(select(Team).where(Team.name == name)) is not None:
        raise Conflict(f"team {name!r} exists")
    team = Team(
        name=name, languages=languages, timezone=timezone, work_start=start, work_end=end, is_default=is_default
    )
    session.add(team)
    session.flush()
    audit.record(
        session,
        at=now,
        actor=actor,
        action="team.added",
        object_type="team",
        object_id=team.id,
        data={"name": name, "languages": languages, "timezone": timezone, "hours": hours},
    )
    return team


def add_member(session: Session, *, team: str, username: str, supervisor: bool, now: datetime, actor: str) -> None:
    t, u = _team(session, team), _user(session, username)
    existing = session.get(TeamMember, (t.id, u.id))
    if existing is not None:
        existing.is_supervisor = supervisor
    else:
        session.add(TeamMember(team_id=t.id, user_id=u.id, is_supervisor=supervisor))
    audit.record(
        session,
        at=now,
        actor=actor,
        action="team.member_set",
        object_type="team",
        object_id=t.id,
        data={"user": username, "supervisor": supervisor},
    )


def add_shift(
    session: Session, *, team: str, username: str, starts_at: datetime, ends_at: datetime, now: datetime, actor: str
) -> OnCallShift:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise BadRequest("shift times need a UTC offset, e.g. 2026-12-03T20:00+08:00")
    if ends_at <= starts_at:
        raise BadRequest("a shift must end after it starts")
    t, u = _team(session, team), _user(session, username)
    shift = OnCallShift(team_id=t.id, user_id=u.id, starts_at=starts_at, ends_at=ends_at)
    session.add(shift)
    session.flush()
    audit.record(
        session,
        at=now,
        actor=actor,
        action="oncall.shift_added",
        object_type="team",
        object_id=t.id,
        data={"user": username, "from": starts_at.isoformat(), "to": ends_at.isoformat()},
    )
    return shift


def add_channel(
    session: Session, *, username: str, kind: str, target: str, secret: str | None, now: datetime, actor: str
) -> ContactChannel:
    if kind not in {"email", "webhook"}:
        raise BadRequest("a channel is email or webhook (the console is always on)")
    if kind == "email" and "@" not in target:
        raise BadRequest(f"{target!r} is not an e-mail address")
    if kind == "webhook" and not target.startswith(("https://", "http://")):
        raise BadRequest(f"{target!r} is not an http(s) URL")
    u = _user(session, username)
    channel = ContactChannel(user_id=u.id, kind=kind, target=target, secret=secret, enabled=True)
    session.add(channel)
    session.flush()
    audit.record(
        session,
        at=now,
        actor=actor,
        action="oncall.channel_added",
        object_type="user",
        object_id=u.id,
        data={"kind": kind, "target": target},
    )
    return channel
