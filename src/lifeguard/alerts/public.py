"""The public side of alerts: the CAP message and Atom feed for anyone's tools; a phone-friendly page per alert
with a tip form (text, an optional place and time, an optional photo); sign-up for alert e-mails near a place,
with double opt-in and an unsubscribe link that needs no login. In Chinese, English and Hindi (``public_i18n``).

Everything here is hostile input. Tips and sign-ups are rate-limited per client by token buckets in the database
(``ratelimit``), shared by every process, before the body is read; the client is the direct peer unless that
peer is a trusted proxy (``client_address``). A tip's body is refused at 5 MB + 64 KB before it is read whole.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import xml.etree.ElementTree as ET  # noqa: S405 - builds our own XML only
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from lifeguard.alerts import ratelimit, store, subscribers
from lifeguard.alerts.cap import alert_words, format_cap_time, format_radius
from lifeguard.alerts.cap_texts import texts_for
from lifeguard.alerts.client_address import client_address, parse_networks, source_key
from lifeguard.alerts.errors import InvalidAlertInput, InvalidPhoto, MailNotConfigured, PhotoTooLarge
from lifeguard.alerts.lifecycle import AlertState
from lifeguard.alerts.model import Category
from lifeguard.alerts.models import AlertRow
from lifeguard.alerts.photos import MAX_PHOTO_BYTES, check_photo
from lifeguard.alerts.public_i18n import LANGUAGES, Translator, choose, languages_of
from lifeguard.alerts.tips import TipSubmission
from lifeguard.auth.web import db, runtime
from lifeguard.db.engine import unit_of_work
from lifeguard.errors import LifeguardError

router = APIRouter(tags=["alerts (public)"])
HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
ATOM = "http://www.w3.org/2005/Atom"
# The photo plus the text fields and multipart framing; a larger body is refused before it is read whole.
MAX_TIP_BODY = MAX_PHOTO_BYTES + 64 * 1024
MAX_FORM_BODY = 16 * 1024  # a sign-up
SUBSCRIBE_PATH = subscribers.PATH
PUBLIC_PREFIXES = ("/alerts/", SUBSCRIBE_PATH)

# The console's policy, except that alert photos live on the police's own image hosts (https only).
PUBLIC_CSP = (
    "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def mount_static(app: FastAPI) -> None:
    app.mount("/public-static", StaticFiles(directory=str(HERE / "static")), name="public-static")


# --- who is asking, and how often ---------------------------------------------------------------------------------


def client(request: Request) -> str:
    """The client's address: the peer, or the right-most untrusted X-Forwarded-For hop behind a trusted proxy."""
    trusted = parse_networks(tuple(runtime(request).settings.trusted_proxies))
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.getlist("x-forwarded-for"), trusted)


def _source(request: Request) -> str:
    """Pseudonymous: a keyed hash of the client address (an IPv6 client's /64), never the address itself."""
    key = runtime(request).settings.secret_key
    return hashlib.sha256(f"{key}\n{source_key(client(request))}".encode()).hexdigest()[:32]


def _limit(request: Request, limit: ratelimit.Limit) -> None:
    """Its own short transaction, before the request's: the token is spent even when the input is then refused."""
    rt = runtime(request)
    with unit_of_work(rt.sessions) as session:
        ratelimit.acquire(session, limit, _source(request), now=rt.clock.now())


def tips_limited(request: Request) -> None:
    _limit(request, ratelimit.TIPS)


def subscriptions_limited(request: Request) -> None:
    _limit(request, ratelimit.SUBSCRIBE)


async def _read_capped(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it passes ``limit`` (by Content-Length, else while streaming)."""
    declared = request.headers.get("content-length")
    too_large = PhotoTooLarge(
        f"the request is over {limit / 1_048_576:.1f} MB; a photo may be at most {MAX_PHOTO_BYTES // 1_048_576} MB",
        details={"limit_bytes": limit},
    )
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise too_large
    request._body = bytes(body)  # noqa: SLF001 - Starlette's own cache: form() parses from it, nothing is re-read
    return bytes(body)


def _wants_json(request: Request) -> bool:
    if request.headers.get("content-type", "").startswith("application/json"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


async def _fields(request: Request, limit: int) -> tuple[dict[str, Any], UploadFile | None]:
    """JSON or form fields (empty ones dropped) and the uploaded photo, if any."""
    raw = await _read_capped(request, limit)
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = json.loads(raw or b"null")
        except ValueError:
            raise InvalidAlertInput("the body is not valid JSON") from None
        return (data if isinstance(data, dict) else {}), None
    try:
        form = await request.form(max_files=1, max_fields=20)
    except HTTPException as exc:  # Starlette's word for a malformed or oversized multipart field
        raise InvalidAlertInput(f"the form could not be read: {exc.detail}") from None
    photo = form.get("photo")
    upload = photo if isinstance(photo, UploadFile) and (photo.filename or photo.size) else None
    return {k: v for k, v in form.items() if isinstance(v, str) and v != ""}, upload


def _invalid(exc: ValidationError, what: str) -> InvalidAlertInput:
    first = exc.errors()[0]
    return InvalidAlertInput(
        f"{what} field {'.'.join(str(p) for p in first['loc'])}: {first['msg']}",
        details=[{"path": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()],
    )


# --- language -----------------------------------------------------------------------------------------------------


def _alert_languages(row: AlertRow) -> list[str]:
    return languages_of(row.content.get("languages", [])) or ["en"]


def _language(request: Request, available: list[str]) -> str:
    return choose(available, request.query_params.get("lang"), request.headers.get("accept-language"))


def _switch(path: str, available: list[str]) -> list[tuple[str, str, str]]:
    return [(code, LANGUAGES[code], f"{path}?lang={code}") for code in available]


def _render(
    request: Request,
    template: str,
    lang: str,
    available: list[str],
    context: dict[str, Any],
    status: int = 200,
    *,
    page_path: str | None = None,
) -> Response:
    """``page_path``: the GET page the language links lead to (after a POST, the page it came from)."""
    switch = _switch(page_path or request.url.path, available)
    base = {"lang": lang, "_": Translator(lang), "switch_languages": switch}
    response = templates.TemplateResponse(request, template, base | context, status_code=status)
    response.headers["Content-Security-Policy"] = PUBLIC_CSP
    response.headers["Content-Language"] = lang
    response.headers["Vary"] = "Accept-Language"
    return response


# --- CAP and feed ---------------------------------------------------------------------------------------------------


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


# --- the alert page and its tips ------------------------------------------------------------------------------------


def _local_time(value: datetime) -> str:
    offset = value.strftime("%z")
    return f"{value:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:]})" if offset else f"{value:%Y-%m-%d %H:%M}"


def _view(row: AlertRow, radius: float | None, lang: str) -> dict[str, Any]:
    """What the page shows, in ``lang``: the alert's own words (the CAP block's) and the police-entered facts."""
    t = Translator(lang)
    content = store.content_from_json(row.content)
    person, seen = content.person, content.last_seen
    words = alert_words(content, lang)
    texts = texts_for(lang)
    assert texts is not None
    facts: list[tuple[str, str]] = []
    sex = texts.sex(person.sex, content.category)
    if sex:
        facts.append((t("Sex"), sex))
    if person.age is not None:
        facts.append((t("Age"), texts.age.format(age=person.age)))
    if person.height_cm:
        facts.append((t("Height"), texts.height.format(height=person.height_cm)))
    if person.clothing:
        facts.append((t("Clothing"), person.clothing))
    for mark in person.distinguishing_marks:
        facts.append((t("Distinguishing mark"), mark))
    facts.append((t("Last seen"), f"{seen.place}, {_local_time(seen.at)}"))
    facts.append((t("If you see them, call"), f"{content.contact.name}: {content.contact.phone}"))
    return {
        "name": person.name,
        "event": words.event,
        "photos": person.photos,
        "facts": facts,
        "may_be_confused": texts.may_be_confused if content.category is not Category.CHILD else "",
        "phone": content.contact.phone,
        "instruction": words.instruction,
        "area": texts.area.format(radius=format_radius(radius), place=seen.place) if radius else "",
        "map_url": f"https://www.openstreetmap.org/?mlat={seen.lat:.4f}&mlon={seen.lon:.4f}#map=12/{seen.lat:.4f}/{seen.lon:.4f}",
        "share_url": content.web_url,
        "tip_action": f"/alerts/{quote(row.public_id)}/tips?lang={lang}",
    }


def _page(
    request: Request, session: Session, row: AlertRow, extra: dict[str, Any] | None = None, status: int = 200
) -> Response:
    available = _alert_languages(row)
    lang = _language(request, available)
    closed = row.status == AlertState.CLOSED.value
    messages = store.messages_of(session, row)
    radius = messages[-1].radius_km if messages else None
    context: dict[str, Any] = {
        "closed": closed,
        "v": None if closed else _view(row, radius, lang),
        "subscribe_url": f"{SUBSCRIBE_PATH}?lang={lang}",
    }
    path = f"/alerts/{quote(row.public_id)}"
    return _render(request, "alert_public.html", lang, available, context | (extra or {}), status, page_path=path)


@router.get("/alerts/{public_id}", response_class=HTMLResponse)
def page(request: Request, public_id: str, session: Session = Depends(db)) -> Response:
    return _page(request, session, store.get_row(session, public_id))


class TipForm(BaseModel):
    model_config = ConfigDict(extra="ignore")
    text: str = Field(min_length=1, max_length=20_000)
    lat: float | None = None
    lon: float | None = None
    place: str | None = Field(default=None, max_length=2_000)
    seen_at: datetime | None = None
    photo_base64: str | None = Field(default=None, max_length=(MAX_PHOTO_BYTES * 4) // 3 + 8)


async def _tip_fields(request: Request, _limited: None = Depends(tips_limited)) -> tuple[dict[str, Any], bytes | None]:
    """After the rate limit (a flood costs us as little as possible): the fields and the photo's bytes."""
    data, upload = await _fields(request, MAX_TIP_BODY)
    photo = await upload.read() if upload is not None else None
    encoded = data.get("photo_base64")
    if photo is None and isinstance(encoded, str) and encoded:
        try:
            photo = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidPhoto("photo_base64 is not valid base64") from None
    return data, photo


@router.post("/alerts/{public_id}/tips")
def submit_tip(
    request: Request,
    public_id: str,
    parsed: tuple[dict[str, Any], bytes | None] = Depends(_tip_fields),
    session: Session = Depends(db),
) -> Response:
    data, photo_bytes = parsed
    row = store.get_row(session, public_id)  # 404 for an unknown alert
    try:
        form = TipForm.model_validate(data)
    except ValidationError as exc:
        raise _invalid(exc, "tip") from None
    photo = (check_photo(photo_bytes), photo_bytes) if photo_bytes else None  # 400 not an image, 413 over 5 MB
    seen_at = form.seen_at
    if seen_at is not None and seen_at.tzinfo is None:
        # A phone's date-time field has no zone: it is the time where the person went missing.
        seen_at = seen_at.replace(tzinfo=datetime.fromisoformat(row.content["last_seen"]["at"]).tzinfo)
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
            place_text=form.place,
            seen_at=seen_at,
        ),
        photo=photo,
    )
    session.commit()
    status = 200 if duplicate else 201
    if _wants_json(request):
        return JSONResponse(
            {
                "id": tip.id,
                "duplicate": duplicate,
                "text": tip.text,
                "had_links": tip.had_links,
                "photo": photo is not None,
            },
            status_code=status,
        )
    extra = {"received": tip.text, "duplicate": duplicate, "photo_received": photo is not None}
    return _page(request, session, store.get_row(session, public_id), extra, status)


# --- alert e-mails: sign-up, confirmation, unsubscribe ------------------------------------------------------------

ALL_LANGUAGES = list(LANGUAGES)


class SubscribeForm(BaseModel):
    model_config = ConfigDict(extra="ignore")
    email: str = Field(min_length=3, max_length=254)
    lat: float
    lon: float
    language: str = Field(default="en", max_length=8)


def _public_base(request: Request) -> str:
    return str(request.base_url).rstrip("/").replace("http://", "https://", 1)


def _subscribe_page(request: Request, *, sent: bool, status: int = 200) -> Response:
    lang = _language(request, ALL_LANGUAGES)
    context = {
        "sent": sent,
        "action": f"{SUBSCRIBE_PATH}?lang={lang}",
        "languages": list(LANGUAGES.items()),
    }
    return _render(request, "subscribe.html", lang, ALL_LANGUAGES, context, status, page_path=SUBSCRIBE_PATH)


@router.get(SUBSCRIBE_PATH, response_class=HTMLResponse)
def subscribe_form(request: Request) -> Response:
    return _subscribe_page(request, sent=False)


async def _subscription_fields(request: Request, _limited: None = Depends(subscriptions_limited)) -> dict[str, Any]:
    data, _ = await _fields(request, MAX_FORM_BODY)
    return data


@router.post(SUBSCRIBE_PATH)
def subscribe(
    request: Request,
    data: dict[str, Any] = Depends(_subscription_fields),
    session: Session = Depends(db),
) -> Response:
    """Sign up (form or JSON): the same answer whether or not the address was known (202 for JSON)."""
    rt = runtime(request)
    if not rt.delivery.can_send("email"):
        raise MailNotConfigured("alert e-mails are not available here: the server has no mail relay configured")
    try:
        form = SubscribeForm.model_validate(data)
    except ValidationError as exc:
        raise _invalid(exc, "sign-up") from None
    subscribers.subscribe(
        session,
        email=form.email,
        lat=form.lat,
        lon=form.lon,
        language=form.language,
        secret=rt.settings.secret_key,
        base_url=_public_base(request),
        now=rt.clock.now(),
    )
    session.commit()
    rt.delivery.notify()
    if _wants_json(request):
        return JSONResponse({"status": "confirmation_sent"}, status_code=202)
    return _subscribe_page(request, sent=True, status=202)


def _link_page(
    request: Request, *, heading: str, button: str, done: str | None, lang: str, status: int = 200
) -> Response:
    context = {"heading": heading, "button": button, "done": done, "action": f"{request.url.path}?lang={lang}"}
    languages = [] if done else ALL_LANGUAGES  # once done, the link's page is gone: nothing to switch to
    return _render(request, "subscription_link.html", lang, languages, context, status)


@router.get(SUBSCRIBE_PATH + "/confirm/{token}", response_class=HTMLResponse)
def confirm_page(request: Request, token: str, session: Session = Depends(db)) -> Response:
    """A page with a button, not the confirmation itself: mail scanners that open links must not confirm."""
    subscribers.pending_by_link(session, token, now=runtime(request).clock.now())  # 404 when not valid
    lang = _language(request, ALL_LANGUAGES)
    t = Translator(lang)
    return _link_page(request, heading=t("Confirm your sign-up"), button=t("Confirm"), done=None, lang=lang)


@router.post(SUBSCRIBE_PATH + "/confirm/{token}")
def confirm(request: Request, token: str, session: Session = Depends(db)) -> Response:
    subscribers.confirm(session, token, now=runtime(request).clock.now())
    session.commit()
    lang = _language(request, ALL_LANGUAGES)
    if _wants_json(request):
        return JSONResponse({"status": "confirmed"})
    t = Translator(lang)
    done = t("Thank you. You will get an e-mail when a missing-person alert covers your place.")
    return _link_page(request, heading=t("Confirm your sign-up"), button="", done=done, lang=lang)


@router.get(SUBSCRIBE_PATH + "/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_page(request: Request, token: str) -> Response:
    lang = _language(request, ALL_LANGUAGES)
    t = Translator(lang)
    return _link_page(request, heading=t("Stop alert e-mails"), button=t("Stop the e-mails"), done=None, lang=lang)


@router.post(SUBSCRIBE_PATH + "/unsubscribe/{token}")
def unsubscribe(request: Request, token: str, session: Session = Depends(db)) -> Response:
    """Also the target of RFC 8058 one-click unsubscribe (List-Unsubscribe-Post). Idempotent."""
    subscribers.unsubscribe(session, token, now=runtime(request).clock.now())
    session.commit()
    if _wants_json(request):
        return JSONResponse({"status": "unsubscribed"})
    lang = _language(request, ALL_LANGUAGES)
    t = Translator(lang)
    done = t("Done. You will get no more alert e-mails, and your e-mail address and place are deleted.")
    return _link_page(request, heading=t("Stop alert e-mails"), button="", done=done, lang=lang)


# --- errors on public pages ---------------------------------------------------------------------------------------


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "translate later": marks a message for the catalogue
    return message


_EXPLAIN = {
    400: N_("Please check what you entered and try again."),
    404: N_("This page does not exist, or the link is not valid any more."),
    409: N_("This alert has ended and takes no more tips. Thank you."),
    413: N_("The photo is too large: at most 5 MB."),
    429: N_("Too many requests from your network. Please wait a few minutes and try again."),
    503: N_("This is not available at the moment."),
}


def is_public(path: str) -> bool:
    return path.startswith(PUBLIC_PREFIXES)


def render_error(request: Request, exc: LifeguardError) -> Response:
    """Errors on the public pages: JSON for JSON callers, else a short page in the visitor's language."""
    headers = {}
    retry = getattr(exc, "retry_after_seconds", None)
    if retry is not None:
        headers["Retry-After"] = str(max(1, math.ceil(retry)))
    if _wants_json(request):
        return JSONResponse(exc.to_json(), status_code=exc.status_code, headers=headers)
    lang = _language(request, ALL_LANGUAGES)
    t = Translator(lang)
    context = {
        "headline": t("Something went wrong"),
        "explanation": t(_EXPLAIN.get(exc.status_code, _EXPLAIN[400])),
        "detail": exc.message,
        "back_url": _back(request),
    }
    response = _render(request, "public_error.html", lang, [], context, exc.status_code)
    response.headers.update(headers)
    return response


def _back(request: Request) -> str | None:
    """The alert page for a refused tip (same language), else nothing."""
    parts = request.url.path.split("/")
    if len(parts) == 4 and parts[1] == "alerts" and parts[3] == "tips":
        lang = request.query_params.get("lang")
        return f"/alerts/{quote(parts[2])}" + (f"?{urlencode({'lang': lang})}" if lang else "")
    return None
