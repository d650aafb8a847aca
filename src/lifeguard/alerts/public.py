"""The public side of alerts: the CAP message and Atom feed for anyone's tools, a phone-friendly page with a tip
form, and the tip endpoint (form or JSON; sanitised, rate-limited per client, de-duplicated)."""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET  # noqa: S405 - builds our own XML only
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifeguard.alerts import store
from lifeguard.alerts.cap import format_cap_time
from lifeguard.alerts.errors import InvalidAlertInput
from lifeguard.alerts.lifecycle import AlertState
from lifeguard.alerts.models import AlertRow
from lifeguard.alerts.tips import TipRateLimiter, TipSubmission
from lifeguard.auth.web import db, runtime

router = APIRouter(tags=["alerts (public)"])
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
ATOM = "http://www.w3.org/2005/Atom"


class TipForm(BaseModel):
    model_config = ConfigDict(extra="ignore")
    text: str = Field(min_length=1, max_length=20_000)
    lat: float | None = None
    lon: float | None = None
    seen_at: datetime | None = None


def _limiter(request: Request) -> TipRateLimiter:
    limiter = getattr(request.app.state, "tip_limiter", None)
    if limiter is None:
        limiter = request.app.state.tip_limiter = TipRateLimiter(clock=runtime(request).clock)
    return limiter  # type: ignore[no-any-return]


def _source(request: Request) -> str:
    """Pseudonymous: a keyed hash of the client address, never the address itself."""
    host = request.client.host if request.client else "unknown"
    key = runtime(request).settings.secret_key
    return hashlib.sha256(f"{key}\n{host}".encode()).hexdigest()[:32]


async def _tip_body(request: Request) -> tuple[dict[str, Any], bool]:
    if request.headers.get("content-type", "").startswith("application/json"):
        data = await request.json()
        return (data if isinstance(data, dict) else {}), False
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str) and v != ""}, True


def _page_context(session: Session, row: AlertRow) -> dict[str, Any]:
    closed = row.status == AlertState.CLOSED.value
    return {"alert": row, "closed": closed, "c": None if closed else row.content}


@router.get("/cap/alerts/{public_id}.xml", include_in_schema=True)
def cap_message(public_id: str, session: Session = Depends(db)) -> Response:
    row = store.get_row(session, public_id)
    latest = store.messages_of(session, row)[-1]
    return Response(latest.xml.encode(), media_type="application/cap+xml")


@router.get("/cap/feed.atom")
def feed(request: Request, session: Session = Depends(db)) -> Response:
    base = str(request.base_url).rstrip("/")
    root = ET.Element("feed", xmlns=ATOM)
    ET.SubElement(root, "title").text = "Missing-person alerts"
    ET.SubElement(root, "id").text = f"{base}/cap/feed.atom"
    rows = list(session.scalars(select(AlertRow).order_by(AlertRow.published_at.desc(), AlertRow.id.desc())))
    updated = max((r.closed_at or r.published_at or r.created_at for r in rows), default=None)
    ET.SubElement(root, "updated").text = format_cap_time(updated or runtime(request).clock.now())
    for row in rows:
        entry = ET.SubElement(root, "entry")
        closed = row.status == AlertState.CLOSED.value
        ET.SubElement(entry, "id").text = f"{base}/alerts/{row.public_id}"
        when = row.closed_at if closed else row.published_at
        ET.SubElement(entry, "updated").text = format_cap_time(when or row.created_at)
        ET.SubElement(entry, "link", rel="alternate", href=f"{base}/alerts/{row.public_id}")
        ET.SubElement(
            entry,
            "link",
            rel="related",
            type="application/cap+xml",
            href=f"{base}/cap/alerts/{row.public_id}.xml",
        )
        if closed:  # the person's details and photos are withdrawn with the alert
            ET.SubElement(entry, "title").text = f"Alert {row.public_id} has ended"
            continue
        person = row.content["person"]
        seen = row.content["last_seen"]
        ET.SubElement(entry, "title").text = f"Missing: {person['name']}"
        ET.SubElement(entry, "summary").text = f"Last seen at {seen['place']}, {seen['at']}"
        for photo in person["photos"]:
            ET.SubElement(
                entry,
                "link",
                rel="enclosure",
                type=photo["mime_type"],
                href=photo["uri"],
                length=str(photo["size_bytes"]),
            )
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type="application/atom+xml")


# The console's policy, except that alert photos live on the police's own image hosts (https only).
PUBLIC_CSP = (
    "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'"
)


@router.get("/alerts/{public_id}", response_class=HTMLResponse)
def page(request: Request, public_id: str, session: Session = Depends(db)) -> Response:
    row = store.get_row(session, public_id)
    response = templates.TemplateResponse(request, "alert_public.html", _page_context(session, row))
    response.headers["Content-Security-Policy"] = PUBLIC_CSP
    return response


@router.post("/alerts/{public_id}/tips")
def submit_tip(
    request: Request,
    public_id: str,
    parsed: tuple[dict[str, Any], bool] = Depends(_tip_body),
    session: Session = Depends(db),
) -> Response:
    data, is_form = parsed
    store.get_row(session, public_id)  # 404 before anything else
    _limiter(request).acquire(_source(request))  # before any parsing: a flood costs us as little as possible
    try:
        form = TipForm.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidAlertInput(
            f"tip field {'.'.join(str(p) for p in first['loc'])}: {first['msg']}",
            details=[{"path": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()],
        ) from None
    now = runtime(request).clock.now()
    tip, duplicate = store.add_tip(
        session,
        public_id=public_id,
        submission=TipSubmission(
            alert_id=public_id,
            source_id=_source(request),
            text=form.text,
            received_at=now,
            lat=form.lat,
            lon=form.lon,
            seen_at=form.seen_at,
        ),
    )
    session.commit()
    if is_form:
        row = store.get_row(session, public_id)
        context = _page_context(session, row) | {"received": tip.text, "duplicate": duplicate}
        response = templates.TemplateResponse(
            request, "alert_public.html", context, status_code=200 if duplicate else 201
        )
        response.headers["Content-Security-Policy"] = PUBLIC_CSP
        return response
    return JSONResponse(
        {"id": tip.id, "duplicate": duplicate, "text": tip.text, "had_links": tip.had_links},
        status_code=200 if duplicate else 201,
    )
