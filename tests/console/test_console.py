"""The console as a user meets it: log in, see the queue, open a case, add a note, change status."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from lifeguard.audit.models import AuditRecord
from lifeguard.auth import service as auth
from lifeguard.auth.models import User
from lifeguard.cases.models import Case
from lifeguard.db.engine import unit_of_work
from lifeguard.runtime import Runtime
from tests import factories as f
from tests.conftest import add_user, csrf_from, login


def _open_case(
    client: TestClient, api_key: str, text: str = "我不想活了，马上从楼上跳下去", subject: str = "u-1"
) -> int:
    client.post(
        "/v1/signals",
        headers={"Authorization": f"Bearer {api_key}"},
        json={"events": [f.message(text, subject=subject, locale="zh-CN")]},
    )
    cases = client.get("/v1/cases", headers={"Authorization": f"Bearer {api_key}"}).json()["cases"]
    return next(c["id"] for c in cases if c["subject"] == subject)


def _version(client: TestClient, case_id: int) -> str:
    page = client.get(f"/cases/{case_id}").text
    return page.split('name="version" value="', 1)[1].split('"', 1)[0]


def test_anonymous_is_sent_to_login(client: TestClient) -> None:
    response = client.get("/queue", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_wrong_password_is_refused_and_audited(client: TestClient, runtime: Runtime) -> None:
    add_user(runtime, "alice", "interventionist")
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"username": "alice", "password": "wrong password!", "csrf_token": token})
    assert response.status_code == 401 and "Wrong username or password" in response.text
    assert client.get("/queue", follow_redirects=False).status_code == 303
    with unit_of_work(runtime.sessions) as s:
        assert s.scalars(select(AuditRecord.action)).all()[-1] == "login.failed"


def test_login_without_csrf_token_is_refused(client: TestClient, runtime: Runtime) -> None:
    add_user(runtime, "alice", "interventionist")
    client.get("/login")
    response = client.post(
        "/login", data={"username": "alice", "password": "correct horse battery", "csrf_token": "forged"}
    )
    assert response.status_code == 403


def test_queue_case_note_and_status_end_to_end(client: TestClient, runtime: Runtime, api_key: str) -> None:
    case_id = _open_case(client, api_key)
    add_user(runtime, "alice", "interventionist")
    token = login(client, "alice")

    queue = client.get("/queue").text
    assert f"/cases/{case_id}" in queue and "P0" in queue
    rows = client.get("/queue/rows").text
    assert f'data-case-id="{case_id}"' in rows and "<html" not in rows  # a fragment for HTMX

    page = client.get(f"/cases/{case_id}").text
    assert '<mark title="rule:attempt.imminent_time">马上</mark>' in page  # the risky span is highlighted

    response = client.post(
        f"/cases/{case_id}/notes",
        data={
            "text": "Agent is talking with her; police of 440300 informed.",
            "version": _version(client, case_id),
            "csrf_token": token,
        },
        follow_redirects=True,
    )
    assert response.status_code == 200 and "police of 440300 informed" in response.text

    response = client.post(
        f"/cases/{case_id}/status",
        data={"status": "resolved", "outcome": "", "version": _version(client, case_id), "csrf_token": token},
    )
    assert response.status_code == 200 and "needs an outcome" in response.text  # back on the case, told why
    assert 'class="flash error"' in response.text

    response = client.post(
        f"/cases/{case_id}/status",
        data={"status": "resolved", "outcome": "rescued", "version": _version(client, case_id), "csrf_token": token},
        follow_redirects=True,
    )
    assert response.status_code == 200 and "resolved · rescued" in response.text
    assert f"/cases/{case_id}" not in client.get("/queue/rows").text

    with unit_of_work(runtime.sessions) as s:
        actions = s.scalars(select(AuditRecord.action).where(AuditRecord.actor == "user:alice")).all()
    assert [a for a in actions if a != "case.viewed"] == ["case.note_added", "case.status_changed"]
    assert actions.count("case.viewed") >= 3  # every look at the case is on the record too


def test_forged_form_post_is_refused(client: TestClient, runtime: Runtime, api_key: str) -> None:
    case_id = _open_case(client, api_key)
    add_user(runtime, "alice", "interventionist")
    login(client, "alice")
    response = client.post(
        f"/cases/{case_id}/notes", data={"text": "x", "version": _version(client, case_id), "csrf_token": "forged"}
    )
    assert response.status_code == 403


def test_stale_page_is_told_to_reload(client: TestClient, runtime: Runtime, api_key: str) -> None:
    case_id = _open_case(client, api_key)
    add_user(runtime, "alice", "interventionist")
    token = login(client, "alice")
    stale = _version(client, case_id)
    client.post(f"/cases/{case_id}/notes", data={"text": "first", "version": stale, "csrf_token": token})
    response = client.post(
        f"/cases/{case_id}/status",
        data={"status": "triaged", "version": stale, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == f"/cases/{case_id}"
    page = client.get(f"/cases/{case_id}").text
    assert "changed since you loaded it" in page and "reload" in page
    assert "triaged" not in page.split('id="case-status"')[1][:60]


def test_auditor_reads_but_cannot_act(client: TestClient, runtime: Runtime, api_key: str) -> None:
    case_id = _open_case(client, api_key)
    add_user(runtime, "audrey", "auditor")
    token = login(client, "audrey")
    page = client.get(f"/cases/{case_id}")
    assert page.status_code == 200 and "can read this case but not act" in page.text
    response = client.post(f"/cases/{case_id}/notes", data={"text": "x", "version": "1", "csrf_token": token})
    assert response.status_code == 403


def test_a_role_changed_mid_session_takes_effect_at_once(client: TestClient, runtime: Runtime, api_key: str) -> None:
    case_id = _open_case(client, api_key)
    add_user(runtime, "alice", "interventionist")
    login(client, "alice")
    assert f"/cases/{case_id}" in client.get("/queue/rows").text
    with unit_of_work(runtime.sessions) as s:
        s.scalars(select(User).where(User.username == "alice")).one().role = "police_liaison"
    assert f"/cases/{case_id}" not in client.get("/queue/rows").text  # only cases referred to her unit now
    assert client.get(f"/cases/{case_id}").status_code == 403


def test_a_police_liaison_sees_only_cases_referred_to_their_unit(
    client: TestClient, runtime: Runtime, api_key: str
) -> None:
    mine = _open_case(client, api_key, subject="referred-here")
    other = _open_case(client, api_key, subject="referred-elsewhere")
    with unit_of_work(runtime.sessions) as s:
        s.get(Case, mine).referred_unit = "cn-440300-psb"
        s.get(Case, other).referred_unit = "cn-340100-psb"
        auth.add_user(
            s,
            username="li",
            password="correct horse battery",
            role="police_liaison",
            now=runtime.clock.now(),
            actor="test",
        )
        s.scalars(select(User).where(User.username == "li")).one().unit = "cn-440300-psb"
    login(client, "li")
    rows = client.get("/queue/rows").text
    assert f"/cases/{mine}" in rows and f"/cases/{other}" not in rows
    assert client.get(f"/cases/{mine}").status_code == 200
    assert client.get(f"/cases/{other}").status_code == 403


def test_a_deactivated_user_is_logged_out(client: TestClient, runtime: Runtime) -> None:
    add_user(runtime, "alice", "interventionist")
    login(client, "alice")
    with unit_of_work(runtime.sessions) as s:
        s.scalars(select(User).where(User.username == "alice")).one().active = False
    assert client.get("/queue", follow_redirects=False).status_code == 303


def test_login_next_never_leaves_the_site(client: TestClient, runtime: Runtime) -> None:
    add_user(runtime, "alice", "interventionist")
    token = csrf_from(client.get("/login?next=//evil.example").text)
    response = client.post(
        "/login",
        data={"username": "alice", "password": "correct horse battery", "csrf_token": token, "next": "//evil.example"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/queue"


def test_unknown_case_is_a_clear_404(client: TestClient, runtime: Runtime) -> None:
    add_user(runtime, "alice", "interventionist")
    login(client, "alice")
    response = client.get("/cases/999999")
    assert response.status_code == 404 and "does not exist" in response.text


def test_pages_carry_security_headers(client: TestClient) -> None:
    response = client.get("/login")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_console_speaks_the_users_language(client: TestClient, runtime: Runtime, api_key: str) -> None:
    case_id = _open_case(client, api_key)
    assert "登录" in client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).text
    assert "लॉग इन करें" in client.get("/login", headers={"Accept-Language": "hi-IN"}).text
    add_user(runtime, "wang", "interventionist")
    token = login(client, "wang")
    assert "Open cases" in client.get("/queue").text
    client.post("/language", data={"language": "zh", "next": "/queue", "csrf_token": token})
    queue = client.get("/queue").text
    assert "待处理个案" in queue and "接下一个" in queue and 'lang="zh"' in queue
    assert "时间线" in client.get(f"/cases/{case_id}").text
    with unit_of_work(runtime.sessions) as s:
        assert s.scalars(select(User.locale).where(User.username == "wang")).one() == "zh"  # remembered
    response = client.post("/language", data={"language": "xx", "next": "/queue", "csrf_token": token})
    assert response.status_code == 400
