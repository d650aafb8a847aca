from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import PlainTextResponse
from sqlalchemy.orm import Session

from lifeguard.auth.roles import Permission, Scope
from lifeguard.auth.web import Caller, api_caller, db
from lifeguard.metrics import service

router = APIRouter(tags=["metrics"])


@router.get("/metrics", response_class=PlainTextResponse, responses={401: {"description": "not authenticated"}})
def metrics(
    _caller: Caller = Depends(api_caller(scope=Scope.METRICS_READ, permission=Permission.METRICS_VIEW)),
    session: Session = Depends(db),
) -> str:
    return service.prometheus_text(service.snapshot(session))
