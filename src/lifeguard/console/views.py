"""Console pages. Each handler is thin: it checks who is asking, calls a domain service, renders a template."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from lifeguard.audit import service as audit
from lifeguard.auth import service as auth
from lifeguard.auth.models import User
from lifeguard.auth.roles import Permission, allows
from lifeguard.auth.web import check_csrf, console_user, csrf_token, db, runtime, session_epoch
from lifeguard.bus.base import CASES_CHANGED
from lifeguard.cases import service as cases
from lifeguard.cases.transitions import TRANSITIONS, Outcome, Status
from lifeguard.console.highlight import segments
from lifeguard.errors import LifeguardError

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter(include_in_schema=False)

view_cases = console_user(Permission.CASES_VIEW)
work_cases = console_user(Permission.CASES_WORK)


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
templates.env.globals["Permission"] = Permission


def _page(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    context.setdefault("csrf", csrf_token(request))
    context.setdefault("now", runtime(request).clock.now())
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def render_error(request: Request, exc: LifeguardError) -> Response:
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


@router.post("/logout")
def logout(request: Request, csrf_token: str = Form("")) -> Response:
    check_csrf(request, csrf_token)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/queue", response_class=HTMLResponse)
def queue_page(request: Request, user: User = Depends(view_cases), session: Session = Depends(db)) -> HTMLResponse:
    page = cases.queue(session, limit=200)
    return _page(request, "queue.html", {"user": user, "page": page})


@router.get("/queue/rows", response_class=HTMLResponse)
def queue_rows(request: Request, user: User = Depends(view_cases), session: Session = Depends(db)) -> HTMLResponse:
    page = cases.queue(session, limit=200)
    return _page(request, "queue_rows.html", {"user": user, "page": page})


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request, case_id: int, user: User = Depends(view_cases), session: Session = Depends(db)
) -> HTMLResponse:
    return _case_page(request, session, user, case_id)


def _case_page(
    request: Request, session: Session, user: User, case_id: int, *, flash: str | None = None, status_code: int = 200
) -> HTMLResponse:
    case = cases.get_case(session, case_id)
    entries = cases.timeline(session, case_id)
    highlighted = {
        entry.signal.id: segments(entry.signal.text, entry.signal.spans)
        for entry in entries
        if entry.signal is not None
    }
    current = Status(case.status)
    return _page(
        request,
        "case.html",
        {
            "user": user,
            "case": case,
            "entries": entries,
            "highlighted": highlighted,
            "next_statuses": sorted(s.value for s in TRANSITIONS[current]),
            "outcomes": [o.value for o in Outcome],
            "flash": flash,
        },
        status_code=status_code,
    )


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
    cases.add_note(
        session,
        case_id=case_id,
        text=text,
        actor=f"user:{user.username}",
        now=runtime(request).clock.now(),
        expected_version=version,
    )
    session.commit()  # before the redirect, so the page it leads to shows the note
    return RedirectResponse(f"/cases/{case_id}#timeline-end", status_code=303)


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
    cases.change_status(
        session,
        case_id=case_id,
        status=status,
        outcome=outcome or None,
        actor=f"user:{user.username}",
        now=runtime(request).clock.now(),
        expected_version=version,
    )
    session.commit()
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.get("/events")
async def events(request: Request, _user: User = Depends(view_cases)) -> StreamingResponse:
    """Server-sent events: tells open consoles that the queue changed, so they refresh it at once."""
    rt = runtime(request)
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=100)

    def on_change(_topic: str, message: dict[str, Any]) -> None:
        loop.call_soon_threadsafe(_offer, queue, message)

    unsubscribe = rt.bus.subscribe(CASES_CHANGED, on_change)

    async def stream() -> AsyncIterator[str]:
        try:
            yield "retry: 2000\n\n"
            while not await request.is_disconnected():
                try:
                    message = await asyncio.wait_for(queue.get(), timeout=15)
                except TimeoutError:
                    yield f": keep-alive {datetime.now(UTC).isoformat()}\n\n"
                    continue
                yield f"event: cases-changed\ndata: {json.dumps(message)}\n\n"
        finally:
            unsubscribe()

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    )


def _offer(queue: asyncio.Queue[dict[str, Any]], message: dict[str, Any]) -> None:
    if not queue.full():  # a console that stopped reading loses nothing that matters: the next refresh shows all
        queue.put_nowait(message)


def mount_console(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(router)
