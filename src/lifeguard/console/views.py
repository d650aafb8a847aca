"""Console pages. Each handler is thin: it checks who is asking, calls a domain service, renders a template."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifeguard.actions import playbooks
from lifeguard.actions import templates as message_templates
from lifeguard.audit import service as audit
from lifeguard.auth import service as auth
from lifeguard.auth.models import User
from lifeguard.auth.roles import Permission, allows
from lifeguard.auth.web import check_csrf, console_user, csrf_token, db, runtime, session_epoch, session_user
from lifeguard.bus.base import CASES_CHANGED
from lifeguard.cases import escalation
from lifeguard.cases import service as cases
from lifeguard.cases.transitions import TRANSITIONS, Outcome, Status
from lifeguard.console import i18n
from lifeguard.console.highlight import segments
from lifeguard.db.engine import unit_of_work
from lifeguard.delivery.worker import OUTBOX_ENQUEUED
from lifeguard.errors import BadRequest, LifeguardError
from lifeguard.interventions import follow_ups, outreach, referral_plan
from lifeguard.interventions import service as ladder
from lifeguard.oncall import service as oncall

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter(include_in_schema=False)

view_cases = console_user(Permission.CASES_VIEW, Permission.CASES_VIEW_REFERRED)
work_cases = console_user(Permission.CASES_WORK)
respond_referrals = console_user(Permission.REFERRALS_RESPOND)


def _ago(value: datetime, now: datetime) -> str:
    seconds = int((now - value).total_seconds())
    if seconds < 60:
        return f"{max(seconds, 0)}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h {seconds % 3600 // 60}m"
    return f"{seconds // 86400}d {seconds % 86400 // 3600}h"


templates.env.filters["ago"] = _ago
templates.env.globals["allows"] = allows
templates.env.globals["_"] = i18n.gettext
templates.env.globals["Permission"] = Permission


def _page(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    user = context.get("user")
    chosen = (
        user.locale
        if user is not None
        else request.session.get("lang") or i18n.negotiate(request.headers.get("accept-language"))
    )
    context["lang"] = i18n.use(chosen)
    context["languages"] = i18n.LANGUAGES
    context.setdefault("csrf", csrf_token(request))
    context.setdefault("now", runtime(request).clock.now())
    context.setdefault("flash", request.session.pop("flash", None))
    context.setdefault("flash_error", request.session.pop("flash_error", None))
    return templates.TemplateResponse(request, name, context, status_code=status_code)


_CASE_FORM = re.compile(
    r"^/cases/(\d+)/(notes|status|claim|release|merge|holds|refer|outreach|referrals/\d+/ack|referrals/\d+/outcome)$"
)


_ALERT_FORM = re.compile(r"^/console/alerts/([^/]+)/(close|tips/\d+/triage)$")


def render_error(request: Request, exc: LifeguardError) -> Response:
    form = _CASE_FORM.match(request.url.path)
    if request.method == "POST" and form and exc.status_code in (400, 409):
        # A refused action on a case: back to the case, with the reason where the person is looking.
        request.session["flash_error"] = exc.message
        return RedirectResponse(f"/cases/{form.group(1)}", status_code=303)
    alert_form = _ALERT_FORM.match(request.url.path)
    if request.method == "POST" and alert_form and exc.status_code in (400, 409):
        request.session["flash_error"] = exc.message  # the same for an action on an alert
        return RedirectResponse(f"/console/alerts/{alert_form.group(1)}", status_code=303)
    if request.headers.get("hx-request"):
        return HTMLResponse(
            f'<div class="flash error" role="alert">{_escape(exc.message)}</div>', status_code=exc.status_code
        )
    return _page(request, "error.html", {"error": exc, "user": None}, status_code=exc.status_code)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


@router.get("/", response_class=HTMLResponse)
def home() -> Response:
    return RedirectResponse("/queue", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/queue") -> HTMLResponse:  # noqa: A002 - the query name users see
    return _page(request, "login.html", {"next": _safe_next(next), "error": None, "user": None})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    username: str = Form(...),
    password: str = Form(...),
    csrf_token: str = Form(""),
    next: str = Form("/queue"),  # noqa: A002
    session: Session = Depends(db),
) -> Response:
    check_csrf(request, csrf_token)
    user = auth.authenticate_user(session, username=username, password=password)
    rt = runtime(request)
    if user is None:
        audit.record(
            session,
            at=rt.clock.now(),
            actor="anonymous",
            action="login.failed",
            object_type="user",
            object_id=username[:64],
            data={},
            request_id=request.state.request_id,
        )
        session.commit()
        return _page(
            request, "login.html", {"next": _safe_next(next), "error": "Wrong username or password.", "user": None}, 401
        )
    request.session.clear()
    request.session["user_id"] = user.id
    request.session["auth_epoch"] = session_epoch(user)
    return RedirectResponse(_safe_next(next), status_code=303)


def _safe_next(target: str) -> str:
    # Only local paths: never let a crafted link send a logged-in user elsewhere.
    return target if target.startswith("/") and not target.startswith("//") else "/queue"


@router.post("/language")
def choose_language(
    request: Request,
    language: str = Form(...),
    next: str = Form("/queue"),  # noqa: A002
    csrf_token: str = Form(""),
    session: Session = Depends(db),
) -> Response:
    check_csrf(request, csrf_token)
    if language not in i18n.LANGUAGES:
        raise BadRequest(f"unknown language {language!r}; choose one of {', '.join(i18n.LANGUAGES)}")
    request.session["lang"] = language
    user = session_user(request, session)
    if user is not None:
        user.locale = language
        session.commit()
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, csrf_token: str = Form("")) -> Response:
    check_csrf(request, csrf_token)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


def _unit_filter(user: User) -> str | None:
    """Everyone with cases.view sees the whole queue; a police liaison only their unit's referrals."""
    if allows(user.role, Permission.CASES_VIEW):
        return None
    return user.unit or "(no unit assigned)"  # matches no referral: a liaison without a unit sees nothing


def _queue_context(session: Session, user: User, now: datetime) -> dict[str, Any]:
    page = cases.queue(session, limit=200, unit=_unit_filter(user))
    ids = {c.claimed_by_id for c in page.cases if c.claimed_by_id}
    claimers = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    due = follow_ups.due(session, now=now) if allows(user.role, Permission.CASES_WORK) else []
    return {"user": user, "page": page, "claimers": claimers, "follow_ups": due}


@router.get("/queue", response_class=HTMLResponse)
def queue_page(request: Request, user: User = Depends(view_cases), session: Session = Depends(db)) -> HTMLResponse:
    return _page(request, "queue.html", _queue_context(session, user, runtime(request).clock.now()))


@router.get("/queue/rows", response_class=HTMLResponse)
def queue_rows(request: Request, user: User = Depends(view_cases), session: Session = Depends(db)) -> HTMLResponse:
    return _page(request, "queue_rows.html", _queue_context(session, user, runtime(request).clock.now()))


@router.post("/queue/take-next")
def take_next(
    request: Request, csrf_token: str = Form(""), user: User = Depends(work_cases), session: Session = Depends(db)
) -> Response:
    check_csrf(request, csrf_token)
    rt = runtime(request)
    case = cases.take_next(session, user=user, now=rt.clock.now(), sla=rt.sla)
    session.commit()
    if case is None:
        request.session["flash"] = "Nothing is waiting that you can take."
        return RedirectResponse("/queue", status_code=303)
    rt.bus.publish(CASES_CHANGED, {"case_ids": [case.id]})
    return RedirectResponse(f"/cases/{case.id}", status_code=303)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request, case_id: int, user: User = Depends(view_cases), session: Session = Depends(db)
) -> HTMLResponse:
    case = cases.get_case(session, case_id)
    cases.visible_to(user, case)
    entries = cases.timeline(session, case_id)
    others = cases.other_signals(session, case=case)
    signals = [entry.signal for entry in entries if entry.signal is not None] + others
    now = runtime(request).clock.now()
    holds, referrals = ladder.for_case(session, case.id)
    # Showing the words and places of a person is a disclosure: every look is on the record.
    audit.record(
        session,
        at=now,
        actor=f"user:{user.username}",
        action="case.viewed",
        object_type="case",
        object_id=case.id,
        data={"revealed": ["signal_text", "location", "notes"], "signals": len(signals)},
        request_id=request.state.request_id,
    )
    return _page(
        request,
        "case.html",
        {
            "user": user,
            "case": case,
            "entries": entries,
            "others": others,
            "highlighted": {signal.id: segments(signal.text, signal.spans) for signal in signals},
            "claimer": session.get(User, case.claimed_by_id) if case.claimed_by_id else None,
            "claim_live": bool(case.claim_expires_at and case.claim_expires_at >= now),
            "escalation_log": escalation.log_for(session, case.id),
            "holds": holds,
            "referrals": referrals,
            "checkins": follow_ups.for_case(session, case.id),
            "draft": outreach.draft(session, case=case, agent_name=user.display_name, now=now),
            "check_in_day": outreach.due_check_in(session, case=case, now=now),
            "notice": _notice(session, case, referrals),
            # For the shop's agent who is talking with the person now (the stories' agents kept them talking).
            "replies": message_templates.suggested_replies(case.level, case.language) if case.level != "none" else [],
            "playbook": playbooks.recommend(
                case.priority,
                has_open_orders=any(s.kind == "order" for s in signals),
                has_location=any(s.location for s in signals),
                outreach_sent=any(e.event.body.get("action") == "outreach_sent" for e in entries),
                referred=bool(referrals),
            ),
            "next_statuses": sorted(s.value for s in TRANSITIONS[Status(case.status)]),
            "outcomes": [o.value for o in Outcome],
        },
    )


def _notice(session: Session, case: Any, referrals: list[Any]) -> outreach.Draft | None:
    """Once a referral has been made and answered, the data-shared notice waits on the case for review."""
    answered = [r for r in referrals if r.acknowledged_at is not None]
    if not answered:
        return None
    first = answered[0]
    return outreach.data_shared_notice(session, case=case, referral_unit=first.unit_name, shared_on=first.sent_at)


def _done(request: Request, session: Session, case_ids: list[int], to: str, *, outbox: bool = False) -> Response:
    """Commit before the redirect (the page it leads to must show the change), then tell open consoles and, when
    the action queued deliveries, wake the delivery worker: after the commit, so it finds them."""
    session.commit()
    bus = runtime(request).bus
    bus.publish(CASES_CHANGED, {"case_ids": case_ids})
    if outbox:
        bus.publish(OUTBOX_ENQUEUED, {})
    return RedirectResponse(to, status_code=303)


@router.post("/cases/{case_id}/claim")
def claim(
    request: Request,
    case_id: int,
    csrf_token: str = Form(""),
    user: User = Depends(work_cases),
    session: Session = Depends(db),
) -> Response:
    check_csrf(request, csrf_token)
    rt = runtime(request)
    cases.claim(session, case_id=case_id, user=user, now=rt.clock.now(), sla=rt.sla)
    return _done(request, session, [case_id], f"/cases/{case_id}")


@router.post("/cases/{case_id}/release")
def release(
    request: Request,
    case_id: int,
    csrf_token: str = Form(""),
    user: User = Depends(work_cases),
    session: Session = Depends(db),
) -> Response:
    check_csrf(request, csrf_token)
    cases.release(session, case_id=case_id, user=user, now=runtime(request).clock.now())
    return _done(request, session, [case_id], "/queue")


@router.post("/cases/{case_id}/merge")
def merge(
    request: Request,
    case_id: int,
    into: int = Form(...),
    csrf_token: str = Form(""),
    user: User = Depends(work_cases),
    session: Session = Depends(db),
) -> Response:
    check_csrf(request, csrf_token)
    now = runtime(request).clock.now()
    target = cases.merge(session, source_id=case_id, target_id=into, actor=f"user:{user.username}", now=now)
    return _done(request, session, [case_id, target.id], f"/cases/{target.id}")


@router.post("/cases/{case_id}/holds")
def hold_orders(
    request: Request,
    case_id: int,
    csrf_token: str = Form(""),
    user: User = Depends(work_cases),
    session: Session = Depends(db),
) -> Response:
    check_csrf(request, csrf_token)
    ladder.request_holds(session, case_id=case_id, actor=f"user:{user.username}", now=runtime(request).clock.now())
    return _done(request, session, [case_id], f"/cases/{case_id}", outbox=True)


@router.post("/cases/{case_id}/refer")
def refer(
    request: Request,
    case_id: int,
    csrf_token: str = Form(""),
    user: User = Depends(work_cases),
    session: Session = Depends(db),
) -> Response:
    """A person confirms the referral; the system only recommended it."""
    check_csrf(request, csrf_token)
    rt = runtime(request)
    now = rt.clock.now()
    chosen = referral_plan.plan(session, case=cases.get_case(session, case_id), now=now)
    ladder.refer(
        session,
        case_id=case_id,
        units=chosen.units,
        package=chosen.package,
        actor=f"user:{user.username}",
        now=now,
        ack_within=timedelta(seconds=rt.settings.referral_ack_seconds),
    )
    return _done(request, session, [case_id], f"/cases/{case_id}", outbox=True)


@router.post("/cases/{case_id}/outreach")
def send_outreach(
    request: Request,
    case_id: int,
    text: str = Form(""),
    csrf_token: str = Form(""),
    user: User = Depends(work_cases),
    session: Session = Depends(db),
) -> Response:
    check_csrf(request, csrf_token)
    outreach.send(session, case_id=case_id, text=text, actor=f"user:{user.username}", now=runtime(request).clock.now())
    return _done(request, session, [case_id], f"/cases/{case_id}", outbox=True)


@router.post("/follow-ups/{follow_up_id}/done")
def follow_up_done(
    request: Request,
    follow_up_id: int,
    csrf_token: str = Form(""),
    user: User = Depends(work_cases),
    session: Session = Depends(db),
) -> Response:
    check_csrf(request, csrf_token)
    item = follow_ups.complete(
        session, follow_up_id=follow_up_id, actor=f"user:{user.username}", now=runtime(request).clock.now()
    )
    return _done(request, session, [item.case_id], "/queue")


@router.post("/cases/{case_id}/referrals/{referral_id}/ack")
def liaison_acknowledge(
    request: Request,
    case_id: int,
    referral_id: int,
    csrf_token: str = Form(""),
    user: User = Depends(respond_referrals),
    session: Session = Depends(db),
) -> Response:
    """The police portal: a liaison acknowledges a referral to their unit from the console."""
    check_csrf(request, csrf_token)
    ladder.acknowledge(
        session,
        referral_id=referral_id,
        unit_id=user.unit or "",
        now=runtime(request).clock.now(),
        actor=f"user:{user.username}",
    )
    return _done(request, session, [case_id], f"/cases/{case_id}")


@router.post("/cases/{case_id}/referrals/{referral_id}/outcome")
def liaison_outcome(
    request: Request,
    case_id: int,
    referral_id: int,
    outcome: str = Form(...),
    note: str = Form(""),
    csrf_token: str = Form(""),
    user: User = Depends(respond_referrals),
    session: Session = Depends(db),
) -> Response:
    check_csrf(request, csrf_token)
    ladder.report_outcome(
        session,
        referral_id=referral_id,
        unit_id=user.unit or "",
        outcome=outcome,
        note=note or None,
        now=runtime(request).clock.now(),
        actor=f"user:{user.username}",
    )
    return _done(request, session, [case_id], f"/cases/{case_id}")


@router.post("/cases/{case_id}/notes", response_class=HTMLResponse)
def add_note(
    request: Request,
    case_id: int,
    text: str = Form(""),
    version: int = Form(...),
    csrf_token: str = Form(""),
    user: User = Depends(work_cases),
    session: Session = Depends(db),
) -> Response:
    check_csrf(request, csrf_token)
    rt = runtime(request)
    cases.add_note(
        session,
        case_id=case_id,
        text=text,
        actor=f"user:{user.username}",
        now=rt.clock.now(),
        expected_version=version,
        user=user,
        sla=rt.sla,
    )
    return _done(request, session, [case_id], f"/cases/{case_id}#timeline-end")


@router.post("/cases/{case_id}/status", response_class=HTMLResponse)
def change_status(
    request: Request,
    case_id: int,
    status: str = Form(...),
    outcome: str = Form(""),
    version: int = Form(...),
    csrf_token: str = Form(""),
    user: User = Depends(work_cases),
    session: Session = Depends(db),
) -> Response:
    check_csrf(request, csrf_token)
    rt = runtime(request)
    cases.change_status(
        session,
        case_id=case_id,
        status=status,
        outcome=outcome or None,
        actor=f"user:{user.username}",
        now=rt.clock.now(),
        expected_version=version,
        user=user,
        sla=rt.sla,
    )
    return _done(request, session, [case_id], f"/cases/{case_id}")


@router.get("/notifications", response_class=HTMLResponse)
def notifications(request: Request, user: User = Depends(view_cases), session: Session = Depends(db)) -> HTMLResponse:
    return _page(request, "notifications.html", {"user": user, "items": oncall.unread(session, user_id=user.id)})


@router.get("/events")
async def events(request: Request) -> StreamingResponse:
    """Server-sent events: tells open consoles that the queue changed, so they refresh it at once. Who is asking
    is checked in a short transaction of its own: a stream that lives for hours must hold no database lock."""
    rt = runtime(request)
    await run_in_threadpool(_check_viewer, request)
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=100)

    def on_change(_topic: str, message: dict[str, Any]) -> None:
        loop.call_soon_threadsafe(_offer, queue, message)

    unsubscribes = [rt.bus.subscribe(CASES_CHANGED, on_change), rt.bus.subscribe(oncall.NOTIFICATIONS, on_change)]

    async def stream() -> AsyncIterator[str]:
        try:
            yield "retry: 2000\n\n"
            while not await request.is_disconnected():
                try:
                    message = await asyncio.wait_for(queue.get(), timeout=15)
                except TimeoutError:
                    yield f": keep-alive {datetime.now(UTC).isoformat()}\n\n"
                    continue
                name = "notifications-changed" if "user_ids" in message else "cases-changed"
                yield f"event: {name}\ndata: {json.dumps(message)}\n\n"
        finally:
            for unsubscribe in unsubscribes:
                unsubscribe()

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    )


def _check_viewer(request: Request) -> None:
    with unit_of_work(runtime(request).sessions) as session:
        view_cases(request, session)


def _offer(queue: asyncio.Queue[dict[str, Any]], message: dict[str, Any]) -> None:
    if not queue.full():  # a console that stopped reading loses nothing that matters: the next refresh shows all
        queue.put_nowait(message)


def mount_console(app: FastAPI) -> None:
    # The alert pages build on this module's rendering, so their module is imported here, not at the top.
    from lifeguard.console.alerts_views import router as alerts_router

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(router)
    app.include_router(alerts_router)
