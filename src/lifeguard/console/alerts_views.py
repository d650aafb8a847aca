"""The police officer's console for missing-person alerts: the unit's alerts, publishing with the criteria in
view, the alert with what was sent to whom and the tip queue, closing with an outcome, and the monthly figures.

A police liaison manages their own unit's alerts (``alerts.manage``); supervisors, auditors and admins read every
unit's alerts and figures (``alerts.view``) but not the tips, which are the publishing unit's to read.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from lifeguard.alerts import officer, store
from lifeguard.alerts.criteria import facts_about
from lifeguard.alerts.errors import CriteriaNotMet, InvalidAlertInput
from lifeguard.alerts.lifecycle import AlertState, MonthStats, Outcome
from lifeguard.alerts.model import AlertContent, Category, ContactUnit, LastSeen, MissingPerson, Sex
from lifeguard.alerts.models import AlertRow
from lifeguard.audit import service as audit
from lifeguard.auth.models import User
from lifeguard.auth.roles import Permission, allows
from lifeguard.auth.web import check_csrf, console_user, db, runtime
from lifeguard.console.views import _page, templates
from lifeguard.errors import BadRequest, Conflict, Forbidden
from lifeguard.partners.models import Partner

router = APIRouter(prefix="/console/alerts", include_in_schema=False)

see_alerts = console_user(Permission.ALERTS_MANAGE, Permission.ALERTS_VIEW)
manage_alerts = console_user(Permission.ALERTS_MANAGE)

# A last-seen time this far ahead of our clock is a typo (wrong day, AM/PM, time zone), not a phone's skew.
FUTURE_TOLERANCE = timedelta(minutes=10)
OFFICER_FACTS = ("police_confirmed_risk", "dementia", "cognitive_impairment", "risk_to_life")
ZONES = ("Asia/Shanghai", "Asia/Kolkata", "Asia/Hong_Kong", "Asia/Taipei", "UTC")
_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


def _duration(value: timedelta | None) -> str:
    if value is None:
        return "–"
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min" if minutes else "< 1 min"


CATEGORY_LABELS = {
    Category.CHILD.value: "child",
    Category.ELDERLY_DEMENTIA.value: "elderly or dementia",
    Category.VULNERABLE_ADULT.value: "vulnerable adult",
}
templates.env.filters["duration"] = _duration
templates.env.globals["CATEGORY_LABELS"] = CATEGORY_LABELS


def _actor(user: User) -> str:
    return f"user:{user.username}"


def _visible_unit(user: User) -> str | None:
    """None: every unit's alerts (readers with alerts.view); otherwise the officer's own unit."""
    if allows(user.role, Permission.ALERTS_VIEW):
        return None
    return user.unit or ""  # matches no alert: an officer without a unit sees none


def _owns(row: AlertRow, user: User) -> bool:
    """True for an officer of the publishing unit; a reader gets False; anyone else is refused (403)."""
    if allows(user.role, Permission.ALERTS_MANAGE):
        try:
            officer.check_own_unit(row, user.unit)
            return True
        except Forbidden:
            if not allows(user.role, Permission.ALERTS_VIEW):
                raise
    return False


def _own_row(session: Session, public_id: str, user: User) -> AlertRow:
    row = store.get_row(session, public_id, for_update=True)
    officer.check_own_unit(row, user.unit)
    return row


# --- the list ---------------------------------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def alert_list(request: Request, user: User = Depends(see_alerts), session: Session = Depends(db)) -> HTMLResponse:
    unit = _visible_unit(user)
    rows = officer.summaries(session, unit_id=unit) if unit != "" else []
    return _page(
        request,
        "alerts_list.html",
        {"user": user, "alerts": rows, "all_units": unit is None, "no_unit": unit == ""},
    )


# --- publishing -------------------------------------------------------------------------------------------------


def _zone(raw: str) -> tzinfo:
    raw = raw.strip()
    if not raw or raw.upper() in ("UTC", "GMT", "Z"):
        return UTC
    match = _OFFSET.match(raw)
    if match:
        sign, hours, minutes = match.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        if delta > timedelta(hours=14):
            raise InvalidAlertInput(f"time zone offset {raw!r} is beyond ±14:00")
        return timezone(-delta if sign == "-" else delta)
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidAlertInput(
            f"time zone {raw!r} is not known; use a name such as Asia/Shanghai or an offset such as +08:00"
        ) from None


def _text(values: dict[str, str], name: str, label: str, *, limit: int, required: bool = False) -> str:
    value = values.get(name, "").strip()
    if required and not value:
        raise InvalidAlertInput(f"{label} is required")
    if len(value) > limit:
        raise InvalidAlertInput(f"{label} is longer than {limit} characters")
    return value


def _whole(values: dict[str, str], name: str, label: str) -> int | None:
    raw = values.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidAlertInput(f"{label} must be a whole number, got {raw!r}") from None


def _coordinate(values: dict[str, str], name: str, label: str) -> float:
    raw = values.get(name, "").strip().replace(",", ".")
    if not raw:
        raise InvalidAlertInput(f"{label} of the last-seen place is required")
    try:
        value = float(raw)
    except ValueError:
        raise InvalidAlertInput(f"{label} must be a number in degrees, got {raw!r}") from None
    if not math.isfinite(value):
        raise InvalidAlertInput(f"{label} must be a finite number, got {raw!r}")
    return value


def _when(values: dict[str, str], now: datetime) -> datetime:
    raw = values.get("last_seen_at", "").strip()
    if not raw:
        raise InvalidAlertInput("the last-seen time is required")
    try:
        at = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidAlertInput(f"the last-seen time {raw!r} is not a date and time (YYYY-MM-DDTHH:MM)") from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=_zone(values.get("last_seen_tz", "")))
    if at > now + FUTURE_TOLERANCE:
        raise InvalidAlertInput("the last-seen time is in the future; check the date, AM/PM and the time zone")
    return at


def _checked(values: dict[str, str], name: str) -> bool:
    return values.get(name, "") in ("on", "true", "1", "yes")


def content_from_form(values: dict[str, str], *, now: datetime, base_url: str) -> tuple[AlertContent, dict[str, Any]]:
    """The form's fields as the domain's AlertContent and the officer's facts; ``InvalidAlertInput`` names the
    first field that cannot be right."""
    try:
        category = Category(values.get("category", ""))
    except ValueError:
        raise InvalidAlertInput("choose a category: child, elderly or dementia, or vulnerable adult") from None
    try:
        sex = Sex(values.get("sex", "unknown") or "unknown")
    except ValueError:
        raise InvalidAlertInput("sex must be female, male or unknown") from None
    marks = [line.strip() for line in values.get("distinguishing_marks", "").splitlines() if line.strip()]
    if len(marks) > 20:
        raise InvalidAlertInput("at most 20 distinguishing marks, one a line")
    if any(len(mark) > 300 for mark in marks):
        raise InvalidAlertInput("a distinguishing mark is longer than 300 characters")
    languages = tuple(t for t in re.split(r"[\s,;]+", values.get("languages", "")) if t)
    if len(languages) > 5:
        raise InvalidAlertInput("at most 5 languages")
    alert_id = _text(values, "alert_id", "the case number (alert id)", limit=64, required=True)
    person = MissingPerson(
        name=_text(values, "name", "the name", limit=200, required=True),
        age=_whole(values, "age", "age"),
        sex=sex,
        height_cm=_whole(values, "height_cm", "height"),
        clothing=_text(values, "clothing", "clothing", limit=1000),
        distinguishing_marks=tuple(marks),
    )
    content = AlertContent(
        alert_id=alert_id,
        category=category,
        person=person,
        last_seen=LastSeen(
            lat=_coordinate(values, "last_seen_lat", "latitude"),
            lon=_coordinate(values, "last_seen_lon", "longitude"),
            place=_text(values, "last_seen_place", "the last-seen place", limit=300, required=True),
            at=_when(values, now),
        ),
        contact=ContactUnit(
            name=_text(values, "contact_name", "the contact unit's name", limit=200, required=True),
            phone=_text(values, "contact_phone", "the contact phone", limit=40, required=True),
            email=_text(values, "contact_email", "the contact e-mail", limit=200) or None,
        ),
        web_url=f"{base_url}/alerts/{alert_id}",
        languages=languages,
        abduction_suspected=_checked(values, "abduction_suspected"),
    )
    # Unticked boxes are "not stated", except the risk the police must confirm, which is a yes or a no.
    stated: dict[str, bool | None] = {name: True for name in OFFICER_FACTS[1:] if _checked(values, name)}
    facts = facts_about(person, police_confirmed_risk=_checked(values, "police_confirmed_risk"), **stated)
    return content, facts


def _public_base(request: Request) -> str:
    # CAP's <web> must be https; behind a TLS proxy the app sees http.
    return str(request.base_url).rstrip("/").replace("http://", "https://", 1)


def _defaults(session: Session, user: User, now: datetime) -> dict[str, str]:
    unit = session.get(Partner, user.unit) if user.unit else None
    zone = {"zh": "Asia/Shanghai", "hi": "Asia/Kolkata"}.get(user.locale, "UTC")
    return {
        "alert_id": f"{user.unit or 'unit'}-{now:%Y%m%d-%H%M}"[-64:].lstrip("-._:"),
        "category": Category.CHILD.value,
        "sex": Sex.UNKNOWN.value,
        "languages": "hi-IN, en-IN" if user.locale == "hi" else "zh-CN, en-US",
        "last_seen_tz": zone,
        "last_seen_at": now.astimezone(_zone(zone)).strftime("%Y-%m-%dT%H:%M"),
        "contact_name": unit.name if unit is not None else "",
    }


def _form_page(
    request: Request,
    user: User,
    values: dict[str, str],
    *,
    error: str | None = None,
    unmet: list[officer.Criterion] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return _page(
        request,
        "alerts_new.html",
        {
            "user": user,
            "v": values,
            "error": error,
            "unmet": unmet or [],
            "criteria": officer.criteria_by_category(),
            "categories": list(Category),
            "sexes": list(Sex),
            "zones": ZONES,
            "no_unit": not user.unit,
        },
        status_code=status_code,
    )


async def _form_fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


@router.get("/new", response_class=HTMLResponse)
def new_alert_form(
    request: Request, user: User = Depends(manage_alerts), session: Session = Depends(db)
) -> HTMLResponse:
    return _form_page(request, user, _defaults(session, user, runtime(request).clock.now()))


@router.post("/new", response_class=HTMLResponse)
def publish(
    request: Request,
    values: dict[str, str] = Depends(_form_fields),
    user: User = Depends(manage_alerts),
    session: Session = Depends(db),
) -> Response:
    """Criteria first (unmet ones come back as sentences, nothing published), then the store publishes: CAP
    Alert, fan-out through the outbox, the widening timer, the audit record."""
    check_csrf(request, values.get("csrf_token"))
    if not user.unit:
        raise Forbidden("you are not assigned to a police unit, so you cannot publish alerts")
    rt = runtime(request)
    now = rt.clock.now()
    try:
        content, facts = content_from_form(values, now=now, base_url=_public_base(request))
        unmet = officer.unmet_criteria(content.category, facts)
        if unmet:
            return _form_page(request, user, values, unmet=unmet, status_code=400)
        row, _partners = store.publish(
            session, content=content, facts=facts, actor=_actor(user), now=now, unit_id=user.unit
        )
    except CriteriaNotMet as exc:  # the store checks again; the same rules, so only if the file changed meanwhile
        session.rollback()
        unmet = [officer.Criterion(reason=u, detail="") for u in exc.unmet]
        return _form_page(request, user, values, unmet=unmet, status_code=400)
    except (BadRequest, Conflict) as exc:  # bad input, a CAP text the schema refuses, a case number taken
        session.rollback()
        return _form_page(request, user, values, error=exc.message, status_code=exc.status_code)
    session.commit()
    rt.delivery.notify()  # after the commit, so the worker finds the deliveries
    request.session["flash"] = "Alert published."
    return RedirectResponse(f"/console/alerts/{row.public_id}", status_code=303)


# --- statistics -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    kind: str
    count: int
    y: float
    height: float


@dataclass(frozen=True)
class Bar:
    month: str
    x: float
    width: float
    published: int
    segments: list[Segment]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    top: int  # the largest month, the scale's top
    bars: list[Bar]


CHART_KINDS = ("found_alive", "found_deceased", "closed_other", "still_open")


def chart(months: list[MonthStats], *, height: int = 180) -> Chart:
    """One stacked bar a month (found alive, found deceased, closed otherwise, still open): the bar is the month's
    published alerts. Drawn on the server as SVG: the console loads no chart library."""
    slot = 56
    top = max((m.published for m in months), default=0) or 1
    bars = []
    for i, m in enumerate(months):
        y = float(height)
        segments = []
        for kind in CHART_KINDS:
            count = int(getattr(m, kind))
            h = count / top * (height - 10)
            y -= h
            if count:
                segments.append(Segment(kind=kind, count=count, y=round(y, 2), height=round(h, 2)))
        bars.append(Bar(month=m.month, x=i * slot + 8, width=slot - 16, published=m.published, segments=segments))
    return Chart(width=max(len(months), 1) * slot, height=height, top=top, bars=bars)


def _stats_zone(raw: str) -> tzinfo:
    try:
        return _zone(raw)
    except InvalidAlertInput as exc:
        raise BadRequest(exc.message) from None


@router.get("/stats", response_class=HTMLResponse)
def stats_page(
    request: Request, tz: str = "UTC", user: User = Depends(see_alerts), session: Session = Depends(db)
) -> HTMLResponse:
    unit = _visible_unit(user)
    months = officer.stats(session, unit_id=unit, tz=_stats_zone(tz)) if unit != "" else []
    return _page(
        request,
        "alerts_stats.html",
        {
            "user": user,
            "months": months,
            "chart": chart(months),
            "kinds": CHART_KINDS,
            "tz": tz,
            "all_units": unit is None,
            "no_unit": unit == "",
        },
    )


@router.get("/stats.csv")
def stats_csv(
    request: Request, tz: str = "UTC", user: User = Depends(see_alerts), session: Session = Depends(db)
) -> Response:
    unit = _visible_unit(user)
    months = officer.stats(session, unit_id=unit, tz=_stats_zone(tz)) if unit != "" else []
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["month", "published", *CHART_KINDS, "median_time_to_found_seconds"])
    for m in months:
        median = m.median_time_to_found
        writer.writerow(
            [
                m.month,
                m.published,
                *(getattr(m, kind) for kind in CHART_KINDS),
                "" if median is None else int(median.total_seconds()),
            ]
        )
    name = f"alert-stats-{unit or 'none'}.csv" if unit is not None else "alert-stats-all.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# --- one alert --------------------------------------------------------------------------------------------------


@router.get("/{public_id}", response_class=HTMLResponse)
def alert_page(
    request: Request,
    public_id: str,
    tips: str = "all",
    user: User = Depends(see_alerts),
    session: Session = Depends(db),
) -> HTMLResponse:
    row = store.get_row(session, public_id)
    owner = _owns(row, user)
    now = runtime(request).clock.now()
    messages = officer.sent_messages(session, row)
    queue = None
    if owner:
        queue = officer.tip_queue(session, row, now=now, only_new=tips == "new")
        # Tips are what members of the public said, with where they were: every look is on the record.
        audit.record(
            session,
            at=now,
            actor=_actor(user),
            action="alert.tips_viewed",
            object_type="alert",
            object_id=row.public_id,
            data={"tips": queue.total, "shown": sum(len(c.tips) for c in queue.clusters), "filter": tips},
            request_id=request.state.request_id,
        )
    cancel = next((m for m in reversed(messages) if m.msg_type == "Cancel"), None)
    return _page(
        request,
        "alerts_alert.html",
        {
            "user": user,
            "alert": row,
            "c": row.content,
            "owner": owner,
            "open": row.status != AlertState.CLOSED.value,
            "messages": messages,
            "cancel": cancel,
            "radius": next((m.radius_km for m in reversed(messages) if m.msg_type != "Cancel"), None),
            "queue": queue,
            "only_new": tips == "new",
            "outcomes": list(Outcome),
        },
    )


@router.post("/{public_id}/tips/{tip_id}/triage")
def triage(
    request: Request,
    public_id: str,
    tip_id: int,
    verdict: str = Form(""),
    tips: str = Form("all"),
    csrf_token: str = Form(""),
    user: User = Depends(manage_alerts),
    session: Session = Depends(db),
) -> Response:
    check_csrf(request, csrf_token)
    row = _own_row(session, public_id, user)
    if verdict not in (officer.Triage.USEFUL, officer.Triage.NOT_USEFUL):
        raise BadRequest("a tip is marked useful or not useful")
    officer.triage_tip(
        session,
        row=row,
        tip_id=tip_id,
        verdict=officer.Triage(verdict),
        actor=_actor(user),
        now=runtime(request).clock.now(),
        request_id=request.state.request_id,
    )
    session.commit()
    query = "?tips=new" if tips == "new" else ""
    return RedirectResponse(f"/console/alerts/{row.public_id}{query}#tip-{tip_id}", status_code=303)


@router.get("/{public_id}/tips/{tip_id}/photo")
def tip_photo(
    request: Request,
    public_id: str,
    tip_id: int,
    user: User = Depends(manage_alerts),
    session: Session = Depends(db),
) -> Response:
    """The photo a member of the public sent with a tip: to the publishing unit's officers only, every look on
    the record. Its type was checked by content when it came in (PNG, JPEG or WebP); nosniff keeps it so."""
    row = store.get_row(session, public_id)
    officer.check_own_unit(row, user.unit)
    tip = officer.tip_of(session, row, tip_id)
    mime_type, data = store.tip_photo(session, tip.id)
    audit.record(
        session,
        at=runtime(request).clock.now(),
        actor=_actor(user),
        action="alert.tip_photo_viewed",
        object_type="alert",
        object_id=row.public_id,
        data={"tip": tip.id},
        request_id=request.state.request_id,
    )
    return Response(
        data,
        media_type=mime_type,
        headers={
            "Content-Disposition": f'inline; filename="tip-{tip.id}-photo"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


def _outcome(raw: str) -> Outcome:
    try:
        return Outcome(raw)
    except ValueError:
        raise BadRequest("choose an outcome: found alive, found deceased or other") from None


@router.get("/{public_id}/close", response_class=HTMLResponse)
def close_confirm(
    request: Request,
    public_id: str,
    outcome: str = "",
    user: User = Depends(manage_alerts),
    session: Session = Depends(db),
) -> HTMLResponse:
    """Closing cannot be undone: say what will happen, and to whom the Cancel goes, before it does."""
    row = store.get_row(session, public_id)
    officer.check_own_unit(row, user.unit)
    if row.status == AlertState.CLOSED.value:
        raise Conflict(f"alert {row.public_id!r} has ended already")
    chosen = _outcome(outcome)
    return _page(
        request,
        "alerts_close.html",
        {
            "user": user,
            "alert": row,
            "c": row.content,
            "outcome": chosen,
            "recipients": officer.recipients(officer.sent_messages(session, row)),
        },
    )


@router.post("/{public_id}/close")
def close(
    request: Request,
    public_id: str,
    outcome: str = Form(""),
    csrf_token: str = Form(""),
    user: User = Depends(manage_alerts),
    session: Session = Depends(db),
) -> Response:
    """Cancel to every partner that got the alert, photos withdrawn from the public page and feed, tips sealed."""
    check_csrf(request, csrf_token)
    row = _own_row(session, public_id, user)
    rt = runtime(request)
    store.close(
        session,
        public_id=row.public_id,
        outcome=_outcome(outcome),
        actor=_actor(user),
        now=rt.clock.now(),
        unit_id=user.unit,
    )
    session.commit()
    rt.delivery.notify()
    request.session["flash"] = "Alert closed. The Cancel goes to every partner that received it."
    return RedirectResponse(f"/console/alerts/{row.public_id}", status_code=303)
