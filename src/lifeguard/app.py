"""Assemble the web application: API routers, console, error handling, sessions, security headers."""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.middleware.sessions import SessionMiddleware

from lifeguard import __version__
from lifeguard.alerts import public as alerts_public
from lifeguard.alerts.api import router as alerts_router
from lifeguard.auth.web import LoginRequired
from lifeguard.cases.api import router as cases_router
from lifeguard.config import Settings
from lifeguard.console.views import mount_console, render_error
from lifeguard.errors import LifeguardError
from lifeguard.interventions.api import router as interventions_router
from lifeguard.metrics.api import router as metrics_router
from lifeguard.runtime import Runtime, build_runtime
from lifeguard.signals.api import router as signals_router

log = logging.getLogger(__name__)

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(("/v1/", "/metrics"))


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or (runtime.settings if runtime else Settings())
    rt = runtime or build_runtime(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.workers == "thread":
            rt.start_background()
        yield
        rt.close()

    app = FastAPI(
        title="Lifeguard",
        version=__version__,
        description="Signals in, risk detected, cases worked by trained people.",
        lifespan=lifespan,
    )
    app.state.runtime = rt

    @app.middleware("http")
    async def request_context(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        request.state.request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        response = await call_next(request)
        response.headers["X-Request-ID"] = request.state.request_id
        response.headers.setdefault("Content-Security-Policy", CSP)  # a page may widen it (alert photos)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="lifeguard_session",
        max_age=settings.session_max_age_seconds,
        same_site="strict",
        https_only=settings.environment == "production",
    )

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        if _is_api(request):
            return JSONResponse(exc.to_json(), status_code=401)
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(LifeguardError)
    async def _lifeguard_error(request: Request, exc: LifeguardError) -> Response:
        if alerts_public.is_public(request.url.path):
            return alerts_public.render_error(request, exc)  # in the visitor's language; JSON for JSON callers
        if _is_api(request):
            response: Response = JSONResponse(exc.to_json(), status_code=exc.status_code)
        else:
            response = render_error(request, exc)
        retry = getattr(exc, "retry_after_seconds", None)
        if retry is not None:
            response.headers["Retry-After"] = str(max(1, math.ceil(retry)))
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        details = [
            {"path": ".".join(str(part) for part in err["loc"]), "code": err["type"], "message": err["msg"]}
            for err in exc.errors()
        ]
        return JSONResponse(
            {"error": {"code": "invalid_request", "message": "the request is not valid", "details": details}},
            status_code=422,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        request_id = getattr(request.state, "request_id", "")
        return JSONResponse(
            {
                "error": {
                    "code": "internal",
                    "message": f"something went wrong on our side; quote request id {request_id}",
                }
            },
            status_code=500,
        )

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.include_router(signals_router)
    app.include_router(cases_router)
    app.include_router(metrics_router)
    app.include_router(interventions_router)
    app.include_router(alerts_router)
    app.include_router(alerts_public.router)
    alerts_public.mount_static(app)
    mount_console(app)
    return app
