"""POST /v1/signals: a platform's batch of events in, a per-item verdict out."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from lifeguard.auth.roles import Scope
from lifeguard.auth.web import Caller, api_caller, db, runtime
from lifeguard.bus.base import SIGNALS_ACCEPTED
from lifeguard.errors import PayloadTooLarge
from lifeguard.signals import service
from lifeguard.signals.schemas import BatchRequest, BatchResult
from lifeguard.signals.validation import parse_body

router = APIRouter(prefix="/v1", tags=["signals"])


@router.post(
    "/signals",
    response_model=BatchResult,
    summary="Send a batch of 1..1000 events",
    openapi_extra={
        "requestBody": {"content": {"application/json": {"schema": BatchRequest.model_json_schema()}}, "required": True}
    },
    responses={
        400: {"description": "malformed batch"},
        401: {"description": "missing or wrong key"},
        413: {"description": "batch too large"},
    },
)
async def post_signals(
    request: Request,
    caller: Caller = Depends(api_caller(scope=Scope.SIGNALS_WRITE)),
    session: Session = Depends(db),
) -> BatchResult:
    rt = runtime(request)
    body = await request.body()
    if len(body) > rt.settings.max_body_bytes:
        raise PayloadTooLarge(f"the body has {len(body)} bytes; the limit is {rt.settings.max_body_bytes}")
    events = parse_body(body, max_events=rt.settings.max_batch_events)

    def accept() -> BatchResult:
        result = service.accept_batch(
            session,
            platform=caller.partner_id or "",
            events=events,
            now=rt.clock.now(),
            max_text_chars=rt.settings.max_text_chars,
        )
        session.commit()  # the events are on disk before anyone is told they were accepted
        if result.accepted and rt.settings.workers == "inline":
            rt.worker.drain()
        return result

    # Database work off the event loop: a slow disk or a lock wait must not stall every other request.
    result = await run_in_threadpool(accept)
    if result.accepted and rt.settings.workers != "inline":
        rt.bus.publish(SIGNALS_ACCEPTED, {"platform": caller.partner_id, "count": result.accepted})
    return result
