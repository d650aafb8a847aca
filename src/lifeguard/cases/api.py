"""GET /v1/cases: the open-case queue, highest priority first, then the longest waiting."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from lifeguard.auth.roles import Permission, Scope
from lifeguard.auth.web import Caller, api_caller, db
from lifeguard.cases import service
from lifeguard.cases.schemas import CaseQueue, CaseSummary

router = APIRouter(prefix="/v1", tags=["cases"])


@router.get(
    "/cases",
    response_model=CaseQueue,
    responses={401: {"description": "not authenticated"}, 403: {"description": "not allowed"}},
)
def list_cases(
    caller: Caller = Depends(api_caller(scope=Scope.CASES_READ, permission=Permission.CASES_VIEW)),
    session: Session = Depends(db),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> CaseQueue:
    # A platform sees only its own people; console users see every platform's queue.
    page = service.queue(session, limit=limit, offset=offset, platform=caller.partner_id)
    return CaseQueue(total=page.total, cases=[CaseSummary.of(case) for case in page.cases])
