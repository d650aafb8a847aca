"""The alerts API for police units and partner apps, each calling with a partner API key.

- ``alerts:publish``: a police unit publishes, revises, refreshes and closes alerts. Issue this scope only to
  partners of kind ``police_unit`` (``lifeguard apikey create --partner <unit> --scope alerts:publish``). Only the
  unit that published an alert may change it (403 for another unit).
- ``alerts:receive``: a partner app sets the H3 cells it serves and acknowledges the CAP messages it got at its
  ``webhook_url`` (signed with its ``webhook_secret``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from lifeguard.alerts import store
from lifeguard.alerts.criteria import facts_about
from lifeguard.alerts.lifecycle import Outcome
from lifeguard.alerts.model import AlertContent, Category, ContactUnit, LastSeen, MissingPerson, PhotoRef, Sex
from lifeguard.alerts.models import AlertRow, CapMessageRow
from lifeguard.auth.roles import Scope
from lifeguard.auth.web import Caller, api_caller, db, runtime

router = APIRouter(prefix="/v1/alerts", tags=["alerts"])


class Photo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    uri: str = Field(max_length=500)
    mime_type: Literal["image/jpeg", "image/png", "image/webp"]
    size_bytes: int = Field(gt=0)
    sha1_hex: str = Field(pattern=r"^[0-9a-f]{40}$")
    description: str = Field(default="Photo", max_length=200)


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    age: int | None = Field(default=None, ge=0, le=130)
    sex: Sex = Sex.UNKNOWN
    height_cm: int | None = Field(default=None, ge=30, le=260)
    clothing: str = Field(default="", max_length=1000)
    distinguishing_marks: list[str] = Field(default_factory=list, max_length=20)
    photos: list[Photo] = Field(default_factory=list, max_length=10)


class Seen(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lat: float  # checked by the domain (400 naming the coordinate)
    lon: float
    place: str = Field(min_length=1, max_length=300)
    at: datetime


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    phone: str = Field(min_length=1, max_length=40)
    email: str | None = Field(default=None, max_length=200)


class PublishRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    alert_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$", description="the unit's case number")
    category: Category
    person: Person
    last_seen: Seen
    contact: Contact
    languages: list[str] = Field(default_factory=lambda: ["zh-CN", "en-US"], min_length=1, max_length=5)
    abduction_suspected: bool = False
    police_confirmed_risk: bool = Field(description="the police confirmed the person is at risk")
    dementia: bool | None = None
    cognitive_impairment: bool | None = None
    risk_to_life: bool | None = None


class Published(BaseModel):
    id: str
    status: str
    identifier: str
    radius_km: float
    partners: list[str]
    page: str
    cap: str


class PersonChanges(BaseModel):
    """Only the fields given change; the others stay as published."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    age: int | None = Field(default=None, ge=0, le=130)
    sex: Sex | None = None
    height_cm: int | None = Field(default=None, ge=30, le=260)
    clothing: str | None = Field(default=None, max_length=1000)
    distinguishing_marks: list[str] | None = Field(default=None, max_length=20)
    photos: list[Photo] | None = Field(default=None, max_length=10)


class ReviseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    person: PersonChanges | None = None
    last_seen: Seen | None = Field(default=None, description="a confirmed sighting: the new last known place and time")
    contact: Contact | None = None
    note: str | None = Field(default=None, max_length=500, description="what changed, for partners (CAP note)")


class Revised(BaseModel):
    id: str
    status: str
    identifier: str
    sequence: int
    radius_km: float
    partners: list[str]
    subscribers: int


class CloseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Outcome


class Closed(BaseModel):
    id: str
    status: str
    outcome: str
    cancelled_partners: list[str]


class AckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reached: int | None = Field(default=None, ge=0, description="how many people the partner showed it to")


class Acked(BaseModel):
    identifier: str
    result: str


class Coverage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cells: list[str] = Field(min_length=1, max_length=10_000, description="H3 cells (hex strings), any resolution")


class CoverageSet(BaseModel):
    partner_id: str
    cells: int


_ERRORS = {
    400: {"description": "bad input or criteria not met"},
    401: {"description": "no or bad key"},
    403: {"description": "scope missing"},
    404: {"description": "unknown alert or message"},
    409: {"description": "conflict: exists, closed, stale acknowledgement"},
}


def _public_base(request: Request) -> str:
    # CAP's <web> must be https; behind a TLS proxy the app sees http.
    return str(request.base_url).rstrip("/").replace("http://", "https://", 1)


@router.post("", response_model=Published, status_code=201, responses=_ERRORS)
def publish(
    request: Request,
    body: PublishRequest,
    caller: Caller = Depends(api_caller(scope=Scope.ALERTS_PUBLISH)),
    session: Session = Depends(db),
) -> Published:
    base = _public_base(request)
    person = MissingPerson(
        name=body.person.name,
        age=body.person.age,
        sex=body.person.sex,
        height_cm=body.person.height_cm,
        clothing=body.person.clothing,
        distinguishing_marks=tuple(body.person.distinguishing_marks),
        photos=tuple(PhotoRef(**p.model_dump()) for p in body.person.photos),
    )
    content = AlertContent(
        alert_id=body.alert_id,
        category=body.category,
        person=person,
        last_seen=LastSeen(
            lat=body.last_seen.lat, lon=body.last_seen.lon, place=body.last_seen.place, at=body.last_seen.at
        ),
        contact=ContactUnit(name=body.contact.name, phone=body.contact.phone, email=body.contact.email),
        web_url=f"{base}/alerts/{body.alert_id}",
        languages=tuple(body.languages),
        abduction_suspected=body.abduction_suspected,
    )
    officer = {
        "police_confirmed_risk": body.police_confirmed_risk,
        "dementia": body.dementia,
        "cognitive_impairment": body.cognitive_impairment,
        "risk_to_life": body.risk_to_life,
    }
    facts = facts_about(person, **{k: v for k, v in officer.items() if v is not None})
    row, partners = store.publish(
        session,
        content=content,
        facts=facts,
        actor=caller.actor,
        now=runtime(request).clock.now(),
        unit_id=caller.partner_id,
    )
    message = store.messages_of(session, row)[-1]
    session.commit()
    runtime(request).delivery.notify()
    return Published(
        id=row.public_id,
        status=row.status,
        identifier=message.identifier,
        radius_km=message.radius_km,
        partners=partners,
        page=f"{base}/alerts/{row.public_id}",
        cap=f"{base}/cap/alerts/{row.public_id}.xml",
    )


def _sent_update(
    request: Request, session: Session, row: AlertRow, message: CapMessageRow, partners: list[str], mailed: int
) -> Revised:
    """Commit the Update with its outbox rows, wake the delivery worker, and say what went out."""
    session.commit()
    runtime(request).delivery.notify()
    return Revised(
        id=row.public_id,
        status=row.status,
        identifier=message.identifier,
        sequence=message.sequence,
        radius_km=message.radius_km,
        partners=partners,
        subscribers=mailed,
    )


@router.post("/{public_id}/revise", response_model=Revised, responses=_ERRORS)
def revise(
    request: Request,
    public_id: str,
    body: ReviseRequest,
    caller: Caller = Depends(api_caller(scope=Scope.ALERTS_PUBLISH)),
    session: Session = Depends(db),
) -> Revised:
    """New facts (a confirmed sighting that moves the last known place, clothing, marks, photos): a CAP Update
    to every partner reached before and every partner covering the current circle, and e-mails to subscribers."""
    person = None
    if body.person is not None:
        person = {k: v for k, v in body.person.model_dump(exclude_unset=True).items() if v is not None}
        if body.person.photos is not None:
            person["photos"] = [PhotoRef(**p.model_dump()) for p in body.person.photos]
    seen = body.last_seen
    row, message, partners, mailed = store.revise(
        session,
        public_id=public_id,
        person=person,
        last_seen=LastSeen(lat=seen.lat, lon=seen.lon, place=seen.place, at=seen.at) if seen else None,
        contact=(
            ContactUnit(name=body.contact.name, phone=body.contact.phone, email=body.contact.email)
            if body.contact
            else None
        ),
        note=body.note,
        actor=caller.actor,
        now=runtime(request).clock.now(),
        unit_id=caller.partner_id,
    )
    return _sent_update(request, session, row, message, partners, mailed)


@router.post("/{public_id}/refresh", response_model=Revised, responses=_ERRORS)
def refresh(
    request: Request,
    public_id: str,
    caller: Caller = Depends(api_caller(scope=Scope.ALERTS_PUBLISH)),
    session: Session = Depends(db),
) -> Revised:
    """The current content again as an Update, renewing its expiry at partners (the timer does this by itself
    two hours before expiry; this is for a unit that wants it now)."""
    row, message, partners = store.refresh(
        session, public_id=public_id, actor=caller.actor, now=runtime(request).clock.now(), unit_id=caller.partner_id
    )
    return _sent_update(request, session, row, message, partners, 0)


@router.post("/{public_id}/close", response_model=Closed, responses=_ERRORS)
def close(
    request: Request,
    public_id: str,
    body: CloseRequest,
    caller: Caller = Depends(api_caller(scope=Scope.ALERTS_PUBLISH)),
    session: Session = Depends(db),
) -> Closed:
    row, partners = store.close(
        session,
        public_id=public_id,
        outcome=body.outcome,
        actor=caller.actor,
        now=runtime(request).clock.now(),
        unit_id=caller.partner_id,
    )
    session.commit()
    runtime(request).delivery.notify()
    return Closed(id=row.public_id, status=row.status, outcome=row.outcome or "", cancelled_partners=partners)


@router.post("/messages/{identifier}/ack", response_model=Acked, responses=_ERRORS)
def acknowledge(
    request: Request,
    identifier: str,
    body: AckRequest,
    caller: Caller = Depends(api_caller(scope=Scope.ALERTS_RECEIVE)),
    session: Session = Depends(db),
) -> Acked:
    result = store.acknowledge(
        session,
        identifier=identifier,
        partner_id=caller.partner_id or "",
        reached=body.reached,
        now=runtime(request).clock.now(),
    )
    session.commit()
    return Acked(identifier=identifier, result=result.value)


@router.put("/coverage", response_model=CoverageSet, responses=_ERRORS)
def set_coverage(
    request: Request,
    body: Coverage,
    caller: Caller = Depends(api_caller(scope=Scope.ALERTS_RECEIVE)),
    session: Session = Depends(db),
) -> CoverageSet:
    row = store.set_coverage(
        session, partner_id=caller.partner_id or "", cells=body.cells, now=runtime(request).clock.now()
    )
    session.commit()
    return CoverageSet(partner_id=row.partner_id, cells=len(row.cells))
