"""Every endpoint, tried anonymously, with a wrong role and with the right one (NetBox's habit).

The route table below must name every route the app has: a new route without an entry fails the test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from lifeguard.app import create_app
from lifeguard.auth.models import User
from lifeguard.db.engine import unit_of_work
from lifeguard.runtime import Runtime
from tests import factories as f
from tests.conftest import add_user, issue_key, login
from tests.live_server import serving

PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/"),
    ("POST", "/logout"),
    ("POST", "/language"),
    ("GET", "/cap/alerts/{public_id}.xml"),
    ("GET", "/cap/feed.atom"),
    ("GET", "/alerts/{public_id}"),
    ("POST", "/alerts/{public_id}/tips"),
    ("GET", "/alert-subscriptions"),
    ("POST", "/alert-subscriptions"),
    ("GET", "/alert-subscriptions/confirm/{token}"),
    ("POST", "/alert-subscriptions/confirm/{token}"),
    ("GET", "/alert-subscriptions/unsubscribe/{token}"),
    ("POST", "/alert-subscriptions/unsubscribe/{token}"),
}

# route -> (roles allowed, key scopes allowed)
VIEW = {"interventionist", "supervisor", "auditor", "admin"}
WORK = {"interventionist", "supervisor", "admin"}
LIAISON = {"police_liaison"}  # sees the queue and pages, filtered to cases referred to their unit
ALERT_READERS = {"supervisor", "auditor", "admin"}  # every unit's alerts and figures, read only
ROLE_ROUTES: dict[tuple[str, str], tuple[set[str], set[str]]] = {
    ("GET", "/queue"): (VIEW | LIAISON, set()),
    ("GET", "/queue/rows"): (VIEW | LIAISON, set()),
    ("GET", "/notifications"): (VIEW | LIAISON, set()),
    ("GET", "/events"): (VIEW | LIAISON, set()),
    # The matrix's case was not referred to any unit, so a liaison is refused it.
    ("GET", "/cases/{case_id}"): (VIEW, set()),
    ("POST", "/queue/take-next"): (WORK, set()),
    ("POST", "/cases/{case_id}/claim"): (WORK, set()),
    ("POST", "/cases/{case_id}/release"): (WORK, set()),
    ("POST", "/cases/{case_id}/merge"): (WORK, set()),
    ("POST", "/cases/{case_id}/notes"): (WORK, set()),
    ("POST", "/cases/{case_id}/status"): (WORK, set()),
    ("POST", "/cases/{case_id}/holds"): (WORK, set()),
    ("POST", "/cases/{case_id}/refer"): (WORK, set()),
    ("POST", "/cases/{case_id}/outreach"): (WORK, set()),
    ("POST", "/follow-ups/{follow_up_id}/done"): (WORK, set()),
    ("POST", "/cases/{case_id}/referrals/{referral_id}/ack"): (LIAISON, set()),
    ("POST", "/cases/{case_id}/referrals/{referral_id}/outcome"): (LIAISON, set()),
    ("GET", "/v1/cases"): (VIEW, {"cases:read"}),
    ("POST", "/v1/signals"): (set(), {"signals:write"}),
    ("GET", "/metrics"): ({"supervisor", "auditor", "admin"}, {"metrics:read"}),
    ("POST", "/v1/holds/{hold_id}/answer"): (set(), {"orders:respond"}),
    ("POST", "/v1/referrals/{referral_id}/ack"): (set(), {"referrals:respond"}),
    ("POST", "/v1/referrals/{referral_id}/outcome"): (set(), {"referrals:respond"}),
    ("POST", "/v1/referrals/{referral_id}/handover"): (set(), {"referrals:respond"}),
    ("POST", "/v1/alerts"): (set(), {"alerts:publish"}),
    ("POST", "/v1/alerts/{public_id}/close"): (set(), {"alerts:publish"}),
    ("POST", "/v1/alerts/messages/{identifier}/ack"): (set(), {"alerts:receive"}),
    ("PUT", "/v1/alerts/coverage"): (set(), {"alerts:receive"}),
    ("POST", "/v1/alerts/{public_id}/revise"): (set(), {"alerts:publish"}),
    ("POST", "/v1/alerts/{public_id}/refresh"): (set(), {"alerts:publish"}),
    # The officer's console for alerts: a liaison manages their unit's (the matrix's liaison has a unit).
    ("GET", "/console/alerts"): (ALERT_READERS | LIAISON, set()),
    ("GET", "/console/alerts/stats"): (ALERT_READERS | LIAISON, set()),
    ("GET", "/console/alerts/stats.csv"): (ALERT_READERS | LIAISON, set()),
    ("GET", "/console/alerts/{public_id}"): (ALERT_READERS | LIAISON, set()),
    ("GET", "/console/alerts/new"): (LIAISON, set()),
    ("POST", "/console/alerts/new"): (LIAISON, set()),
    ("POST", "/console/alerts/{public_id}/tips/{tip_id}/triage"): (LIAISON, set()),
    ("GET", "/console/alerts/{public_id}/tips/{tip_id}/photo"): (LIAISON, set()),
    ("GET", "/console/alerts/{public_id}/close"): (LIAISON, set()),
    ("POST", "/console/alerts/{public_id}/close"): (LIAISON, set()),
}
ROLES = ["interventionist", "supervisor", "police_liaison", "auditor", "admin"]
SCOPES = [
    "signals:write",
    "cases:read",
    "metrics:read",
    "orders:respond",
    "referrals:respond",
    "alerts:publish",
    "alerts:receive",
]


DOCS = {"/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"}


def _walk(routes: list[Any]) -> Iterator[Any]:
    for route in routes:
        included = getattr(route, "original_router", None)  # newer FastAPI keeps included routers as one entry
        if included is not None:
            yield from _walk(included.routes)
        else:
            yield route


def _routes(runtime: Runtime) -> set[tuple[str, str]]:
    app = create_app(runtime=runtime)
    return {
        (method, route.path)
        for route in _walk(app.routes)
        if getattr(route, "methods", None) and route.path not in DOCS
        for method in route.methods
        if method != "HEAD"
    }


def test_the_table_covers_every_route(runtime: Runtime) -> None:
    assert _routes(runtime) == set(ROLE_ROUTES) | PUBLIC


def _call(client: TestClient, method: str, path: str, case_id: int, headers: dict[str, str] | None = None) -> int:
    url = (
        path.replace("{case_id}", str(case_id))
        .replace("{hold_id}", "999999")
        .replace("{referral_id}", "999999")
        .replace("{follow_up_id}", "999999")
        .replace("{public_id}", "999999")
        .replace("{identifier}", "999999")
        .replace("{tip_id}", "999999")
    )
    if path == "/events":
        return _events_status(client, headers or {})
    if method == "GET":
        return client.get(url, headers=headers, follow_redirects=False).status_code
    if path == "/v1/signals":
        return client.post(url, headers=headers, json={"events": [f.message("hello there")]}).status_code
    # Console forms with a valid CSRF token, so that only the role decides.
    token = _csrf(client)
    return client.request(
        method,
        url,
        data={
            "text": "note",
            "status": "triaged",
            "version": "999",
            "into": "999999",
            "outcome": "other",
            "csrf_token": token,
        },
        headers=headers,
        follow_redirects=False,
    ).status_code


def _csrf(client: TestClient) -> str:
    page = client.get("/login").text
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def _events_status(client: TestClient, headers: dict[str, str]) -> int:
    # The SSE stream never ends by itself: only its status line is read. Denied calls never open a stream.
    with client.stream("GET", "/events", headers=headers, follow_redirects=False) as response:
        return response.status_code if response.status_code != 200 else 200


@pytest.fixture
def case_id(client: TestClient, runtime: Runtime) -> int:
    key = issue_key(runtime, "matrix-shop")
    client.post(
        "/v1/signals",
        headers={"Authorization": f"Bearer {key}"},
        json={"events": [f.message("I want to die", subject="m-1")]},
    )
    return int(client.get("/v1/cases", headers={"Authorization": f"Bearer {key}"}).json()["cases"][0]["id"])


def _cells(client: TestClient, case_id: int, allowed: Any, headers: dict[str, str] | None = None) -> list[str]:
    """Try every route once with one caller; return the cells where the answer broke the table.

    One caller's routes share one app and database (a fresh one per caller): a cell's answer depends only on
    who calls, and a refusal changes nothing. Every wrong cell is listed, not only the first."""
    wrong: list[str] = []
    for method, path in sorted(ROLE_ROUTES):
        may = allowed(method, path)
        if may is None:
            continue
        status = _call(client, method, path, case_id, headers)
        if may and status in {401, 403}:
            wrong.append(f"refused {method} {path} ({status})")
        elif not may and status not in {401, 403, 303}:
            wrong.append(f"let into {method} {path} ({status})")
    return wrong


def test_anonymous_is_refused(client: TestClient, case_id: int) -> None:
    wrong = _cells(client, case_id, lambda method, path: False)
    assert not wrong, "an anonymous caller was " + "; ".join(wrong)


@pytest.mark.parametrize("role", ROLES)
def test_roles(client: TestClient, runtime: Runtime, case_id: int, role: str) -> None:
    add_user(runtime, f"u-{role}", role)
    if role == "police_liaison":
        with unit_of_work(runtime.sessions) as s:
            s.scalars(select(User).where(User.username == f"u-{role}")).one().unit = "matrix-unit"
    login(client, f"u-{role}")

    def allowed(method: str, path: str) -> bool | None:
        may = role in ROLE_ROUTES[(method, path)][0]
        if path == "/events" and may:
            return None  # an allowed SSE stream stays open; the browser test covers it
        return may

    wrong = _cells(client, case_id, allowed)
    assert not wrong, f"{role} was " + "; ".join(wrong)


@pytest.mark.parametrize("scope", SCOPES)
def test_key_scopes(client: TestClient, runtime: Runtime, case_id: int, scope: str) -> None:
    key = issue_key(runtime, f"p-{scope.replace(':', '-')}", scopes=[scope])
    wrong = _cells(
        client,
        case_id,
        lambda method, path: scope in ROLE_ROUTES[(method, path)][1],
        headers={"Authorization": f"Bearer {key}"},
    )
    assert not wrong, f"a key with {scope} was " + "; ".join(wrong)


@pytest.mark.parametrize("role", sorted(role for role in ROLES if role in ROLE_ROUTES[("GET", "/events")][0]))
def test_allowed_roles_open_the_live_event_stream(runtime: Runtime, role: str) -> None:
    """The cells the loop above leaves out: an allowed role gets the SSE stream itself (on a real server, since
    the stream never ends; only its head is read)."""
    add_user(runtime, f"u-{role}", role)
    with serving(create_app(runtime=runtime)) as base, httpx.Client(base_url=base, timeout=10) as client:
        login(client, f"u-{role}")  # type: ignore[arg-type]
        with client.stream("GET", "/events") as response:
            assert response.status_code == 200, f"{role} was refused the event stream ({response.status_code})"
            assert response.headers["content-type"].startswith("text/event-stream")
