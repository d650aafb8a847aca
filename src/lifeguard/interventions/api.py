"""Answers coming back: a commerce partner on a hold request, a police unit on a referral. Each caller is a
partner with a key; a unit may answer only referrals sent to it."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from lifeguard.auth.roles import Scope
from lifeguard.auth.web import Caller, api_caller, db, runtime
from lifeguard.errors import BadRequest
from lifeguard.interventions import service
from lifeguard.partners.models import Partner

router = APIRouter(prefix="/v1", tags=["interventions"])


class HoldAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["held", "intercepted", "refused"]
    reason: str | None = Field(default=None, max_length=1000)


class Outcome(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["found_safe", "hospitalised", "not_found", "false_alarm", "deceased", "other"]
    note: str | None = Field(default=None, max_length=2000)


class HandOver(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to_unit: str = Field(min_length=1, max_length=64, description="the id of the unit that takes the case on")


class Answered(BaseModel):
    id: int
    status: str


_ERRORS = {
    401: {"description": "no or bad key"},
    403: {"description": "not yours"},
    404: {"description": "unknown"},
    409: {"description": "already answered otherwise"},
}


@router.post("/holds/{hold_id}/answer", response_model=Answered, responses=_ERRORS)
def answer_hold(
    request: Request,
    hold_id: int,
    body: HoldAnswer,
    caller: Caller = Depends(api_caller(scope=Scope.ORDERS_RESPOND)),
    session: Session = Depends(db),
) -> Answered:
    hold = service.answer_hold(
        session,
        hold_id=hold_id,
        partner_id=caller.partner_id or "",
        status=body.status,
        reason=body.reason,
        now=runtime(request).clock.now(),
    )
    session.commit()
    return Answered(id=hold.id, status=hold.status)


@router.post("/referrals/{referral_id}/ack", response_model=Answered, responses=_ERRORS)
def acknowledge(
    request: Request,
    referral_id: int,
    caller: Caller = Depends(api_caller(scope=Scope.REFERRALS_RESPOND)),
    session: Session = Depends(db),
) -> Answered:
    referral = service.acknowledge(
        session,
        referral_id=referral_id,
        unit_id=caller.partner_id or "",
        now=runtime(request).clock.now(),
        actor=caller.actor,
    )
    session.commit()
    return Answered(id=referral.id, status=referral.status)


@router.post("/referrals/{referral_id}/outcome", response_model=Answered, responses=_ERRORS)
def outcome(
    request: Request,
    referral_id: int,
    body: Outcome,
    caller: Caller = Depends(api_caller(scope=Scope.REFERRALS_RESPOND)),
    session: Session = Depends(db),
) -> Answered:
    referral = service.report_outcome(
        session,
        referral_id=referral_id,
        unit_id=caller.partner_id or "",
        outcome=body.outcome,
        note=body.note,
        now=runtime(request).clock.now(),
        actor=caller.actor,
    )
    session.commit()
    return Answered(id=referral.id, status=referral.status)


@router.post("/referrals/{referral_id}/handover", response_model=Answered, responses=_ERRORS)
def hand_over(
    request: Request,
    referral_id: int,
    body: HandOver,
    caller: Caller = Depends(api_caller(scope=Scope.REFERRALS_RESPOND)),
    session: Session = Depends(db),
) -> Answered:
    rt = runtime(request)
    unit = session.get(Partner, body.to_unit)
    if unit is None or unit.kind != "police_unit" or not unit.webhook_url:
        raise BadRequest(f"unit {body.to_unit!r} is not a registered unit with a working channel")
    target = service.UnitTarget(
        id=unit.id, name=unit.name, channel="webhook", target=unit.webhook_url, secret=unit.webhook_secret
    )
    onward = service.hand_over(
        session,
        referral_id=referral_id,
        unit_id=caller.partner_id or "",
        to=target,
        now=rt.clock.now(),
        actor=caller.actor,
        ack_within=timedelta(seconds=rt.settings.referral_ack_seconds),
    )
    session.commit()
    rt.delivery.notify()  # the next unit hears of it now, not at the next poll
    return Answered(id=onward.id, status=onward.status)
