"""Who answers for a case now, and paging them on every channel they have."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifeguard.auth.models import User
from lifeguard.delivery import service as outbox
from lifeguard.oncall.models import ContactChannel, Notification, OnCallShift, Team, TeamMember

NOTIFICATIONS = "notifications.new"


def team_for(session: Session, *, language: str | None) -> Team | None:
    """The team that covers the person's language, else the default team."""
    teams = list(session.scalars(select(Team).order_by(Team.id)))
    if language:
        for team in teams:
            if language in (team.languages or []):
                return team
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
