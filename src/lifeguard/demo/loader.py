"""Load the demo scenarios: a demo platform, its key, console users, and every scenario's events.

Event ids are derived from the scenario name, so loading twice changes nothing (the second load is all
duplicates). Times are relative to now, so the queue looks live.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifeguard.alerts import store as alerts_store
from lifeguard.alerts.criteria import facts_about
from lifeguard.alerts.model import AlertContent, Category, ContactUnit, LastSeen, MissingPerson, Sex
from lifeguard.auth import service as auth
from lifeguard.auth.models import User
from lifeguard.auth.roles import Scope
from lifeguard.oncall import service as oncall
from lifeguard.signals import service as signals

DEMO_USERS = (
    ("demo", "lifeguard-demo", "interventionist", "Demo Interventionist"),
    ("supervisor", "lifeguard-supervisor", "supervisor", "Demo Supervisor"),
    ("auditor", "lifeguard-auditor", "auditor", "Demo Auditor"),
    ("admin", "lifeguard-admin", "admin", "Demo Admin"),
    ("police", "lifeguard-police", "police_liaison", "Demo Police Liaison"),
)
DEMO_UNIT = "demo-police"  # the demo police liaison's unit: a partner of kind police_unit
DEMO_ALERT = "DEMO-2026-0001"


def scenarios() -> dict[str, Any]:
    text = resources.files("lifeguard.demo").joinpath("scenarios.json").read_text(encoding="utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def scenario_events(scenario: dict[str, Any], *, index: int, now: datetime) -> list[dict[str, Any]]:
    subject = f"demo-{index:03d}-{scenario['name']}"[:128]
    out = []
    for number, raw in enumerate(scenario["events"]):
        event = {k: v for k, v in raw.items() if k != "minutes_ago"}
        event["event_id"] = f"{subject}-{number:03d}"[:128]
        event["subject"] = subject
        event["occurred_at"] = (now - timedelta(minutes=raw.get("minutes_ago", 0))).isoformat(timespec="seconds")
        if "location" in scenario and "location" not in event:
            event["location"] = scenario["location"]
        out.append(event)
    return out


@dataclass(frozen=True)
class DemoLoad:
    platform: str
    accepted: int
    duplicates: int
    rejected: int
    api_key: str | None
    users_created: list[str]


def _demo_team(session: Session, *, now: datetime) -> None:
    """A night team that speaks the demo's languages, with the demo interventionist on call for the next twelve
    hours and the demo supervisor over them: a missed SLA in the demo pages someone you can log in as."""
    oncall.add_team(
        session,
        name="demo-night",
        languages=["zh", "en", "hi"],
        timezone="Asia/Shanghai",
        hours="20:00-08:00",
        is_default=True,
        now=now,
        actor="system:demo",
    )
    oncall.add_member(session, team="demo-night", username="demo", supervisor=False, now=now, actor="system:demo")
    oncall.add_member(session, team="demo-night", username="supervisor", supervisor=True, now=now, actor="system:demo")
    oncall.add_shift(
        session,
        team="demo-night",
        username="demo",
        starts_at=now,
        ends_at=now + timedelta(hours=12),
        now=now,
        actor="system:demo",
    )
    for username in ("demo", "supervisor"):
        user = session.scalar(select(User).where(User.username == username))
        if user is not None:
            user.languages = ["zh", "en", "hi"]


def _demo_alert(session: Session, *, now: datetime) -> None:
    """One open missing-person alert of the demo unit, so that the officer's console and the public page show
    something. The person is invented; the web address is the local demo's (CAP wants https)."""
    person = MissingPerson(
        name="王秀兰 (Wang Xiulan)",
        age=78,
        sex=Sex.FEMALE,
        height_cm=152,
        clothing="深蓝色棉外套，灰色裤子，黑色布鞋 / dark blue padded coat, grey trousers, black cloth shoes",
        distinguishing_marks=("白发，短发 / short white hair", "走路时拄拐杖 / walks with a cane"),
    )
    content = AlertContent(
        alert_id=DEMO_ALERT,
        category=Category.ELDERLY_DEMENTIA,
        person=person,
        last_seen=LastSeen(
            lat=30.2592, lon=120.1651, place="杭州市 西湖区 湖滨公交站 / Hubin bus stop, Hangzhou",
            at=now - timedelta(minutes=40),
        ),
        contact=ContactUnit(name="Demo City Police / 演示市公安局", phone="110"),
        web_url=f"https://127.0.0.1:8000/alerts/{DEMO_ALERT}",
        languages=("zh-CN", "en-US"),
    )  # fmt: skip
    facts = facts_about(person, police_confirmed_risk=True, dementia=True)
    alerts_store.publish(session, content=content, facts=facts, actor="system:demo", now=now, unit_id=DEMO_UNIT)


def load(session: Session, *, now: datetime, max_text_chars: int = 10_000) -> DemoLoad:
    data = scenarios()
    platform = data["platform"]
    auth.ensure_partner(session, partner_id=platform, name="Demo Shop", now=now)
    users_created = []
    for username, password, role, display in DEMO_USERS:
        if session.scalar(select(User).where(User.username == username)) is None:
            auth.add_user(
                session,
                username=username,
                password=password,
                role=role,
                now=now,
                actor="system:demo",
                display_name=display,
            )
            users_created.append(username)
            if role == "police_liaison":
                auth.ensure_partner(session, partner_id=DEMO_UNIT, name="Demo City Police", now=now, kind="police_unit")
                session.scalars(select(User).where(User.username == username)).one().unit = DEMO_UNIT
    if "police" in users_created:
        _demo_alert(session, now=now)
    if "supervisor" in users_created:
        _demo_team(session, now=now)
    api_key = None
    if users_created:  # first load: issue a key so the demo platform can post signals over HTTP too
        api_key = auth.create_api_key(
            session, partner_id=platform, scopes=[s.value for s in Scope], now=now, actor="system:demo"
        ).key
    events: list[dict[str, Any]] = []
    for index, scenario in enumerate(data["scenarios"]):
        events.extend(scenario_events(scenario, index=index, now=now))
    accepted = duplicates = rejected = 0
    for start in range(0, len(events), 1000):
        result = signals.accept_batch(
            session, platform=platform, events=events[start : start + 1000], now=now, max_text_chars=max_text_chars
        )
        accepted += result.accepted
        duplicates += result.duplicates
        rejected += result.rejected
    return DemoLoad(platform, accepted, duplicates, rejected, api_key, users_created)
